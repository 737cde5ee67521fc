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
import { forwardTcp } from '../tcp/forward.js';
import type { ProxyIdentity } from '../identity/client.js';
import { OPAQUE_ALPN, setPeerIdentity } from '../tls/peer.js';
import { peekSni } from '../tls/sni-peek.js';
import { MeshTlsTerminator } from '../tls/terminate.js';
import { setOriginalTarget } from './original-target.js';

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
  /**
   * Where opaque (and the app's own TLS) connections go, given the connection's original destination (in
   * transparent mode); undefined or an error when they have nowhere to go.
   */
  readonly opaqueTarget: (target: HostPort | undefined) => OpaqueTarget | Promise<OpaqueTarget>;
  /** Inbound only: terminate mesh mTLS addressed to this identity. */
  readonly meshTls?: MeshTlsServer | undefined;
  /** Transparent mode (iptables redirects connections here); undefined for the local mode. */
  readonly transparent?: TransparentListening | undefined;
}

/** The original-destination layer of a listener that iptables redirects connections to. */
export interface TransparentListening {
  /** Where a redirected connection was addressed (SO_ORIGINAL_DST); undefined when it was not redirected. */
  readonly originalDst: (socket: net.Socket) => HostPort | undefined;
  /** Original destination ports whose connections skip protocol detection (redirected connections only). */
  readonly opaquePorts: ReadonlySet<number>;
}

export interface MeshTlsServer {
  readonly identity: ProxyIdentity;
  /** Counts and logs a refused handshake. */
  refused(reason: string, peerIdentity: string | undefined): void;
}

export class ProxyListener {
  readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private terminator: MeshTlsTerminator | undefined;

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

  /**
   * Stops accepting; connections already open carry on. (close() stops listening at once; its callback
   * would wait for every connection to end, which is what draining is for, so it is not awaited.)
   */
  stopAccepting(): void {
    if (this.server.listening) this.server.close();
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
    // Original destination: read at accept, while the fd is certainly this socket's.
    const target = options.transparent?.originalDst(socket);
    if (target !== undefined) setOriginalTarget(socket, target);
    const opaque = target === undefined ? options.opaque : options.transparent?.opaquePorts.has(target.port);
    if (opaque && target !== undefined && options.meshTls !== undefined) {
      // An opaque port still carries mesh mTLS from meshed clients: no HTTP detection, but look for it.
      void this.acceptOpaqueMeshed(socket, options.meshTls, target);
      return;
    }
    if (opaque) {
      this.track(socket, 'false');
      this.forwardOpaque(socket, target);
      return;
    }
    void peekProtocol(socket, options.detectTimeoutMs).then(async (result) => {
      switch (result.protocol) {
        case 'http1':
          this.track(socket, 'false');
          options.h1.accept(socket);
          break;
        case 'http2':
          this.track(socket, 'false');
          options.h2.accept(socket);
          break;
        case 'closed':
          this.track(socket, 'false');
          socket.destroy();
          break;
        case 'tls':
          if (options.meshTls !== undefined) {
            const sni = await peekSni(socket, options.detectTimeoutMs);
            if (sni === options.meshTls.identity.identity) {
              await this.terminate(socket, options.meshTls, target);
              break;
            }
          }
          // The app's own TLS: pass it through untouched.
          this.track(socket, 'false');
          this.forwardOpaque(socket, target);
          break;
        default:
          if (result.timedOut) {
            options.logger.debug({ listener: options.name }, 'detect timeout: forwarding as opaque TCP');
          }
          this.track(socket, 'false');
          this.forwardOpaque(socket, target);
      }
    });
  }

  private track(socket: net.Socket, tls: string): void {
    const { options } = this;
    options.metrics.tcp(options.direction, 'src', formatHostPort(options.address), tls).track(socket);
  }

  /** Transparent mode, opaque port: mesh mTLS when the client's ClientHello names this proxy, else raw TCP. */
  private async acceptOpaqueMeshed(socket: net.Socket, mesh: MeshTlsServer, target: HostPort): Promise<void> {
    const sni = await peekSni(socket, this.options.detectTimeoutMs);
    if (sni === mesh.identity.identity) {
      await this.terminate(socket, mesh, target);
      return;
    }
    this.track(socket, 'false');
    this.forwardOpaque(socket, target);
  }

  /** Mesh mTLS for this proxy: verify the client, then serve what it speaks inside (by ALPN). */
  private async terminate(
    socket: net.Socket,
    mesh: MeshTlsServer,
    target: HostPort | undefined,
  ): Promise<void> {
    if (mesh.identity.serverContext() === undefined) {
      mesh.refused('this proxy has no certificate yet', undefined);
      socket.destroy();
      return;
    }
    this.terminator ??= new MeshTlsTerminator(() => mesh.identity.serverContext());
    const result = await this.terminator.terminate(socket);
    if (!result.ok) {
      mesh.refused(result.reason, result.peerIdentity);
      return;
    }
    const tlsSocket = result.socket;
    this.track(socket, 'true');
    setPeerIdentity(tlsSocket, result.peerIdentity);
    if (target !== undefined) setOriginalTarget(tlsSocket, target);
    tlsSocket.on('error', () => undefined);
    if (result.alpn === 'h2') this.options.h2.accept(tlsSocket);
    else if (result.alpn === OPAQUE_ALPN) this.forwardOpaque(tlsSocket, target);
    else this.options.h1.accept(tlsSocket);
  }

  private forwardOpaque(socket: net.Socket, target: HostPort | undefined): void {
    const decision = this.options.opaqueTarget(target);
    if (decision instanceof Promise) {
      void decision.then((t) => this.forwardOpaqueTo(socket, t));
    } else {
      this.forwardOpaqueTo(socket, decision);
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
      const upstream = await ep.connectOpaque();
      ep.health.recordConnectSuccess();
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
