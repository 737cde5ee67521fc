// One TapAPI.Watch: keeps an Observe stream open to every tappable instance of the target (following the
// registry as instances come and go), and merges their events into the caller's stream at the overall rate,
// dropping rather than queueing when the caller cannot keep up.
import { performance } from 'node:perf_hooks';
import { formatHostPort } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import type { Match, ObserveRequest, TapEvent } from '../../api/gen/tap.js';
import type { InstanceView, MeshRegistry } from '../registry/model.js';
import { EventMerger } from './merge.js';
import { ProxyStream, type Backoff, type TapClients } from './proxy-stream.js';
import type { TapTarget } from './resource.js';

/** The caller's side of a watch: the gRPC call, or a test's array. */
export interface WatchSink {
  /** Events accepted but not yet sent (the call's write buffer). */
  readonly buffered: number;
  write(event: TapEvent): void;
}

export interface WatchOptions {
  readonly registry: MeshRegistry;
  readonly target: TapTarget;
  readonly match: Match | undefined;
  /** Overall requests per second over all proxies (> 0). */
  readonly maxRps: number;
  readonly extractHeaders: boolean;
  readonly redactHeaders: readonly string[];
  readonly clients: TapClients;
  readonly logger: Logger;
  /** Require each proxy's tap listener to present its instance's identity (mTLS). */
  readonly verifyProxyIdentity?: boolean;
  readonly clock?: () => number;
  readonly backoff?: Backoff;
  /** Events buffered for the caller above which new requests are dropped (default 256; twice that for any). */
  readonly bufferLimit?: number;
}

export class TapWatch {
  eventsReceived = 0;
  eventsForwarded = 0;
  droppedBackpressure = 0;
  private readonly streams = new Map<string, ProxyStream>();
  private readonly merger: EventMerger;
  private readonly clock: () => number;
  private readonly soft: number;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly o: WatchOptions,
    private readonly sink: WatchSink,
  ) {
    this.clock = o.clock ?? (() => performance.now());
    this.merger = new EventMerger(o.maxRps, this.clock());
    this.soft = o.bufferLimit ?? 256;
  }

  start(): void {
    this.unsubscribe = this.o.registry.subscribe(() => this.sync());
    this.sync();
  }

  /** Proxies with an Observe stream open right now. */
  get connectedProxies(): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.connected) n++;
    return n;
  }

  get proxies(): readonly string[] {
    return [...this.streams.keys()];
  }

  get droppedMaxRps(): number {
    return this.merger.droppedMaxRps;
  }

  /** Cancels every proxy stream; the caller's stream is the caller's to end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const s of this.streams.values()) s.stop();
    this.streams.clear();
  }

  /** Opens streams to instances that joined the target, and cancels those to instances that left. */
  private sync(): void {
    if (this.closed) return;
    const wanted = new Map<string, InstanceView>();
    for (const inst of this.o.target.instances(this.o.registry)) {
      // Unmeshed instances have no tap listener: nothing to observe there.
      if (inst.tap === undefined) continue;
      wanted.set(`${inst.namespace}/${inst.name}@${formatHostPort(inst.tap)}`, inst);
    }
    for (const [key, stream] of this.streams) {
      if (wanted.has(key)) continue;
      stream.stop();
      this.streams.delete(key);
      this.merger.forgetProxy(key);
    }
    const added: ProxyStream[] = [];
    for (const [key, inst] of wanted) {
      if (this.streams.has(key)) continue;
      const stream = new ProxyStream({
        key,
        address: inst.tap as NonNullable<InstanceView['tap']>,
        ...(this.o.verifyProxyIdentity ? { identity: inst.identity } : {}),
        request: () => this.observeRequest(),
        clients: this.o.clients,
        logger: this.o.logger,
        ...(this.o.backoff ? { backoff: this.o.backoff } : {}),
        onEvent: (event) => this.forward(key, inst.name, event),
        onReset: () => this.merger.forgetProxy(key),
      });
      this.streams.set(key, stream);
      added.push(stream);
    }
    // Started once all are known, so that each one's rate share counts the others.
    for (const stream of added) stream.start();
  }

  /**
   * Each proxy gets an equal share of the overall rate (as Linkerd does), so the proxies together never
   * send much more than the caller will see; the merger enforces the overall rate exactly. The share is
   * fixed when a stream (re)opens, so an instance that joins later does not shrink the others' shares.
   */
  private observeRequest(): ObserveRequest {
    return {
      limit: 0,
      match: this.o.match,
      maxRps: this.o.maxRps / Math.max(1, this.streams.size),
      extractHeaders: this.o.extractHeaders,
      redactHeaders: [...this.o.redactHeaders],
    };
  }

  private forward(key: string, proxy: string, event: TapEvent): void {
    if (this.closed) return;
    this.eventsReceived++;
    const buffered = this.sink.buffered;
    const isNew = event.requestInit !== undefined;
    const room = buffered < this.soft;
    if (!this.merger.accept(key, event, this.clock(), room)) {
      if (isNew && !room) this.droppedBackpressure++;
      return;
    }
    if (!isNew && buffered >= this.soft * 2) {
      this.droppedBackpressure++;
      return;
    }
    event.proxy = proxy;
    this.sink.write(event);
    this.eventsForwarded++;
  }
}
