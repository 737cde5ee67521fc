// One upstream address: its HTTP/1 pool and HTTP/2 sessions (created on first use), its load estimate and
// health for the balancer, whether traffic to it is mesh mTLS, and its metric series per authority, built
// once and reused by every request.
import type net from 'node:net';
import { Pool } from './undici-pool.js';
import { type HostPort, formatHostPort } from '../../common/address.js';
import { EndpointHealth } from '../balance/backoff.js';
import type { Balanceable } from '../balance/p2c.js';
import { type Clock, PeakEwma, DEFAULT_DECAY_MS, DEFAULT_RTT_MS } from '../balance/peak-ewma.js';
import type { ProxyIdentity } from '../identity/client.js';
import type { Direction, HttpSeries, ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { TcpSeries } from '../metrics/tcp-series.js';
import type { LabelSet } from '../metrics/prometheus-text.js';
import { OPAQUE_ALPN } from '../tls/peer.js';
import { type MeshTlsTarget, connect, openConnection } from './connector.js';
import { H2SessionPool } from './h2-sessions.js';

export interface EndpointDeps {
  readonly direction: Direction;
  readonly metrics: ProxyMetrics;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  /** This proxy's identity, when it has one: meshed endpoints are then reached over mTLS. */
  readonly identity?: ProxyIdentity | undefined;
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
  /** The tls metric label of traffic to this endpoint: "true" when it is originated as mesh mTLS. */
  tls = 'false';
  private meshTls: MeshTlsTarget | undefined;
  private h1Pool: Pool | undefined;
  private h2Pool: H2SessionPool | undefined;
  /** authority → client identity ('' for none) → series. */
  private readonly series = new Map<string, Map<string, HttpSeries>>();

  constructor(
    readonly address: HostPort,
    private readonly deps: EndpointDeps,
    meta: EndpointMeta = NO_META,
  ) {
    this.key = formatHostPort(address);
    this.meta = meta;
    this.load = new PeakEwma({ defaultRttMs: DEFAULT_RTT_MS, decayMs: DEFAULT_DECAY_MS }, deps.clock);
    this.health = new EndpointHealth(deps.clock, deps.random);
    this.applyTls();
  }

  /** Discovery changed what it knows about the endpoint: series pick up new labels, pools a new peer identity. */
  setMeta(meta: EndpointMeta): void {
    if (JSON.stringify(meta.labels) !== JSON.stringify(this.meta.labels)) this.series.clear();
    const identityChanged = meta.identity !== this.meta.identity;
    this.meta = meta;
    if (identityChanged) {
      this.series.clear();
      // Connections made for the old identity must not be reused.
      void this.close();
      this.applyTls();
    }
  }

  private applyTls(): void {
    const { identity } = this.deps;
    const peer = this.meta.identity;
    this.meshTls =
      identity !== undefined && peer !== undefined
        ? { peerIdentity: peer, context: () => identity.clientContext() }
        : undefined;
    this.tls = this.meshTls ? 'true' : 'false';
  }

  available(now: number): boolean {
    return this.health.available(now);
  }

  /**
   * The HTTP series for requests of `authority` sent to this endpoint. `clientIdentity` is set on the inbound
   * side for requests that arrived over mesh mTLS: they are labelled tls="true" and client_id.
   */
  seriesFor(authority: string, clientIdentity = ''): HttpSeries {
    let byClient = this.series.get(authority);
    if (byClient === undefined) {
      byClient = new Map<string, HttpSeries>();
      this.series.set(authority, byClient);
    }
    let s = byClient.get(clientIdentity);
    if (s === undefined) {
      const { metrics, direction } = this.deps;
      if (clientIdentity !== '') {
        s = metrics.http(direction, authority, this.key, 'true', {
          ...this.meta.labels,
          client_id: clientIdentity,
        });
      } else {
        const extra =
          this.meta.identity && this.tls === 'true'
            ? { ...this.meta.labels, server_id: this.meta.identity }
            : this.meta.labels;
        s = metrics.http(direction, authority, this.key, this.tls, extra);
      }
      byClient.set(clientIdentity, s);
    }
    return s;
  }

  /**
   * The TCP series of connections to this endpoint, labelled with what discovery says about it (dst_…,
   * and server_id over mTLS) so that the metrics API can draw edges between workloads.
   */
  private tcpSeries(): TcpSeries {
    const extra =
      this.meta.identity && this.tls === 'true'
        ? { ...this.meta.labels, server_id: this.meta.identity }
        : this.meta.labels;
    return this.deps.metrics.tcp(this.deps.direction, 'dst', this.key, this.tls, extra);
  }

  h1(): Pool {
    if (this.h1Pool === undefined) {
      const tcp = this.tcpSeries();
      const { address, deps, meshTls } = this;
      this.h1Pool = new Pool(`http://${this.key}`, {
        connect: (_opts, callback) =>
          openConnection(
            { address, timeoutMs: deps.connectTimeoutMs, tcp, tls: meshTls, alpn: 'http/1.1' },
            (err, socket) => {
              if (socket === null) callback(err ?? new Error('connect failed'), null);
              else callback(null, socket);
            },
          ),
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
      this.tcpSeries(),
      this.meshTls,
    );
    return this.h2Pool;
  }

  /** A connection for opaque TCP: mesh mTLS (with the opaque ALPN) to meshed endpoints, plain TCP otherwise. */
  connectOpaque(): Promise<net.Socket> {
    return connect({
      address: this.address,
      timeoutMs: this.deps.connectTimeoutMs,
      tcp: this.tcpSeries(),
      tls: this.meshTls,
      alpn: OPAQUE_ALPN,
      halfOpen: true,
    });
  }

  /** Stops using the endpoint: in-flight requests finish, pooled connections close. */
  async close(): Promise<void> {
    this.h2Pool?.close();
    this.h2Pool = undefined;
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
