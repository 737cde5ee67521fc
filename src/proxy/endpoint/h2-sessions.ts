// HTTP/2 client sessions to one upstream address: one multiplexed session reused by every stream, replaced
// when it closes, errors or receives GOAWAY (streams already on it finish there).
import http2 from 'node:http2';
import type net from 'node:net';
import type { HostPort } from '../../common/address.js';
import { formatHostPort } from '../../common/address.js';
import type { TcpSeries } from '../metrics/proxy-metrics.js';
import { type MeshTlsTarget, openConnection } from './connector.js';

/**
 * A session plus whether its connection is established (TCP, and TLS when mesh mTLS): a stream that fails on a
 * never-connected session was not sent, so its request may go elsewhere.
 */
export class PooledSession {
  connected = false;
  private waiters: (() => void)[] = [];
  session!: http2.ClientHttp2Session;

  /** Runs `fn` once the connection is established (now, if it already is); never if it fails. */
  whenConnected(fn: () => void): void {
    if (this.connected) fn();
    else this.waiters.push(fn);
  }

  markConnected(): void {
    this.connected = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const fn of waiters) fn();
  }

  dropWaiters(): void {
    this.waiters = [];
  }
}

export class H2SessionPool {
  private current: PooledSession | undefined;
  private readonly all = new Set<PooledSession>();

  constructor(
    private readonly address: HostPort,
    private readonly connectTimeoutMs: number,
    private readonly tcp: TcpSeries,
    private readonly tls: MeshTlsTarget | undefined,
  ) {}

  /** The session new streams should use, created on first use or after the previous one went away. */
  session(): PooledSession {
    const cur = this.current;
    if (cur !== undefined && !cur.session.closed && !cur.session.destroyed) return cur;
    return this.open();
  }

  private open(): PooledSession {
    const authority = `http://${formatHostPort(this.address)}`;
    // http2.connect calls createConnection synchronously, so the state it updates must exist first.
    const pooled = new PooledSession();
    const session = http2.connect(authority, {
      createConnection: () => this.connect(pooled),
      settings: { enablePush: false, initialWindowSize: 1 << 20 },
      peerMaxConcurrentStreams: 1000,
    });
    pooled.session = session;
    // Note: for a TLS socket the session's 'connect' fires at TCP connect, before the handshake; "connected"
    // is therefore decided by the connector's callback, not by this event.
    session.once('connect', () => {
      // A bigger connection window than the 64 KiB default keeps many concurrent streams flowing.
      session.setLocalWindowSize(8 << 20);
    });
    const retire = (): void => {
      if (this.current === pooled) this.current = undefined;
    };
    session.once('goaway', retire);
    session.once('close', () => {
      retire();
      pooled.dropWaiters();
      this.all.delete(pooled);
    });
    session.on('error', retire);
    // Idle sessions must not keep the process alive or the pool from draining.
    session.unref();
    this.current = pooled;
    this.all.add(pooled);
    return pooled;
  }

  private connect(pooled: PooledSession): net.Socket {
    return openConnection(
      { address: this.address, timeoutMs: this.connectTimeoutMs, tcp: this.tcp, tls: this.tls, alpn: 'h2' },
      (err) => {
        if (err === null) pooled.markConnected();
      },
    );
  }

  /** Closes every session gracefully: streams in flight finish, new ones go elsewhere. */
  close(): void {
    this.current = undefined;
    for (const p of this.all) p.session.close();
  }

  destroy(): void {
    this.current = undefined;
    for (const p of this.all) p.session.destroy();
    this.all.clear();
  }
}
