// Power of two choices: pick two distinct available endpoints at random and take the cheaper one.
// Runs once per request, so it samples indices in place instead of building a filtered list.
import type { PeakEwma } from './peak-ewma.js';

export interface Balanceable {
  readonly load: PeakEwma;
  /** False while the endpoint is backed off after a connect failure or ejected by failure accrual. */
  available(now: number): boolean;
}

/**
 * Draws per pick before giving up on rejection sampling and counting the available endpoints instead. With
 * a quarter of the set unavailable, a draw fails all four times with probability 0.4 %.
 */
const MAX_DRAWS = 4;

/**
 * Chooses an endpoint among the available ones: none → undefined; one → it; otherwise two distinct ones
 * drawn with `random()` (values in [0, 1)) and the lower cost() wins (ties: the first drawn). When every
 * endpoint is unavailable, falls back to choosing among all of them, so that a fully backed-off set still
 * gets probed rather than failing every request. Does not allocate on the common path.
 */
export function pickP2c<T extends Balanceable>(
  endpoints: readonly T[],
  random: () => number,
  now: number,
): T | undefined {
  const n = endpoints.length;
  if (n === 0) return undefined;
  if (n === 1) return endpoints[0];

  // Common path: rejection-sample two distinct available indices. Each accepted draw is uniform over the
  // available endpoints (other than the first), which is what p2c needs.
  let a = -1;
  for (let i = 0; i < MAX_DRAWS; i++) {
    const k = randomIndex(random, n);
    if ((endpoints[k] as T).available(now)) {
      a = k;
      break;
    }
  }
  if (a >= 0) {
    for (let i = 0; i < MAX_DRAWS; i++) {
      const k = randomIndexExcept(random, n, a);
      if ((endpoints[k] as T).available(now)) return cheaper(endpoints[a] as T, endpoints[k] as T);
    }
  }
  return pickByScan(endpoints, random, now);
}

/**
 * The slow path, for sets where many endpoints are unavailable: count the available ones and draw ranks
 * among them, still without building a filtered array. Also uniform, so mixing it with the sampling path
 * does not bias the choice.
 */
function pickByScan<T extends Balanceable>(endpoints: readonly T[], random: () => number, now: number): T {
  const n = endpoints.length;
  let count = 0;
  for (let i = 0; i < n; i++) if ((endpoints[i] as T).available(now)) count++;

  if (count === 0) {
    // Everything is backed off or ejected: balance over all of them, so the request doubles as a probe.
    const a = randomIndex(random, n);
    return cheaper(endpoints[a] as T, endpoints[randomIndexExcept(random, n, a)] as T);
  }
  if (count === 1) return endpoints[nthAvailable(endpoints, now, 0)] as T;
  const ra = randomIndex(random, count);
  const rb = randomIndexExcept(random, count, ra);
  return cheaper(
    endpoints[nthAvailable(endpoints, now, ra)] as T,
    endpoints[nthAvailable(endpoints, now, rb)] as T,
  );
}

function nthAvailable<T extends Balanceable>(endpoints: readonly T[], now: number, rank: number): number {
  let seen = 0;
  for (let i = 0; i < endpoints.length; i++) {
    if ((endpoints[i] as T).available(now) && seen++ === rank) return i;
  }
  // Unreachable while availability does not change within one pick; degrade to the first endpoint.
  return 0;
}

/** Ties go to the first drawn, so a set of equal-cost endpoints is still chosen uniformly. */
function cheaper<T extends Balanceable>(first: T, second: T): T {
  return second.load.cost() < first.load.cost() ? second : first;
}

/** Uniform in [0, n); clamped so that a random source returning 1 cannot index past the end. */
function randomIndex(random: () => number, n: number): number {
  const k = Math.floor(random() * n);
  return k < n ? (k >= 0 ? k : 0) : n - 1;
}

/** Uniform in [0, n) without `except`: draw from n − 1 values and skip over the excluded one. */
function randomIndexExcept(random: () => number, n: number, except: number): number {
  const k = randomIndex(random, n - 1);
  return k >= except ? k + 1 : k;
}
