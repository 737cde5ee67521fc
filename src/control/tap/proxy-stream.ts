// One proxy's side of a watch: a Tap.Observe stream to the proxy's tap listener that is reopened with
// jittered exponential backoff whenever it fails or ends, until the watch lets go of it. Channels to the
// same proxy are shared between watches.
import * as grpc from '@grpc/grpc-js';
import { type HostPort, formatHostPort } from '../../common/address.js';
import { quoteForLog } from '../../common/log-quote.js';
import type { Logger } from '../../common/logger.js';
import { TapClient, type ObserveRequest, type TapEvent } from '../../api/gen/tap.js';

export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
}

export const RECONNECT_BACKOFF: Backoff = { minMs: 250, maxMs: 10_000 };

/** delay n = min(maxMs, minMs × 2^n) × [0.5, 1.5): spreads out the retries of many watches. */
export function reconnectDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(attempt, 30));
  return base * (0.5 + Math.min(Math.max(random(), 0), 1));
}

/** Reference-counted TapClients, one per proxy address. */
export class TapClients {
  private readonly clients = new Map<string, { client: TapClient; refs: number }>();

  constructor(private readonly credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {}

  /**
   * The client for a proxy's tap listener. Over mTLS the proxy's certificate must carry `identity` (the
   * instance's workload identity): the channel names it as the TLS server name, so the handshake checks it.
   */
  acquire(address: string, identity?: string): TapClient {
    const key = `${address}|${identity ?? ''}`;
    let entry = this.clients.get(key);
    if (entry === undefined) {
      const options: grpc.ClientOptions =
        identity === undefined
          ? {}
          : { 'grpc.ssl_target_name_override': identity, 'grpc.default_authority': identity };
      entry = { client: new TapClient(address, this.credentials, options), refs: 0 };
      this.clients.set(key, entry);
    }
    entry.refs++;
    return entry.client;
  }

  release(address: string, identity?: string): void {
    const key = `${address}|${identity ?? ''}`;
    const entry = this.clients.get(key);
    if (entry === undefined) return;
    if (--entry.refs === 0) {
      this.clients.delete(key);
      entry.client.close();
    }
  }

  closeAll(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}

export interface ProxyStreamOptions {
  /** Names the proxy in the merged stream and in logs (namespace/pod). */
  readonly key: string;
  readonly address: HostPort;
  /** The identity the proxy's tap listener must present (over mTLS). */
  readonly identity?: string;
  /** The request for each (re)open: the rate share may change between opens. */
  readonly request: () => ObserveRequest;
  readonly clients: TapClients;
  readonly logger: Logger;
  readonly backoff?: Backoff;
  readonly random?: () => number;
  readonly onEvent: (event: TapEvent) => void;
  /** The stream ended or failed: events of requests it had begun will not be completed. */
  readonly onReset: () => void;
}

const QUIET_CODES: ReadonlySet<grpc.status> = new Set([
  grpc.status.OK,
  grpc.status.UNAVAILABLE,
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
]);

export class ProxyStream {
  /** True while an Observe stream is established (the proxy answered with headers). */
  connected = false;
  private call: grpc.ClientReadableStream<TapEvent> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private readonly target: string;
  private readonly client: TapClient;

  constructor(private readonly o: ProxyStreamOptions) {
    this.target = formatHostPort(o.address);
    this.client = o.clients.acquire(this.target, o.identity);
  }

  start(): void {
    this.open();
  }

  /** Cancels the proxy's stream (the proxy then forgets the tap) and stops reconnecting. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.call?.cancel();
    this.call = undefined;
    this.o.clients.release(this.target, this.o.identity);
  }

  private open(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const call = this.client.observe(this.o.request());
    this.call = call;
    call.on('metadata', () => {
      this.connected = true;
      this.attempt = 0;
    });
    call.on('data', (event: TapEvent) => {
      if (this.call === call) this.o.onEvent(event);
    });
    // Errors arrive again as 'status'; the listener only keeps them from being thrown.
    call.on('error', () => undefined);
    call.on('status', (status: grpc.StatusObject) => {
      if (this.call !== call) return;
      this.call = undefined;
      this.connected = false;
      this.o.onReset();
      if (this.stopped) return;
      const delay = reconnectDelay(
        this.attempt++,
        this.o.backoff ?? RECONNECT_BACKOFF,
        this.o.random ?? Math.random,
      );
      // A proxy that is down or restarting is routine; a proxy refusing the request is worth a warning.
      const routine = QUIET_CODES.has(status.code);
      this.o.logger[routine ? 'debug' : 'warn'](
        {
          proxy: quoteForLog(this.o.key),
          code: grpc.status[status.code],
          details: quoteForLog(status.details),
          delayMs: Math.round(delay),
        },
        'tap stream to proxy ended; reopening',
      );
      this.timer = setTimeout(() => this.open(), delay);
    });
  }
}
