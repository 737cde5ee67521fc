// Runs the demo's processes: each child's output goes to its own log file, a child that exits is reported
// and restarted with backoff, and stop() ends them all (SIGTERM, then SIGKILL after a grace period).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { ProcessSpec } from './topology.js';

const RESTART = { minMs: 500, maxMs: 15_000 };
/** A child that ran this long before exiting counts as healthy: its next restart starts fast again. */
const HEALTHY_MS = 30_000;

interface Child {
  readonly spec: ProcessSpec;
  proc: ChildProcess | undefined;
  restarts: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

export interface SupervisorEvents {
  exited(name: string, code: number | null, signal: string | null, restartInMs: number): void;
}

export class Supervisor {
  private readonly children = new Map<string, Child>();
  private stopping = false;

  constructor(
    private readonly binary: string,
    private readonly logDir: string,
    private readonly events: SupervisorEvents,
  ) {}

  start(specs: readonly ProcessSpec[]): void {
    for (const spec of specs) {
      const child: Child = { spec, proc: undefined, restarts: 0, startedAt: 0, timer: undefined };
      this.children.set(spec.name, child);
      this.launch(child);
    }
  }

  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.children)
      if (c.proc?.pid !== undefined && c.proc.exitCode === null) out[name] = c.proc.pid;
    return out;
  }

  restarts(name: string): number {
    return this.children.get(name)?.restarts ?? 0;
  }

  private launch(child: Child): void {
    if (this.stopping) return;
    const log = openSync(path.join(this.logDir, `${child.spec.name.replace(/\//g, '-')}.log`), 'a');
    const proc = spawn(process.execPath, [this.binary, ...child.spec.args], {
      env: { ...process.env, ...child.spec.env, MESHCTL_PARENT_PID: String(process.pid), FORCE_COLOR: '0' },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child.proc = proc;
    child.startedAt = Date.now();
    proc.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - child.startedAt > HEALTHY_MS) child.restarts = 0;
      const delay = Math.min(RESTART.maxMs, RESTART.minMs * 2 ** child.restarts);
      child.restarts++;
      this.events.exited(child.spec.name, code, signal, delay);
      child.timer = setTimeout(() => this.launch(child), delay);
    });
  }

  /** Stops every child; resolves once all have exited. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const waits: Promise<void>[] = [];
    for (const child of this.children.values()) {
      if (child.timer) clearTimeout(child.timer);
      const proc = child.proc;
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) continue;
      waits.push(
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
          proc.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          proc.kill('SIGTERM');
        }),
      );
    }
    await Promise.all(waits);
  }
}
