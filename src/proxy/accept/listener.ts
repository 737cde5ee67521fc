// One listening socket of the proxy: accepts connections, counts them, detects each one's protocol
// (unless its port is opaque) and hands it to the HTTP/1, HTTP/2 or opaque-TCP path.
import net from 'node:net';
import { type HostPort, formatHostPort } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import { peekProtocol } from '../detect/peek.js';
import type { EndpointPicker } from '../endpoint/picker.js';
import { ProxyError } from '../errors.js';
import type { H1Listener } from '../http/h1-server.js';
import type { H2Listener } from '../http/h2-server.js';
import type { Direction, ProxyMetrics } from '../metrics/proxy-metrics.js';
import { connectTcp, forwardTcp } from '../tcp/forward.js';

type OpaqueTarget = EndpointPicker | ProxyError | undefined;

export interface ListenerOptions {
  readonly name: string;
  readonly address: HostPort;
  readonly direction: Direction;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  readonly h1: H1Listener;
  readonly h2: H2Listener;
  readonly detectTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxConnectAttempts: number;
  /** True when connections here skip detection (the destination port is opaque). */
  readonly opaque: boolean;
  /** Where opaque (and, until mTLS, TLS) connections go; undefined or an error when they have nowhere to go. */
  readonly opaqueTarget: () => OpaqueTarget | Promise<OpaqueTarget>;
}

export class ProxyListener {
  readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly options: ListenerOptions) {
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
      this.onConnection(socket),
    );
  }

  async listen(): Promise<HostPort> {
    const { address } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(address.port, address.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = this.server.address() as net.AddressInfo;
    return { host: bound.address, port: bound.port };
  }

  /** Stops accepting; connections already open carry on. */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  openConnections(): number {
    return this.sockets.size;
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  private onConnection(socket: net.Socket): void {
    const { options } = this;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    options.metrics.tcp(options.direction, 'src', formatHostPort(options.address), 'false').track(socket);
    if (options.opaque) {
      this.forwardOpaque(socket);
      return;
    }
    void peekProtocol(socket, options.detectTimeoutMs).then((result) => {
      switch (result.protocol) {
        case 'http1':
          options.h1.accept(socket);
          break;
        case 'http2':
          options.h2.accept(socket);
          break;
        case 'closed':
          socket.destroy();
          break;
        default:
          if (result.timedOut)
            options.logger.debug({ listener: options.name }, 'detect timeout: forwarding as opaque TCP');
          this.forwardOpaque(socket);
      }
    });
  }

  private forwardOpaque(socket: net.Socket): void {
    const target = this.options.opaqueTarget();
    if (target instanceof Promise) {
      void target.then((t) => this.forwardOpaqueTo(socket, t));
    } else {
      this.forwardOpaqueTo(socket, target);
    }
  }

  private forwardOpaqueTo(socket: net.Socket, target: OpaqueTarget): void {
    if (target === undefined || target instanceof ProxyError) {
      this.options.logger.debug(
        { listener: this.options.name, reason: target?.message ?? 'no destination for opaque traffic' },
        'closing opaque connection',
      );
      socket.destroy();
      return;
    }
    void this.connectOpaque(socket, target, 0, undefined);
  }

  private async connectOpaque(
    socket: net.Socket,
    picker: EndpointPicker,
    attempt: number,
    avoid: ReturnType<EndpointPicker['pick']>,
  ): Promise<void> {
    const { options } = this;
    const ep = picker.pick(avoid);
    if (ep === undefined || socket.destroyed) {
      socket.destroy();
      return;
    }
    try {
      const upstream = await connectTcp(ep.address, options.connectTimeoutMs);
      ep.health.recordConnectSuccess();
      options.metrics.tcp(options.direction, 'dst', ep.key, ep.tls).track(upstream);
      forwardTcp(socket, upstream);
    } catch (err) {
      ep.health.recordConnectFailure();
      if (attempt + 1 < options.maxConnectAttempts) {
        await this.connectOpaque(socket, picker, attempt + 1, ep);
        return;
      }
      options.logger.debug({ target: ep.key, err: (err as Error).message }, 'opaque connect failed');
      socket.destroy();
    }
  }
}
