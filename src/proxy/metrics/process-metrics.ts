// process_* and nodejs_* gauges for the proxy's own health, read from Node and /proc at scrape time only.
import fs from 'node:fs';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { PrometheusWriter } from './prometheus-text.js';

// /proc exists only on Linux; after the first failure we stop trying instead of paying for a throw per scrape.
let procAvailable = process.platform === 'linux';
let loopDelay: IntervalHistogram | undefined;

function readProc(file: string): string | undefined {
  if (!procAvailable) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    procAvailable = false;
    return undefined;
  }
}

function virtualMemoryBytes(): number | undefined {
  const m = /^VmSize:\s+(\d+)\s+kB/m.exec(readProc('/proc/self/status') ?? '');
  return m ? Number(m[1]) * 1024 : undefined;
}

function maxFds(): number | undefined {
  // "Max open files  <soft>  <hard>  files": the soft limit is the one the process hits.
  const m = /^Max open files\s+(\d+)/m.exec(readProc('/proc/self/limits') ?? '');
  return m ? Number(m[1]) : undefined;
}

function openFds(): number | undefined {
  if (!procAvailable) return undefined;
  try {
    // readdir holds one descriptor on the directory itself while listing it; that one is not the process's.
    return fs.readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

/**
 * p99 event-loop delay (ms) since the previous scrape. The monitor starts on the first scrape, so a proxy
 * that is never scraped never runs its timer. Its samples include the 10 ms sampling interval itself, as
 * other Node exporters report it.
 */
function eventLoopLagP99Ms(): number {
  if (loopDelay === undefined) {
    loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    return 0;
  }
  const p99 = loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0;
  loopDelay.reset();
  return p99;
}

/** Writes the process_* and nodejs_* families; those /proc cannot provide on this platform are left out. */
export function writeProcessMetrics(w: PrometheusWriter): void {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  w.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.');
  w.sample('process_cpu_seconds_total', '', (cpu.user + cpu.system) / 1e6);
  w.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
  w.sample('process_resident_memory_bytes', '', mem.rss);
  const vm = virtualMemoryBytes();
  if (vm !== undefined) {
    w.family('process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.');
    w.sample('process_virtual_memory_bytes', '', vm);
  }
  const fds = openFds();
  if (fds !== undefined) {
    w.family('process_open_fds', 'gauge', 'Number of open file descriptors.');
    w.sample('process_open_fds', '', fds);
  }
  const max = maxFds();
  if (max !== undefined) {
    w.family('process_max_fds', 'gauge', 'Maximum number of open file descriptors.');
    w.sample('process_max_fds', '', max);
  }
  w.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
  w.sample('process_start_time_seconds', '', Math.round(performance.timeOrigin) / 1000);
  w.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.');
  w.sample('nodejs_heap_used_bytes', '', mem.heapUsed);
  w.family('nodejs_eventloop_lag_p99_ms', 'gauge', 'p99 event loop delay since the previous scrape, in ms.');
  w.sample('nodejs_eventloop_lag_p99_ms', '', eventLoopLagP99Ms());
}
