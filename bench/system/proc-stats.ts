// CPU time and memory of processes from /proc: utime+stime (all threads) of a process and its descendants
// (nginx's worker is a child of its master), and VmRSS / VmHWM / RssAnon from /proc/<pid>/status.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pid and all its descendants that are alive now. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i] as number;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      const children = readOr(`/proc/${p}/task/${t}/children`);
      if (children === undefined) continue;
      for (const c of children.trim().split(/\s+/)) if (c !== '') out.push(Number(c));
    }
  }
  return out;
}

/** CPU seconds (user + system) used so far by one process. */
function cpuSecondsOf(pid: number): number {
  const stat = readOr(`/proc/${pid}/stat`);
  if (stat === undefined) return 0;
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** CPU seconds used so far by the given processes and their descendants. */
export function cpuSeconds(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) for (const p of processTree(pid)) total += cpuSecondsOf(p);
  return total;
}

export interface MemoryKb {
  readonly rss: number;
  readonly hwm: number;
  readonly anon: number;
}

export function memoryOf(pid: number): MemoryKb | undefined {
  const status = readOr(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m === null ? 0 : Number(m[1]);
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon') };
}

/** Memory of a process and its descendants, summed (nginx master + worker). */
export function treeMemory(pid: number): MemoryKb | undefined {
  let rss = 0;
  let hwm = 0;
  let anon = 0;
  let any = false;
  for (const p of processTree(pid)) {
    const m = memoryOf(p);
    if (m === undefined) continue;
    any = true;
    rss += m.rss;
    hwm += m.hwm;
    anon += m.anon;
  }
  return any ? { rss, hwm, anon } : undefined;
}

/** 1-minute load average, a quick sign of how shared the machine was. */
export function loadAverage(): number {
  const text = readOr('/proc/loadavg');
  return text === undefined ? 0 : Number(text.split(' ')[0]);
}

/** CPU seconds all CPUs of the machine have been busy (not idle or waiting for I/O), from /proc/stat. */
export function machineBusySeconds(): number {
  const text = readOr('/proc/stat');
  if (text === undefined) return 0;
  const f = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return (total - idle) / clockTicks();
}
