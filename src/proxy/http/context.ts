// What every HTTP forwarder needs from the proxy around it, passed once per listener.
import type { Logger } from '../../common/logger.js';
import type { Direction, ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { ProxyError } from '../errors.js';
import type { EndpointPicker } from '../endpoint/picker.js';
import type { TapHook } from '../tap/hook.js';
import type { Profile } from '../route/profile.js';

/** Where a request goes: a picker for its endpoints, or the reason it cannot go anywhere. */
export type RouteDecision = EndpointPicker | ProxyError;

export interface RequestRouter {
  /**
   * Decides a request's destination from its normalised authority (undefined when it had none). `connection`
   * (the request's socket or HTTP/2 session) carries the original destination in transparent mode.
   */
  route(authority: string | undefined, connection?: object): RouteDecision | Promise<RouteDecision>;
  /** The authority's service profile, if discovery gave one. */
  profile?(authority: string): Profile | undefined;
}

export interface HttpContext {
  readonly direction: Direction;
  readonly metrics: ProxyMetrics;
  readonly router: RequestRouter;
  readonly logger: Logger;
  /** Response-headers deadline in ms; 0 for none. */
  readonly responseTimeoutMs: number;
  /** Most connect attempts for one request before giving up (failover across endpoints). */
  readonly maxConnectAttempts: number;
  /** True once the proxy is draining: responses then ask clients to close their connections. */
  draining(): boolean;
  readonly tap: TapHook;
}
