// Resolves authorities through the control plane's Destination API: one Get (and GetProfile) stream per
// authority while it is in use. When the control plane goes away the last known endpoints stay in force
// and streams reconnect with jittered backoff; authorities unused for a while are dropped.
import * as grpc from '@grpc/grpc-js';
import { type HostPort, formatHostPort } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import { DestinationClient, type DestinationProfile, type Update } from '../../api/gen/destination.js';
import { backoffDelay } from '../balance/backoff.js';
import type { Clock } from '../balance/peak-ewma.js';
import type { PrometheusWriter } from '../metrics/prometheus-text.js';
import type { DiscoveredEndpoint, DiscoveryTrigger, ServiceDirectory } from '../outbound/directory.js';
import { compileProfile } from '../route/profile.js';

export interface DestinationDiscoveryOptions {
  readonly controlPlane: HostPort;
  /** Who is asking (namespace/workload), passed along as the context token. */
  readonly contextToken: string;
  /** Drop an authority's streams after this long without a request. */
  readonly idleTimeoutMs: number;
  /** How long a first request waits for the control plane's first answer before deciding without it. */
  readonly firstAnswerTimeoutMs: number;
  readonly directory: ServiceDirectory;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
}

// Capped at 10 s (at most 15 s with jitter): once the control plane is back, proxies should see changes made
// during the outage within seconds; with a 30 s cap a proxy could wait 45 s. A reconnect is one stream per
// authority, cheap even for many proxies, and the jitter spreads them.
const RECONNECT = { minMs: 500, maxMs: 10_000, jitter: 0.5 };

type WatchState = 'pending' | 'resolved' | 'unknown';

class Watch {
  state: WatchState = 'pending';
  lastUsed: number;
  /** True while the endpoints stream is established (has delivered since it was opened). */
  live = false;
  reconnects = 0;
  private endpoints = new Map<string, DiscoveredEndpoint>();
  private stream: grpc.ClientReadableStream<Update> | undefined;
  private profileStream: grpc.ClientReadableStream<DestinationProfile> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private snapshotPending = true;
  readonly firstAnswer: Promise<void>;
  private answered!: () => void;

  constructor(
    readonly authority: string,
    private readonly owner: DestinationDiscovery,
  ) {
    this.lastUsed = owner.options.clock.now();
    this.firstAnswer = new Promise<void>((resolve) => (this.answered = resolve));
    // A first request never waits forever for a control plane that is down.
    setTimeout(() => this.answered(), owner.options.firstAnswerTimeoutMs).unref();
    this.open();
  }

  private open(): void {
    if (this.closed) return;
    const { client, options } = this.owner;
    const request = { authority: this.authority, contextToken: options.contextToken };
    this.snapshotPending = true;
    const stream = client.get(request);
    this.stream = stream;
    stream.on('data', (u: Update) => this.onUpdate(u));
    stream.on('error', (err: grpc.ServiceError) => this.onStreamEnd(stream, err));
    stream.on('end', () => this.onStreamEnd(stream, undefined));
    const profiles = client.getProfile(request);
    this.profileStream = profiles;
    profiles.on('data', (p: DestinationProfile) => {
      const profile = compileProfile(p, (route, err) =>
        options.logger.warn(
          { authority: this.authority, route, err: err.message },
          'profile route ignored: invalid path regex',
        ),
      );
      options.directory.setProfile(this.authority, profile.routes.length > 0 ? profile : undefined);
    });
    // Profile stream failures are retried with the endpoints stream; the last profile stays in force.
    profiles.on('error', () => undefined);
  }

  private onUpdate(u: Update): void {
    const { options } = this.owner;
    this.owner.updates++;
    this.failures = 0;
    if (!this.live) {
      this.live = true;
      this.owner.noteConnected(true);
    }
    // The first message of every (re)opened stream is a full snapshot.
    if (this.snapshotPending) {
      this.endpoints = new Map();
      this.snapshotPending = false;
    }
    if (u.add !== undefined) {
      for (const a of u.add.addrs) {
        if (a.addr === undefined) continue;
        const address = { host: a.addr.ip, port: a.addr.port };
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries({ ...u.add.metricLabels, ...a.metricLabels }))
          labels[`dst_${k}`] = v;
        const identity = a.tlsIdentity?.dnsLikeIdentity;
        this.endpoints.set(formatHostPort(address), {
          address,
          meta: { labels, weight: a.weight || 1, ...(identity ? { identity } : {}) },
        });
      }
      this.state = 'resolved';
    }
    if (u.remove !== undefined) {
      for (const r of u.remove.addrs) this.endpoints.delete(formatHostPort({ host: r.ip, port: r.port }));
      this.state = 'resolved';
    }
    if (u.noEndpoints !== undefined) {
      this.endpoints.clear();
      this.state = u.noEndpoints.exists ? 'resolved' : 'unknown';
    }
    options.directory.setDiscovery(
      this.authority,
      this.state === 'unknown'
        ? { kind: 'unknown' }
        : { kind: 'resolved', endpoints: [...this.endpoints.values()] },
    );
    this.answered();
  }

  private onStreamEnd(stream: grpc.ClientReadableStream<Update>, err: grpc.ServiceError | undefined): void {
    if (this.stream !== stream || this.closed) return;
    this.stream = undefined;
    this.profileStream?.cancel();
    this.profileStream = undefined;
    if (this.live) {
      this.live = false;
      this.owner.noteConnected(false);
      this.owner.options.logger.warn(
        { authority: this.authority, err: err?.details ?? 'stream ended' },
        'lost the control plane: serving the last known endpoints',
      );
    }
    // Until the control plane answers again the directory keeps what it last said (or the static file).
    const delay = backoffDelay(this.failures++, RECONNECT, this.owner.options.random);
    this.reconnects++;
    this.owner.reconnects++;
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.retryTimer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.profileStream?.cancel();
    this.answered();
  }
}

export class DestinationDiscovery implements DiscoveryTrigger {
  readonly client: DestinationClient;
  private readonly watches = new Map<string, Watch>();
  private readonly sweeper: NodeJS.Timeout;
  updates = 0;
  reconnects = 0;
  private connected = false;

  constructor(readonly options: DestinationDiscoveryOptions) {
    this.client = new DestinationClient(
      formatHostPort(options.controlPlane),
      grpc.credentials.createInsecure(),
      {
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
        'grpc.keepalive_permit_without_calls': 1,
        'grpc.initial_reconnect_backoff_ms': 500,
        'grpc.max_reconnect_backoff_ms': 10_000,
      },
    );
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, options.idleTimeoutMs / 4));
    this.sweeper.unref();
  }

  watch(authority: string): Promise<void> {
    let w = this.watches.get(authority);
    if (w === undefined) {
      w = new Watch(authority, this);
      this.watches.set(authority, w);
      this.options.directory.setDiscovery(authority, { kind: 'pending' });
    }
    w.lastUsed = this.options.clock.now();
    return w.firstAnswer;
  }

  touch(authority: string): void {
    const w = this.watches.get(authority);
    if (w !== undefined) w.lastUsed = this.options.clock.now();
  }

  noteConnected(up: boolean): void {
    if (up === this.connected) return;
    this.connected = up;
    if (up)
      this.options.logger.info(
        { controlPlane: formatHostPort(this.options.controlPlane) },
        'connected to the control plane',
      );
  }

  isConnected(): boolean {
    return this.connected;
  }

  collect(w: PrometheusWriter): void {
    w.family(
      'control_plane_connected',
      'gauge',
      'Whether the Destination API is currently streaming to this proxy.',
    );
    w.sample('control_plane_connected', '', this.connected ? 1 : 0);
    w.family('destination_watches', 'gauge', 'Authorities resolved through the Destination API, by state.');
    const counts: Record<WatchState, number> = { pending: 0, resolved: 0, unknown: 0 };
    for (const watch of this.watches.values()) counts[watch.state]++;
    for (const state of ['pending', 'resolved', 'unknown'] as const) {
      w.sample('destination_watches', `state="${state}"`, counts[state]);
    }
    w.family('destination_updates_total', 'counter', 'Destination updates received.');
    w.sample('destination_updates_total', '', this.updates);
    w.family('destination_reconnects_total', 'counter', 'Destination streams re-opened after failing.');
    w.sample('destination_reconnects_total', '', this.reconnects);
  }

  snapshot(): { authority: string; state: WatchState; live: boolean; reconnects: number; idleMs: number }[] {
    const now = this.options.clock.now();
    return [...this.watches.values()].map((w) => ({
      authority: w.authority,
      state: w.state,
      live: w.live,
      reconnects: w.reconnects,
      idleMs: Math.round(now - w.lastUsed),
    }));
  }

  private sweep(): void {
    const now = this.options.clock.now();
    for (const [authority, w] of this.watches) {
      if (now - w.lastUsed < this.options.idleTimeoutMs) continue;
      w.close();
      this.watches.delete(authority);
      this.options.directory.setDiscovery(authority, undefined);
      this.options.directory.setProfile(authority, undefined);
      this.options.logger.debug({ authority }, 'dropped idle resolution');
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
    this.client.close();
  }
}
