// Where meshctl keeps local state ($MESHCTL_HOME, default ~/.meshctl), and the record a running demo
// leaves there so that every command finds its control plane without flags.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function meshctlHome(env: NodeJS.ProcessEnv = process.env): string {
  return env['MESHCTL_HOME'] || path.join(os.homedir(), '.meshctl');
}

export interface ControlPlaneRecord {
  /** The control plane's gRPC address. */
  readonly address: string;
  readonly admin: string;
  /** The demo process that owns it. */
  readonly pid: number;
  readonly dir: string;
  readonly startedAt: string;
  /** The namespace the demo's workloads live in: commands talking to this control plane default -n to it. */
  readonly namespace?: string;
}

const RECORD = 'control-plane.json';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running demo's control plane, if a live one is recorded. */
export function readControlPlaneRecord(env: NodeJS.ProcessEnv = process.env): ControlPlaneRecord | undefined {
  const file = path.join(meshctlHome(env), RECORD);
  if (!existsSync(file)) return undefined;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneRecord;
    return typeof rec.address === 'string' && typeof rec.pid === 'number' && isAlive(rec.pid)
      ? rec
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeControlPlaneRecord(rec: ControlPlaneRecord, env: NodeJS.ProcessEnv = process.env): void {
  const home = meshctlHome(env);
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, RECORD), JSON.stringify(rec, null, 2) + '\n');
}

/** Removes the record, but only if it is ours (a newer demo may have replaced it). */
export function removeControlPlaneRecord(pid: number, env: NodeJS.ProcessEnv = process.env): void {
  const file = path.join(meshctlHome(env), RECORD);
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneRecord;
    if (rec.pid === pid) rmSync(file, { force: true });
  } catch {
    // Nothing recorded, or unreadable: nothing of ours to remove.
  }
}
