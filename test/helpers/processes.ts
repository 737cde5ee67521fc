// Child processes owned by a test: started with captured output, always stopped by the test's cleanup,
// even when an assertion fails.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MESHCTL_BIN = path.join(REPO_ROOT, 'bin', 'meshctl.js');

export interface OwnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends a signal and waits for exit; escalates to SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

export function startProcess(
  t: TestContext | undefined,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): OwnedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const owned: OwnedProcess = {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
  t?.after(async () => {
    await owned.stop('SIGKILL', 1000);
  });
  return owned;
}

/** Starts `meshctl ARGS` with the Node running the tests. */
export function startMeshctl(
  t: TestContext | undefined,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): OwnedProcess {
  return startProcess(t, process.execPath, [MESHCTL_BIN, ...args], env ? { env } : {});
}

export interface RunResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs `meshctl ARGS` to completion (bounded by timeoutMs) and returns its output. */
export async function runMeshctl(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const child = spawn(process.execPath, [MESHCTL_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const code = await new Promise<number | string>((resolve) =>
    child.once('exit', (c, s) => resolve(c ?? s ?? 'unknown')),
  );
  clearTimeout(timer);
  return { code, stdout, stderr };
}
