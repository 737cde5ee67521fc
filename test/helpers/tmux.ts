// A real terminal for end-to-end tests: a tmux server on a private socket with one pane running a plain
// shell, driven by send-keys and read with capture-pane. Owned by the test: the server is killed on cleanup.
// Reusable for any full-screen check (meshctl top against fixtures now, against `meshctl demo` later).
import { execFile, execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { waitFor } from './wait.js';

let sessions = 0;

/**
 * The environment of a person's terminal: CI runs set CI=true, which colour detection (supports-color)
 * reads as "no colours", and may set NO_COLOR or FORCE_COLOR; none of them belongs in the pane.
 */
const TERMINAL_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !['CI', 'NO_COLOR', 'FORCE_COLOR'].includes(key)),
);

function run(args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'tmux',
      args,
      { timeout: timeoutMs, encoding: 'utf8', env: TERMINAL_ENV },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args.join(' ')}: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure tmux is installed: present already, or installed with apt-get when running as root (as CI
 * does). Returns why not when it cannot be had, so the caller can skip with that message.
 */
export function ensureTmux(): { ok: true } | { ok: false; reason: string } {
  if (has('tmux', ['-V'])) return { ok: true };
  if (process.getuid?.() !== 0 || !has('apt-get', ['--version'])) {
    return {
      ok: false,
      reason: 'tmux is not installed and cannot be installed here (needs root and apt-get)',
    };
  }
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'tmux'], {
      stdio: 'ignore',
      timeout: 180_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    return { ok: false, reason: `apt-get install tmux failed: ${(err as Error).message}` };
  }
  return has('tmux', ['-V'])
    ? { ok: true }
    : { ok: false, reason: 'tmux still missing after apt-get install' };
}

export interface TmuxPane {
  /** The visible screen as plain text, one string per line (trailing blanks trimmed). */
  capture(): Promise<string>;
  /** The visible screen with its colours and attributes as escape sequences. */
  captureStyled(): Promise<string>;
  /** Sends tmux key names (`Enter`, `Tab`, `Escape`, `Down`, `q`), one send-keys per key so none coalesce. */
  keys(...names: string[]): Promise<void>;
  /** Types text literally (no key-name lookup). */
  type(text: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  /** Polls the screen until `match` holds; returns that screen. */
  waitForScreen(
    match: RegExp | ((screen: string) => boolean),
    what: string,
    timeoutMs?: number,
  ): Promise<string>;
}

export async function startTmux(
  t: TestContext,
  options: { columns: number; rows: number; env?: Record<string, string> },
): Promise<TmuxPane> {
  const socket = `meshctl-test-${process.pid}-${++sessions}`;
  const target = `${socket}:0.0`;
  const base = ['-L', socket, '-f', '/dev/null'];
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await run([
    ...base,
    'new-session',
    '-d',
    '-s',
    socket,
    '-x',
    String(options.columns),
    '-y',
    String(options.rows),
    ...env,
    'bash --norc --noprofile',
  ]);
  t.after(async () => {
    await run([...base, 'kill-server']).catch(() => undefined);
  });
  // A window sized by the session, not by an attached client (there is none).
  await run([...base, 'set-option', '-g', 'window-size', 'manual']);
  const pane: TmuxPane = {
    capture: async () => (await run([...base, 'capture-pane', '-p', '-t', target])).replace(/[ \t]+$/gm, ''),
    captureStyled: () => run([...base, 'capture-pane', '-p', '-e', '-t', target]),
    keys: async (...names) => {
      for (const name of names) await run([...base, 'send-keys', '-t', target, name]);
    },
    type: async (text) => {
      await run([...base, 'send-keys', '-t', target, '-l', text]);
    },
    resize: async (columns, rows) => {
      await run([...base, 'resize-window', '-t', target, '-x', String(columns), '-y', String(rows)]);
    },
    waitForScreen: async (match, what, timeoutMs = 20_000) => {
      let last = '';
      try {
        return await waitFor(
          async () => {
            last = await pane.capture();
            const ok = typeof match === 'function' ? match(last) : match.test(last);
            return ok ? last : undefined;
          },
          { timeoutMs, intervalMs: 100, what },
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- screen ---\n${last}`, { cause: err });
      }
    },
  };
  await pane.waitForScreen(/[$#]$/m, 'the shell prompt');
  return pane;
}
