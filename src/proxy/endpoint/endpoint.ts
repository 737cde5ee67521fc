// One upstream address: its HTTP/1 pool and HTTP/2 sessions (created on first use), its load estimate and
// health for the balancer, and its metric series per authority, built once and reused by every request.
import { Pool } from 'undici';
import { type HostPort, formatHostPort } from '../../common/address.js';
import { EndpointHealth } from '../balance/backoff.js';
import type { Balanceable } from '../balance/p2c.js';
import { type Clock, PeakEwma, DEFAULT_DECAY_MS, DEFAULT_RTT_MS } from '../balance/peak-ewma.js';
import type { Direction, HttpSeries, ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { LabelSet } from '../metrics/prometheus-text.js';
import { openConnection } from './connector.js';
import { H2SessionPool } from './h2-sessions.js';

export interface EndpointDeps {
  readonly direction: Direction;
  readonly metrics: ProxyMetrics;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly random: () => number;
}

/** What discovery knows about an endpoint beyond its address. */
export interface EndpointMeta {
  /** Metric labels describing the destination (dst_workload, dst_namespace, …). */
  readonly labels: LabelSet;
  readonly weight: number;
  /** The identity the endpoint's proxy presents, when it is meshed. */
  readonly identity?: string;
}

export const NO_META: EndpointMeta = { labels: {}, weight: 1 };

export class Endpoint implements Balanceable {
  readonly key: string;
  readonly load: PeakEwma;
  readonly health: EndpointHealth;
  meta: EndpointMeta;
  private h1Pool: Pool | undefined;
  private h2Pool: H2SessionPool | undefined;
  private readonly series = new Map<string, HttpSeries>();
  /** Value of the tls label for traffic to this endpoint. */
  tls: string = 'false';

  constructor(
    readonly address: HostPort,
    private readonly deps: EndpointDeps,
    meta: EndpointMeta = NO_META,
  ) {
    this.key = formatHostPort(address);
    this.meta = meta;
    this.load = new PeakEwma({ defaultRttMs: DEFAULT_RTT_MS, decayMs: DEFAULT_DECAY_MS }, deps.clock);
    this.health = new EndpointHealth(deps.clock, deps.random);
  }

  /** Discovery changed what it knows about the endpoint: metric series pick up the new labels. */
  setMeta(meta: EndpointMeta): void {
    if (JSON.stringify(meta.labels) !== JSON.stringify(this.meta.labels)) this.series.clear();
    this.meta = meta;
  }

  available(now: number): boolean {
    return this.health.available(now);
  }

  /** The HTTP request/response series for requests of `authority` sent to this endpoint. */
  seriesFor(authority: string): HttpSeries {
    let s = this.series.get(authority);
    if (s === undefined) {
      s = this.deps.metrics.http(this.deps.direction, authority, this.key, this.tls, this.meta.labels);
      this.series.set(authority, s);
    }
    return s;
  }

  h1(): Pool {
    if (this.h1Pool === undefined) {
      const tcp = this.deps.metrics.tcp(this.deps.direction, 'dst', this.key, this.tls);
      const { address, deps } = this;
      this.h1Pool = new Pool(`http://${this.key}`, {
        connect: (_opts, callback) =>
          openConnection({ address, timeoutMs: deps.connectTimeoutMs, tcp }, (err, socket) => {
            if (socket === null) callback(err ?? new Error('connect failed'), null);
            else callback(null, socket);
          }),
        pipelining: 1,
        keepAliveTimeout: 10_000,
        headersTimeout: 0,
        bodyTimeout: 0,
        strictContentLength: true,
      });
    }
    return this.h1Pool;
  }

  h2(): H2SessionPool {
    this.h2Pool ??= new H2SessionPool(
      this.address,
      this.deps.connectTimeoutMs,
      this.deps.metrics.tcp(this.deps.direction, 'dst', this.key, this.tls),
    );
    return this.h2Pool;
  }

  /** Stops using the endpoint: in-flight requests finish, pooled connections close. */
  async close(): Promise<void> {
    this.h2Pool?.close();
    const pool = this.h1Pool;
    this.h1Pool = undefined;
    if (pool) await pool.close();
  }

  destroy(): void {
    this.h2Pool?.destroy();
    void this.h1Pool?.destroy();
    this.h1Pool = undefined;
  }
}
