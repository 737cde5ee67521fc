// Peak-EWMA load estimate for one endpoint (Finagle/Linkerd): latency rises instantly, decays slowly.
// Pure apart from the injected clock, so the balancer's behaviour can be replayed exactly in tests.

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
 *
 * Between observations the estimate decays towards 0: estimate() = stored × exp(-(now − lastObservation) /
 * decayMs), starting from construction. This is what linkerd2-proxy (tower's PeakEwma) does on every load
 * read, and it is what lets an endpoint that was slow once, or was never tried, win a pick again after a
 * while instead of being starved forever. Unlike tower, reading does not write: the result of the next
 * observation does not depend on how often cost() happened to be read in between.
 *
 * Precisely, an observation `rtt` at time `now`, with `elapsed` since the previous one (or construction):
 *   w = exp(-elapsed / decayMs); decayed = stored × w
 *   rtt > decayed → stored = rtt                     (peak: react to a slowdown at once)
 *   otherwise     → stored = decayed × w + rtt × (1 − w)
 * Blending the decayed value (not the stored one) keeps the update monotone and continuous in rtt: a faster
 * response can never leave a higher estimate than a slower one, and the result always lies in [rtt, decayed].
 */
export class PeakEwma {
  /** Requests started and not yet finished or cancelled; never negative. */
  pending = 0;

  private stored: number;
  private observedAt: number;
  private readonly decayMs: number;
  private readonly clock: Clock;

  constructor(options: PeakEwmaOptions, clock: Clock) {
    if (!(options.defaultRttMs >= 0) || !(options.decayMs > 0)) {
      throw new RangeError(
        `PeakEwma needs defaultRttMs >= 0 and decayMs > 0, got ${options.defaultRttMs} and ${options.decayMs}`,
      );
    }
    this.stored = options.defaultRttMs;
    this.decayMs = options.decayMs;
    this.clock = clock;
    this.observedAt = clock.now();
  }

  /** Marks a request as started; returns its start time for finish(). */
  start(): number {
    this.pending++;
    return this.clock.now();
  }

  /** Marks a request as finished, observing now − startedAt as its RTT. */
  finish(startedAt: number): void {
    this.release();
    const now = this.clock.now();
    // A clock that steps back (or a bogus startedAt) must not produce a negative RTT.
    this.observe(Math.max(0, now - startedAt), now, startedAt);
  }

  /** Marks a request as finished without observing an RTT (e.g. it failed before any response). */
  cancel(): void {
    this.release();
  }

  /**
   * Restarts the estimate at `rttMs` as of now. Used for an endpoint that joins a set already carrying
   * traffic: starting it at the set's typical latency, rather than the default RTT, lets it take its share at
   * once instead of after the default decays (tens of seconds when peers answer in a millisecond).
   */
  seed(rttMs: number): void {
    this.stored = Math.max(0, rttMs);
    this.observedAt = this.clock.now();
  }

  /** The current estimate (decayed to now) in ms. */
  estimate(): number {
    return this.stored * this.decayFactor(this.clock.now());
  }

  cost(): number {
    return this.estimate() * (this.pending + 1);
  }

  private observe(rtt: number, now: number, startedAt: number): void {
    const decayed = this.stored * this.decayFactor(now);
    {
      // As tower does (it decays the estimate on every read, i.e. when the request was picked): the decayed
      // estimate plus the RTT weighted by the time since the estimate was last brought up to date — this
      // request's start or the last observation, whichever is later. An observed endpoint thus always sits
      // slightly above an idle one with the same history, so tied endpoints alternate. (Decaying the
      // estimate once more before blending, as an earlier version did, pushed a used endpoint below an idle
      // one and let it win every pick while the others starved.)
      const since = now - Math.max(this.observedAt, startedAt);
      const w = since > 0 ? Math.exp(-since / this.decayMs) : 1;
      // max() is the peak rule: a response slower than the estimate replaces it. Taking the larger of the two
      // also keeps the result monotonic in the RTT: a faster response never leaves a higher estimate.
      this.stored = Math.max(rtt, decayed + rtt * (1 - w));
    }
    this.observedAt = now;
  }

  private decayFactor(now: number): number {
    const elapsed = now - this.observedAt;
    return elapsed > 0 ? Math.exp(-elapsed / this.decayMs) : 1;
  }

  private release(): void {
    // finish()/cancel() twice for one request is a caller bug, but it must not make the endpoint look
    // cheaper than idle.
    if (this.pending > 0) this.pending--;
  }
}
