// Keeps failing endpoints out of rotation for a while: connect-failure backoff and failure accrual.
// Pure apart from the clock and random source it is given, so every transition can be replayed in tests.
import type { Clock } from './peak-ewma.js';

export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** Fraction of the delay randomised, 0..1 (0.5 → delay × [0.5, 1.5)). */
  readonly jitter: number;
}

/**
 * Exponential backoff with jitter: delay n = min(maxMs, minMs × 2^n) ± jitter.
 * `attempt` counts from 0 (the first delay is minMs before jitter). The cap applies before the jitter, so
 * the result lies in [base × (1 − jitter), base × (1 + jitter)): at the cap, up to maxMs × (1 + jitter).
 * Jitter spreads out the retries of many proxies that saw the same endpoint fail at the same moment.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  // Past 2^52 the product no longer fits a double exactly and is beyond any sane cap anyway; clamping also
  // avoids 0 × Infinity = NaN when minMs is 0.
  const exponent = attempt > 0 ? Math.min(Math.floor(attempt), 52) : 0;
  const base = Math.min(options.maxMs, options.minMs * 2 ** exponent);
  const jitter = Math.min(Math.max(options.jitter, 0), 1);
  const r = Math.min(Math.max(random(), 0), 1);
  return base * (1 - jitter + 2 * jitter * r);
}

// Connect failures are usually a restarting instance: retry it within seconds, not tens of seconds (the other
// endpoints carry the traffic meanwhile, and a request never waits on a backed-off endpoint).
export const CONNECT_BACKOFF: BackoffOptions = { minMs: 250, maxMs: 5_000, jitter: 0.5 };
export const ACCRUAL_BACKOFF: BackoffOptions = { minMs: 1_000, maxMs: 60_000, jitter: 0.5 };
export const ACCRUAL_CONSECUTIVE_FAILURES = 7;

/**
 * Endpoint health: `recordConnectFailure()` makes it unavailable for a backoff that grows with consecutive
 * connect failures; `recordResponse(failure)` counts consecutive response failures and after `maxFailures`
 * ejects the endpoint for an accrual backoff (then it is on probation: available again, and one more failure
 * ejects it for the next, longer delay; one success resets everything). `available(now)` says whether it may
 * be chosen. Pure apart from the clock and random source it is given.
 *
 * Outcomes reported while the endpoint is out of rotation belong to requests or connects started before it
 * was taken out; like linkerd2-proxy's consecutive-failures breaker, they are ignored, so that stragglers
 * neither lengthen the penalty nor count as the probation verdict. The one exception is a connect success
 * during connect backoff: it proves the endpoint reachable, so the backoff ends.
 */
export class EndpointHealth {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly connect: BackoffOptions;
  private readonly accrual: BackoffOptions;
  private readonly maxFailures: number;

  private connectFailures = 0;
  private connectUntil = Number.NEGATIVE_INFINITY;

  private responseFailures = 0;
  /** Ejections since the last success: the next accrual backoff's attempt number. */
  private ejections = 0;
  private ejectedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    clock: Clock,
    random: () => number,
    options?: { connect?: BackoffOptions; accrual?: BackoffOptions; maxFailures?: number },
  ) {
    this.clock = clock;
    this.random = random;
    this.connect = options?.connect ?? CONNECT_BACKOFF;
    this.accrual = options?.accrual ?? ACCRUAL_BACKOFF;
    this.maxFailures = options?.maxFailures ?? ACCRUAL_CONSECUTIVE_FAILURES;
    if (!Number.isInteger(this.maxFailures) || this.maxFailures < 1) {
      throw new RangeError(`maxFailures must be a positive integer, got ${this.maxFailures}`);
    }
  }

  available(now: number): boolean {
    return now >= this.ejectedUntil && now >= this.connectUntil;
  }

  recordConnectFailure(): void {
    const now = this.clock.now();
    if (now < this.connectUntil) return;
    this.connectUntil = now + backoffDelay(this.connectFailures, this.connect, this.random);
    this.connectFailures++;
  }

  recordConnectSuccess(): void {
    this.connectFailures = 0;
    this.connectUntil = Number.NEGATIVE_INFINITY;
  }

  recordResponse(failure: boolean): void {
    const now = this.clock.now();
    if (now < this.ejectedUntil) return;
    if (!failure) {
      this.responseFailures = 0;
      this.ejections = 0;
      return;
    }
    // On probation (ejected before, no success since) a single failure is enough.
    this.responseFailures++;
    if (this.ejections > 0 || this.responseFailures >= this.maxFailures) {
      this.ejectedUntil = now + backoffDelay(this.ejections, this.accrual, this.random);
      this.ejections++;
      this.responseFailures = 0;
    }
  }

  /** 'ready' | 'backoff' (connect) | 'ejected' (accrual), for metrics and /debug. */
  state(now: number): 'ready' | 'backoff' | 'ejected' {
    // Ejection is reported first: it is the longer-lived condition and the one an operator configured.
    if (now < this.ejectedUntil) return 'ejected';
    if (now < this.connectUntil) return 'backoff';
    return 'ready';
  }
}
