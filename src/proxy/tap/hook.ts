// The seam between the request path and tap: exchanges ask the hook whether any tap is open (a field read)
// and only then describe the request. Everything else about tap lives behind this interface.
import type { Direction } from '../metrics/proxy-metrics.js';
import type { LabelSet } from '../metrics/prometheus-text.js';

export type HeaderBag = Readonly<Record<string, string | string[] | number | undefined>>;

export interface TapRequestInfo {
  readonly direction: Direction;
  readonly sourceIp: string;
  readonly sourcePort: number;
  readonly destinationIp: string;
  readonly destinationPort: number;
  /** Labels of the destination endpoint (workload, pod, …) as discovery gave them. */
  readonly destinationLabels: LabelSet;
  readonly tls: boolean;
  /** The client's verified mesh identity (inbound requests over mTLS). */
  readonly clientIdentity: string | undefined;
  /** The server's identity the proxy verified (outbound requests over mTLS). */
  readonly serverIdentity: string | undefined;
  readonly method: string;
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly route: string;
  readonly headers: HeaderBag;
}

/** One tapped request: told when its response starts and ends. */
export interface TapExchange {
  responseStarted(status: number, headers: HeaderBag): void;
  /** `resetCode` non-zero when the exchange ended in an error or reset instead of a complete response. */
  responseEnded(
    grpcStatus: number | undefined,
    responseBytes: number,
    trailers: HeaderBag | undefined,
    resetCode: number,
  ): void;
}

export interface TapHook {
  /** True while at least one tap is open. Checked on every request, so it must be cheap. */
  active: boolean;
  /** Describes a request to the open taps; returns undefined when none wants it. */
  start(info: TapRequestInfo): TapExchange | undefined;
}

export const NO_TAP: TapHook = { active: false, start: () => undefined };
