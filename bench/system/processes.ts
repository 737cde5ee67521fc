// Every process the harness starts is registered here and stopped by its PID when the harness ends,
// whether it finishes, fails, or is interrupted (Ctrl-C, SIGTERM, an uncaught error).
import { spawn, type ChildProcess } from 'node:child_process';

/** How much of a process's output is kept for error messages. */
const TAIL_BYTES = 64 * 1024;

export interface Managed {
  readonly name: string;
  readonly pid: number;
  /** The command line as it would be typed, for the report. */
  readonly commandLine: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Keep stdin open as a pipe: Node children of the harness exit when it closes. */
  readonly stdinPipe?: boolean;
  /** Called with each complete stdout line (e.g. --trace-gc output), besides the kept tail. */
  readonly onStdoutLine?: (line: string, atMs: number) => void;
}

export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(quoteArg).join(' ');
}

export class ProcessRegistry {
  private readonly live = new Set<Managed>();
  /** Processes run to completion (load generators): stopped on interruption like the others. */
  private readonly tools = new Set<Managed>();
  private stopping: Promise<void> | undefined;
  /** Runs after every process is stopped on an interruption (temporary files). */
  private readonly cleanups: (() => void)[] = [];
  /** Told when a long-running process exits without having been asked to (a crashed target). */
  onUnexpectedExit: ((p: Managed, code: number | string) => void) | undefined;

  start(name: string, command: string, args: readonly string[], options: StartOptions = {}): Managed {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.stdinPipe === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let out = '';
    let err = '';
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out = (out + d).slice(-TAIL_BYTES);
      if (options.onStdoutLine !== undefined) {
        const lines = (partial + d).split('\n');
        partial = lines.pop() ?? '';
        const at = performance.now();
        for (const line of lines) options.onStdoutLine(line, at);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-TAIL_BYTES)));
    child.stdin?.on('error', () => undefined);
    let running = true;
    let stopRequested = false;
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        running = false;
        resolve(code ?? signal ?? 'unknown');
      });
      child.once('error', (e) => {
        running = false;
        err += String(e);
        resolve('spawn-error');
      });
    });
    const managed: Managed = {
      name,
      pid: child.pid,
      commandLine: commandLine(command, args),
      child,
      stdout: () => out,
      stderr: () => err,
      exited,
      get running() {
        return running;
      },
      stop: async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000) => {
        stopRequested = true;
        if (running) {
          child.kill(signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        this.live.delete(managed);
      },
    };
    this.live.add(managed);
    void exited.then((code) => {
      child.stdin?.destroy();
      if (!stopRequested && this.stopping === undefined && this.live.has(managed)) {
        this.onUnexpectedExit?.(managed, code);
      }
    });
    return managed;
  }

  /** The running process with this pid, if the registry started it. */
  byPid(pid: number): Managed | undefined {
    for (const p of this.live) if (p.pid === pid) return p;
    return undefined;
  }

  /** Runs a command to completion (killed after `timeoutMs`); the result keeps its output. */
  async run(
    name: string,
    command: string,
    args: readonly string[],
    timeoutMs: number,
    options: StartOptions = {},
  ): Promise<{ code: number | string; stdout: string; stderr: string; wallMs: number; commandLine: string }> {
    const started = performance.now();
    const p = this.start(name, command, args, options);
    // A tool that finishes is expected to exit: take it off the live list before it does.
    this.live.delete(p);
    this.tools.add(p);
    const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
    const code = await p.exited;
    clearTimeout(timer);
    this.tools.delete(p);
    return {
      code,
      stdout: p.stdout(),
      stderr: p.stderr(),
      wallMs: performance.now() - started,
      commandLine: p.commandLine,
    };
  }

  /** Stops everything still running, newest first (load generators before proxies before the origin). */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      const all = [...this.tools, ...[...this.live].reverse()];
      await Promise.all(all.map((p) => p.stop('SIGTERM', 3000)));
    })();
    return this.stopping;
  }

  addCleanup(fn: () => void): void {
    this.cleanups.push(fn);
  }

  /** Last resort on process exit: synchronous SIGKILL to anything left. */
  killAllNow(): void {
    for (const p of [...this.tools, ...this.live]) {
      if (p.running) p.child.kill('SIGKILL');
    }
  }

  /** Stops children on Ctrl-C, SIGTERM and uncaught errors; `onInterrupt` runs first (e.g. a message). */
  installExitHandlers(onInterrupt: (why: string) => void): void {
    const bail = (why: string, code: number): void => {
      onInterrupt(why);
      const done = (): void => {
        for (const fn of this.cleanups) fn();
        process.exit(code);
      };
      this.stopAll().then(done, done);
    };
    process.once('SIGINT', () => bail('interrupted (SIGINT)', 130));
    process.once('SIGTERM', () => bail('terminated (SIGTERM)', 143));
    process.once('uncaughtException', (err) => bail(`uncaught error: ${err.stack ?? err.message}`, 1));
    process.once('unhandledRejection', (err) => bail(`unhandled rejection: ${String(err)}`, 1));
    process.once('exit', () => this.killAllNow());
  }
}
