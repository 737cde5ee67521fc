// Service profiles as the proxy uses them: routes compiled once per update (regexes anchored to the whole
// path), matched per request in order; a matched route names the request and decides retries, timeout and
// how its responses are classified.
import type { DestinationProfile } from '../../api/gen/destination.js';
import { RetryBudget } from './retry-budget.js';

export interface ProfileRoute {
  readonly name: string;
  readonly method: string | undefined;
  readonly path: RegExp | undefined;
  readonly isRetryable: boolean;
  readonly timeoutMs: number;
  readonly responseClasses: readonly { statusMin: number; statusMax: number; isFailure: boolean }[];
}

export interface Profile {
  readonly routes: readonly ProfileRoute[];
  /** Shared by every request of the authority: retries are budgeted per service, not per request. */
  readonly budget: RetryBudget;
}

/** Compiles a profile message; routes with an invalid regex are dropped (and reported through onInvalid). */
export function compileProfile(
  msg: DestinationProfile,
  onInvalid: (route: string, err: Error) => void,
): Profile {
  const routes: ProfileRoute[] = [];
  for (const r of msg.routes) {
    let path: RegExp | undefined;
    const source = r.condition?.pathRegex ?? '';
    if (source !== '') {
      try {
        path = new RegExp(`^(?:${source})$`);
      } catch (err) {
        onInvalid(r.name, err as Error);
        continue;
      }
    }
    const method = r.condition?.method ? r.condition.method.toUpperCase() : undefined;
    routes.push({
      name: r.name,
      method,
      path,
      isRetryable: r.isRetryable,
      timeoutMs: r.timeoutMs,
      responseClasses: r.responseClasses,
    });
  }
  const b = msg.retryBudget;
  return {
    routes,
    budget: new RetryBudget({
      retryRatio: b?.retryRatio ?? 0.2,
      minRetriesPerSecond: b?.minRetriesPerSecond ?? 10,
      ttlMs: b?.ttlMs || 10_000,
    }),
  };
}

/** The first route whose method and path match; `path` may carry a query string, which is ignored. */
export function matchRoute(profile: Profile, method: string, path: string): ProfileRoute | undefined {
  if (profile.routes.length === 0) return undefined;
  const q = path.indexOf('?');
  const bare = q === -1 ? path : path.slice(0, q);
  for (const r of profile.routes) {
    if (r.method !== undefined && r.method !== method) continue;
    if (r.path !== undefined && !r.path.test(bare)) continue;
    return r;
  }
  return undefined;
}

/** Failure classification with a route's response classes (first match wins), else the default rule. */
export function classifyResponse(
  route: ProfileRoute | undefined,
  status: number,
  grpcStatus: number | undefined,
): boolean {
  if (route !== undefined) {
    for (const c of route.responseClasses) {
      if (status >= c.statusMin && status <= c.statusMax) return c.isFailure;
    }
  }
  if (grpcStatus !== undefined) return grpcStatus !== 0;
  return status >= 500;
}
