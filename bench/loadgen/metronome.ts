// Worker thread that wakes the load generator's main thread at precise times. libuv timers have 1 ms
// granularity (wrk2's "±1 ms" caveat); Atomics.wait sleeps with sub-millisecond precision but oversleeps by
// ~80 µs here, so the worker wakes WAKE_LEAD_MS early and spins the rest (~20 µs per tick, ~2 % of a core at
// 1,000 ticks/s); postMessage then wakes the main event loop within ~15 µs of the intended time.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

export interface MetronomeData {
  /** Absolute start (performance.timeOrigin + performance.now() of the main thread), ms. */
  readonly startAbs: number;
  readonly intervalMs: number;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the main thread wants the worker to stop. */
  readonly control: SharedArrayBuffer;
}

/** How early Atomics.wait is asked to return (its measured oversleep is ~0.08 ms). */
const WAKE_LEAD_MS = 0.1;

function run(port: NonNullable<typeof parentPort>, data: MetronomeData): void {
  const flag = new Int32Array(data.control);
  const origin = performance.timeOrigin;
  let k = 0;
  while (Atomics.load(flag, 0) === 0) {
    const target = data.startAbs + k * data.intervalMs;
    const wait = target - WAKE_LEAD_MS - (origin + performance.now());
    if (wait > 0.005) Atomics.wait(flag, 0, 0, wait);
    if (Atomics.load(flag, 0) !== 0) break;
    while (origin + performance.now() < target) {
      // spin the last few microseconds
    }
    port.postMessage(k);
    k++;
    // Behind schedule (the machine stalled): one message covers every tick that is already due.
    const now = origin + performance.now();
    const due = Math.floor((now - data.startAbs) / data.intervalMs);
    if (due > k) k = due;
  }
}

if (parentPort !== null) run(parentPort, workerData as MetronomeData);
