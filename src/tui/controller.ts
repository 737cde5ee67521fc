// Drives the data sources into the store: polls metrics every interval (at once when the window or mode
// changes), keeps one tap watch open (re-opened for a focused route, re-tried with backoff), and folds tap
// records into the store in batches on a short timer so a busy mesh never means one render per request.
import { MeshError, errorMessage } from '../common/errors.js';
import { backoffDelay, type BackoffOptions } from '../proxy/balance/backoff.js';
import type { ResourceRef, TapRecord } from './model.js';
import { selectSourceQuery, type SourceQuery } from './state/selectors.js';
import type { ConnectionError } from './state/state.js';
import type { TopStore } from './state/store.js';
import { API_UNIMPLEMENTED, BAD_REQUEST, RESOURCE_NOT_FOUND } from './sources/errors.js';
import type { StatsSource, TapSource, TapSubscription } from './sources/source.js';

export interface ControllerOptions {
  readonly store: TopStore;
  readonly stats: StatsSource;
  readonly tap: TapSource | undefined;
  readonly target: ResourceRef;
  readonly from: ResourceRef | undefined;
  readonly to: ResourceRef | undefined;
  readonly intervalMs: number;
  /** How often tap records are folded into the store (and so at most how often the tail redraws). */
  readonly tapFlushMs?: number;
  readonly tapMaxRps?: number;
  readonly pollBackoff?: BackoffOptions;
  readonly tapBackoff?: BackoffOptions;
  readonly now?: () => number;
  readonly random?: () => number;
}

const POLL_BACKOFF: BackoffOptions = { minMs: 500, maxMs: 10_000, jitter: 0.2 };
const TAP_BACKOFF: BackoffOptions = { minMs: 500, maxMs: 15_000, jitter: 0.2 };
/** Retry for a tap the control plane cannot serve (no tap component, unknown resource): rarely. */
const TAP_UNAVAILABLE_RETRY_MS = 30_000;
/** A watch that has not failed within this long is taken as open even if the server sent nothing yet. */
const TAP_OPEN_GRACE_MS = 1000;

export function toConnectionError(err: unknown): ConnectionError {
  if (err instanceof MeshError) return { code: err.code, message: err.message, hint: err.hint };
  return { code: 'MESH_CONTROL_ERROR', message: errorMessage(err), hint: undefined };
}

export class TopController {
  private readonly o: ControllerOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private stopped = false;
  private timers = new Set<NodeJS.Timeout>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private pollAgain = false;
  private pollFailures = 0;
  private query: SourceQuery;
  private tapSub: TapSubscription | undefined;
  private tapTimer: NodeJS.Timeout | undefined;
  private tapFailures = 0;
  private tapGeneration = 0;
  private queue: TapRecord[] = [];
  private dropped = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(options: ControllerOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.query = selectSourceQuery(options.store.getState());
  }

  start(): void {
    const { store } = this.o;
    this.unsubscribe = store.subscribe(() => this.onStateChange());
    this.every(this.o.tapFlushMs ?? 250, () => this.flushTap());
    // Ages, countdowns and the stale marker move with time even when no data arrives.
    this.every(1000, () => store.dispatch({ type: 'tick', at: this.now() }));
    void this.poll();
    this.openTap();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.tapTimer) clearTimeout(this.tapTimer);
    this.tapSub?.close();
    this.tapSub = undefined;
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    this.timers.add(t);
  }

  private onStateChange(): void {
    const next = selectSourceQuery(this.o.store.getState());
    const prev = this.query;
    if (next.windowMs === prev.windowMs && next.mode === prev.mode && next.focusRoute === prev.focusRoute)
      return;
    this.query = next;
    if (next.windowMs !== prev.windowMs || next.mode !== prev.mode) {
      // The user asked for other numbers: fetch them now rather than at the next tick.
      if (this.pollTimer) clearTimeout(this.pollTimer);
      void this.poll();
    }
    if (next.focusRoute !== prev.focusRoute) {
      this.tapFailures = 0;
      this.openTap();
    }
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    const started = this.now();
    const { store, stats, target, from, to } = this.o;
    const query = this.query;
    let delay: number;
    try {
      const snapshot = await stats.fetch({ target, from, to, windowMs: query.windowMs, mode: query.mode });
      if (this.stopped) return;
      this.pollFailures = 0;
      store.dispatch({ type: 'snapshot', at: this.now(), snapshot });
      delay = Math.max(0, started + this.o.intervalMs - this.now());
    } catch (err) {
      if (this.stopped) return;
      delay = backoffDelay(this.pollFailures, this.o.pollBackoff ?? POLL_BACKOFF, this.random);
      this.pollFailures++;
      const at = this.now();
      store.dispatch({ type: 'poll-failed', at, error: toConnectionError(err), retryAt: at + delay });
    } finally {
      this.polling = false;
    }
    if (this.pollAgain) {
      this.pollAgain = false;
      delay = 0;
    }
    this.pollTimer = setTimeout(() => void this.poll(), delay);
  }

  private openTap(): void {
    const source = this.o.tap;
    if (!source || this.stopped) return;
    this.tapSub?.close();
    this.tapSub = undefined;
    if (this.tapTimer) clearTimeout(this.tapTimer);
    const generation = ++this.tapGeneration;
    const current = (): boolean => generation === this.tapGeneration && !this.stopped;
    const { store, target, from, to } = this.o;
    store.dispatch({ type: 'tap-status', at: this.now(), status: 'connecting' });
    let open = false;
    const opened = (): void => {
      if (!current() || open) return;
      open = true;
      this.tapFailures = 0;
      store.dispatch({ type: 'tap-status', at: this.now(), status: 'streaming' });
    };
    this.tapTimer = setTimeout(opened, TAP_OPEN_GRACE_MS);
    this.tapSub = source.watch(
      {
        // Traffic from `from` to the target is seen by `from`'s proxies, as in the metrics query.
        target: from ?? target,
        to: from ? target : to,
        route: this.query.focusRoute,
        maxRps: this.o.tapMaxRps ?? 0,
      },
      {
        opened,
        record: (r) => {
          if (!current()) return;
          opened();
          this.enqueue(r);
        },
        failed: (err) => {
          if (!current()) return;
          this.retryTap(err);
        },
        ended: () => {
          if (!current()) return;
          this.retryTap(undefined);
        },
      },
    );
  }

  private retryTap(err: Error | undefined): void {
    if (this.tapTimer) clearTimeout(this.tapTimer);
    const permanent =
      err instanceof MeshError && [API_UNIMPLEMENTED, RESOURCE_NOT_FOUND, BAD_REQUEST].includes(err.code);
    const delay = permanent
      ? TAP_UNAVAILABLE_RETRY_MS
      : backoffDelay(this.tapFailures, this.o.tapBackoff ?? TAP_BACKOFF, this.random);
    this.tapFailures++;
    const at = this.now();
    this.o.store.dispatch({
      type: 'tap-status',
      at,
      status: permanent ? 'unavailable' : 'reconnecting',
      ...(err ? { error: toConnectionError(err) } : {}),
      retryAt: at + delay,
    });
    this.tapTimer = setTimeout(() => this.openTap(), delay);
  }

  private enqueue(r: TapRecord): void {
    this.queue.push(r);
    // Never hold more than a few tails' worth between flushes: older records could not be shown anyway.
    const cap = this.o.store.getState().config.tapLimits.capacity * 4;
    if (this.queue.length > 2 * cap) {
      this.dropped += this.queue.length - cap;
      this.queue = this.queue.slice(-cap);
    }
  }

  private flushTap(): void {
    if (this.queue.length === 0 && this.dropped === 0) return;
    const records = this.queue;
    const dropped = this.dropped;
    this.queue = [];
    this.dropped = 0;
    this.o.store.dispatch({ type: 'tap-records', at: this.now(), records, dropped });
  }
}
