// A setting that can come from a flag or an environment variable (flag wins), with one description used
// for --help and one parser whose errors name both spellings, so a bad value is easy to find.
import { UsageError, MeshError } from './errors.js';

export interface SettingSpec<T> {
  /** Flag without dashes, e.g. `inbound`; commander's camelCase key is derived from it. */
  readonly flag: string;
  readonly env: string;
  readonly valueName: string;
  readonly description: string;
  /** Default as text (shown in --help and parsed like user input); undefined means unset. */
  readonly defaultText?: string;
  /** Repeatable flag; the environment variable then holds a comma-separated list. */
  readonly repeatable?: boolean;
  readonly parse: (text: string, what: string) => T;
}

export type SettingValues = Record<string, string | string[] | undefined>;

export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Resolves one setting: flag value, else environment, else default; undefined if none applies. */
export function resolveSetting<T>(
  spec: SettingSpec<T>,
  flags: SettingValues,
  env: NodeJS.ProcessEnv,
): T | undefined {
  const fromFlag = flags[camelCase(spec.flag)];
  const fromEnv = env[spec.env];
  let text: string | undefined;
  let what: string;
  if (fromFlag !== undefined && !(Array.isArray(fromFlag) && fromFlag.length === 0)) {
    text = Array.isArray(fromFlag) ? fromFlag.join(',') : fromFlag;
    what = `--${spec.flag}`;
  } else if (fromEnv !== undefined && fromEnv !== '') {
    text = fromEnv;
    what = `${spec.env}`;
  } else {
    text = spec.defaultText;
    what = `default for --${spec.flag}`;
  }
  if (text === undefined) return undefined;
  try {
    return spec.parse(text, what);
  } catch (err) {
    if (err instanceof MeshError) throw err;
    throw new UsageError('MESH_BAD_SETTING', `invalid ${what} "${text}": ${String(err)}`);
  }
}

/** Help text for a setting: description, environment variable and default. */
export function settingHelp(spec: SettingSpec<unknown>): string {
  const def = spec.defaultText === undefined ? '' : ` (default: ${spec.defaultText || '""'})`;
  return `${spec.description} [env ${spec.env}]${def}`;
}

export function parsePositiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError('MESH_BAD_NUMBER', `invalid ${what} "${text}"`, 'expected a positive whole number');
  }
  return n;
}

export function parsePortList(text: string, what: string): Set<number> {
  const ports = new Set<number>();
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const lo = range ? Number(range[1]) : Number.NaN;
    const hi = range?.[2] !== undefined ? Number(range[2]) : lo;
    if (!range || lo < 1 || hi > 65535 || hi < lo || hi - lo > 65535) {
      throw new UsageError(
        'MESH_BAD_PORTS',
        `invalid ${what} "${text}" at "${item}"`,
        'expected ports or ranges, e.g. 25,3306,8000-8010',
      );
    }
    for (let p = lo; p <= hi; p++) ports.add(p);
  }
  return ports;
}
