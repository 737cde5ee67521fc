// Whether to colour what we write, decided once per stream: only on a terminal, never with NO_COLOR or
// TERM=dumb, always with FORCE_COLOR (except FORCE_COLOR=0). Views ask for a painter and never check ttys.
import { styleText } from 'node:util';

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

export type Paint = (style: Style, text: string) => string;

export function colourEnabled(
  stream: { readonly isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

export const plain: Paint = (_style, text) => text;

const painted: Paint = (style, text) => styleText(style, text, { validateStream: false });

/** A painter for `stream`: styles text only when colour is enabled there. */
export function painterFor(
  stream: { readonly isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Paint {
  return colourEnabled(stream, env) ? painted : plain;
}
