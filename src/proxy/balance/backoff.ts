// Keeps failing endpoints out of rotation for a while: connect-failure backoff and failure accrual.
import type { Clock } from './peak-ewma.js';

export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** Fraction of the delay randomised, 0..1 (0.5 → delay × [0.5, 1.5)). */
  readonly jitter: number;
}

/** Exponential backoff with jitter: delay n = min(maxMs, minMs × 2^n) ± jitter. */
export function backoffDelay(_attempt: number, _options: BackoffOptions, _random: () => number): number {
  throw new Error('not implemented');
}

export const CONNECT_BACKOFF: BackoffOptions = { minMs: 250, maxMs: 30_000, jitter: 0.5 };
export const ACCRUAL_BACKOFF: BackoffOptions = { minMs: 1_000, maxMs: 60_000, jitter: 0.5 };
export const ACCRUAL_CONSECUTIVE_FAILURES = 7;

/**
 * Endpoint health: `recordConnectFailure()` makes it unavailable for a backoff that grows with consecutive
 * connect failures; `recordResponse(failure)` counts consecutive response failures and after `maxFailures`
 * ejects the endpoint for an accrual backoff (then it is on probation: available again, and one more failure
 * ejects it for the next, longer delay; one success resets everything). `available(now)` says whether it may
 * be chosen. Pure apart from the clock and random source it is given.
 */
export class EndpointHealth {
  constructor(
    _clock: Clock,
    _random: () => number,
    _options?: { connect?: BackoffOptions; accrual?: BackoffOptions; maxFailures?: number },
  ) {}

  available(_now: number): boolean {
    throw new Error('not implemented');
  }

  recordConnectFailure(): void {
    throw new Error('not implemented');
  }

  recordConnectSuccess(): void {
    throw new Error('not implemented');
  }

  recordResponse(_failure: boolean): void {
    throw new Error('not implemented');
  }

  /** 'ready' | 'backoff' (connect) | 'ejected' (accrual), for metrics and /debug. */
  state(_now: number): 'ready' | 'backoff' | 'ejected' {
    throw new Error('not implemented');
  }
}
