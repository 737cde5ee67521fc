// Peak-EWMA load estimate for one endpoint (Finagle/Linkerd): latency rises instantly, decays slowly.

export interface Clock {
  /** Milliseconds from a monotonic source (performance.now() in production). */
  now(): number;
}

export const DEFAULT_RTT_MS = 30;
export const DEFAULT_DECAY_MS = 10_000;

export interface PeakEwmaOptions {
  readonly defaultRttMs: number;
  readonly decayMs: number;
}

/**
 * Load of one endpoint. The estimate starts at defaultRttMs; an observed RTT above it replaces it at once
 * (the peak), one below it is blended in with weight exp(-elapsed/decayMs) on the old value, where elapsed is
 * the time since the previous observation. cost() = estimate × (pending + 1), so in-flight requests count.
 */
export class PeakEwma {
  pending = 0;
  constructor(_options: PeakEwmaOptions, _clock: Clock) {}

  /** Marks a request as started; returns its start time for finish(). */
  start(): number {
    throw new Error('not implemented');
  }

  /** Marks a request as finished, observing now − startedAt as its RTT. */
  finish(_startedAt: number): void {
    throw new Error('not implemented');
  }

  /** Marks a request as finished without observing an RTT (e.g. it failed before any response). */
  cancel(): void {
    throw new Error('not implemented');
  }

  /** The current estimate (decayed to now) in ms. */
  estimate(): number {
    throw new Error('not implemented');
  }

  cost(): number {
    throw new Error('not implemented');
  }
}
