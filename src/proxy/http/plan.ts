// What the proxy decided about a request before forwarding it: its route (metrics, classification), whether
// it may be retried and from which budget, and its deadline.
import type { RouteSeries } from '../metrics/proxy-metrics.js';
import type { ProfileRoute } from '../route/profile.js';
import type { RetryBudget } from '../route/retry-budget.js';

/** Request bodies larger than this are never buffered, so never retried. */
export const MAX_RETRY_BODY_BYTES = 64 * 1024;
/** Retries after the first attempt, at most (each also needs the budget's permission). */
export const MAX_RETRIES = 3;

export interface RequestPlan {
  readonly route: RouteSeries;
  readonly routeLabel: string;
  /** The service-profile route the request matched, if any. */
  readonly profileRoute: ProfileRoute | undefined;
  /** Set only when the request may be retried: the authority's shared budget. */
  readonly budget: RetryBudget | undefined;
  /** Deadline for response headers in ms from the request's start (all attempts together); 0 for none. */
  readonly timeoutMs: number;
}
