// Power of two choices: pick two distinct available endpoints at random and take the cheaper one.
import type { PeakEwma } from './peak-ewma.js';

export interface Balanceable {
  readonly load: PeakEwma;
  /** False while the endpoint is backed off after a connect failure or ejected by failure accrual. */
  available(now: number): boolean;
}

/**
 * Chooses an endpoint among the available ones: none → undefined; one → it; otherwise two distinct ones
 * drawn with `random()` (values in [0, 1)) and the lower cost() wins (ties: the first drawn). When every
 * endpoint is unavailable, falls back to choosing among all of them, so that a fully backed-off set still
 * gets probed rather than failing every request. Does not allocate on the common path.
 */
export function pickP2c<T extends Balanceable>(
  _endpoints: readonly T[],
  _random: () => number,
  _now: number,
): T | undefined {
  throw new Error('not implemented');
}
