// Constant-rate (open-loop) scheduling with coordinated-omission correction: request i is *intended* at
// start + i/rate whatever happened before it; if no connection is free it waits in a backlog, and its
// latency is measured from the intended time, so a stalled server is charged for every request it
// delayed, not only for the one it was serving (wrk2's model; Gil Tene, "How NOT to Measure Latency").
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Histogram, type LatencySummary } from './histogram.js';
import type { MetronomeData } from './metronome.js';

/** How requests leave: an HTTP/1.1 connection pool or HTTP/2 sessions. */
export interface Transport {
  /** Sends one request now if a connection is free; returns false when all are busy. */
  trySend(intended: number, now: number): boolean;
  /** Requests in flight. */
  readonly inFlight: number;
  close(): void;
}

/** Receives completions from a transport. */
export interface CompletionSink {
  complete(intended: number, sentAt: number, ok: boolean, bodyBytes: number): void;
  /** A connection became free: the backlog may send. */
  connectionFree(): void;
}

export interface OpenLoopResult {
  readonly rate: number;
  readonly durationS: number;
  readonly scheduled: number;
  readonly completed: number;
  readonly errors: number;
  /** Requests scheduled but not completed when the grace period ended. */
  readonly unfinished: number;
  readonly achievedRps: number;
  readonly bodyBytes: number;
  /** Latency from the intended send time (coordinated-omission corrected). */
  readonly corrected: LatencySummary;
  /** Latency from the actual write (service time; what closed-loop tools report). */
  readonly uncorrected: LatencySummary;
  /** How late requests left relative to their intended time (generator precision plus backlog). */
  readonly sendLag: LatencySummary;
  readonly maxBacklog: number;
  /** Corrected latencies (ms) at SPECTRUM_PERCENTILES. */
  readonly spectrum: readonly number[];
}

/** Requests whose intended time is this close are sent on the current tick. */
const SLACK_MS = 0.01;
/** Above this rate the metronome ticks at a fixed 5 kHz and each tick sends a batch. */
const MAX_TICK_RATE = 5000;

export class OpenLoop implements CompletionSink {
  private transport: Transport | undefined;
  private readonly corrected = new Histogram();
  private readonly uncorrected = new Histogram();
  private readonly sendLag = new Histogram();
  private backlog = new Float64Array(1024);
  private head = 0;
  private size = 0;
  private maxBacklog = 0;
  private next = 0;
  private startAt = 0;
  private endAt = 0;
  private completed = 0;
  private errors = 0;
  private bodyBytes = 0;
  private lastDoneAt = 0;
  private readonly intervalMs: number;

  constructor(
    private readonly rate: number,
    private readonly durationMs: number,
  ) {
    this.intervalMs = 1000 / rate;
  }

  attach(transport: Transport): void {
    this.transport = transport;
  }

  /** Runs the schedule, then waits up to `graceMs` for stragglers. */
  async run(graceMs: number): Promise<OpenLoopResult> {
    const transport = this.transport;
    if (transport === undefined) throw new Error('no transport attached');
    const control = new SharedArrayBuffer(4);
    const flag = new Int32Array(control);
    this.startAt = performance.now() + 20;
    this.endAt = this.startAt + this.durationMs;
    const data: MetronomeData = {
      startAbs: performance.timeOrigin + this.startAt,
      intervalMs: Math.max(this.intervalMs, 1000 / MAX_TICK_RATE),
      control,
    };
    const worker = new Worker(new URL('./metronome.js', import.meta.url), { workerData: data });
    worker.on('message', () => this.tick());
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (performance.now() >= this.endAt) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
    });
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    this.tick();
    const graceEnd = performance.now() + graceMs;
    while ((transport.inFlight > 0 || this.size > 0) && performance.now() < graceEnd) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await worker.terminate();
    const unfinished = transport.inFlight + this.size;
    transport.close();
    // A backlog drained during the grace period took longer than the schedule: rate over the real span.
    const elapsedS = Math.max(this.durationMs, this.lastDoneAt - this.startAt) / 1000;
    return {
      rate: this.rate,
      durationS: this.durationMs / 1000,
      scheduled: this.next,
      completed: this.completed,
      errors: this.errors,
      unfinished,
      achievedRps: Math.round((this.completed / elapsedS) * 10) / 10,
      bodyBytes: this.bodyBytes,
      corrected: this.corrected.summaryMs(),
      uncorrected: this.uncorrected.summaryMs(),
      sendLag: this.sendLag.summaryMs(),
      maxBacklog: this.maxBacklog,
      spectrum: this.corrected.count === 0 ? [] : this.corrected.spectrumMs(),
    };
  }

  private tick(): void {
    const transport = this.transport as Transport;
    const now = performance.now();
    const horizon = Math.min(now + SLACK_MS, this.endAt);
    for (;;) {
      const intended = this.startAt + this.next * this.intervalMs;
      if (intended > horizon) break;
      this.next++;
      if (this.size > 0 || !transport.trySend(intended, now)) this.push(intended);
      else this.sendLag.record((now - intended) * 1e6);
    }
  }

  complete(intended: number, sentAt: number, ok: boolean, bodyBytes: number): void {
    const now = performance.now();
    this.lastDoneAt = now;
    if (ok) {
      this.completed++;
      this.bodyBytes += bodyBytes;
    } else {
      this.errors++;
    }
    // Failed requests are charged too: a proxy that fails fast must not look fast.
    this.corrected.record((now - intended) * 1e6);
    this.uncorrected.record((now - sentAt) * 1e6);
  }

  connectionFree(): void {
    const transport = this.transport as Transport;
    while (this.size > 0) {
      const intended = this.backlog[this.head] as number;
      const now = performance.now();
      if (!transport.trySend(intended, now)) return;
      this.sendLag.record((now - intended) * 1e6);
      this.head = (this.head + 1) % this.backlog.length;
      this.size--;
    }
  }

  private push(intended: number): void {
    if (this.size === this.backlog.length) {
      const bigger = new Float64Array(this.backlog.length * 2);
      for (let i = 0; i < this.size; i++)
        bigger[i] = this.backlog[(this.head + i) % this.backlog.length] as number;
      this.backlog = bigger;
      this.head = 0;
    }
    this.backlog[(this.head + this.size) % this.backlog.length] = intended;
    this.size++;
    if (this.size > this.maxBacklog) this.maxBacklog = this.size;
  }
}
