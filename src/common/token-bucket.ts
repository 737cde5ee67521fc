// A token bucket for "at most N per second" limits (tap's max_rps on the proxy and in the TapAPI). Pure
// apart from the clock readings it is given, so a test can replay any arrival pattern exactly.

/**
 * Refills `ratePerSecond` tokens per second up to `burst`; `take(nowMs)` spends one token if there is one.
 * Over any interval of T seconds at most `ratePerSecond × T + burst` takes succeed. It starts full.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`TokenBucket: rate must be a positive finite number, got ${ratePerSecond}`);
    }
    if (!(burst >= 1) || !Number.isFinite(burst)) {
      throw new RangeError(`TokenBucket: burst must be ≥ 1, got ${burst}`);
    }
    this.tokens = burst;
    this.last = nowMs;
  }

  take(nowMs: number): boolean {
    // A clock that steps backwards (it should not; performance.now() is monotonic) refills nothing.
    if (nowMs > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) * this.ratePerSecond) / 1000);
      this.last = nowMs;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/**
 * The burst allowed for a rate: a tenth of a second's worth, at least one. Small on purpose: a tap's rate
 * is what an operator reads on screen, and a large burst would let a short spike through at many times it.
 */
export function burstFor(ratePerSecond: number, seconds = 0.1): number {
  return Math.max(1, Math.ceil(ratePerSecond * seconds));
}
