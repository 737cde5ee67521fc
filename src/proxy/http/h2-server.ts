// The HTTP/2 side of a listener: Node's http2 server on detected prior-knowledge connections, one
// exchange per stream. Concurrent streams per connection are bounded (Node's default is 2^32-1).
import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { normalizeAuthority } from '../../common/address.js';
import { ProxyError } from '../errors.js';
import { inferRoute } from '../route/infer.js';
import type { HttpContext, RouteDecision } from './context.js';
import { H2Exchange } from './h2-forward.js';
import { isGrpcContentType } from './headers.js';
import type { RequestPlan } from './plan.js';
import { matchRoute } from '../route/profile.js';
import { peerIdentityOf, setPeerIdentity } from '../tls/peer.js';
import { originalTargetOf, setOriginalTarget } from '../accept/original-target.js';
import type { HostPort } from '../../common/address.js';

const { NGHTTP2_FLAG_END_STREAM } = http2.constants;

export const MAX_CONCURRENT_STREAMS = 256;

export class H2Listener {
  readonly server: http2.Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  /** The client identity of the connection being accepted (sessions are created synchronously in emit). */
  private accepting: string | undefined;
  /** Likewise the original destination of the connection being accepted (transparent mode). */
  private acceptingTarget: HostPort | undefined;

  constructor(private readonly ctx: HttpContext) {
    this.server = http2.createServer({
      settings: {
        maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
        initialWindowSize: 1 << 20,
        enablePush: false,
      },
      maxSessionRejectedStreams: 100,
      maxSessionInvalidFrames: 1000,
    });
    this.server.on('session', (session: ServerHttp2Session) => {
      // session.socket is a proxy object, not the socket: the identity is keyed on the session itself.
      if (this.accepting !== undefined) setPeerIdentity(session, this.accepting);
      if (this.acceptingTarget !== undefined) setOriginalTarget(session, this.acceptingTarget);
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      session.on('error', () => undefined);
      session.once('connect', () => session.setLocalWindowSize(8 << 20));
    });
    this.server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number) =>
      this.onStream(stream, headers, flags),
    );
  }

  accept(socket: net.Socket | Duplex): void {
    this.accepting = peerIdentityOf(socket);
    this.acceptingTarget = originalTargetOf(socket);
    try {
      this.server.emit('connection', socket);
    } finally {
      this.accepting = undefined;
      this.acceptingTarget = undefined;
    }
  }

  /** Sends GOAWAY on every connection: streams in flight finish, clients open new connections elsewhere. */
  drain(): void {
    for (const s of this.sessions) s.close();
  }

  closeAll(): void {
    for (const s of this.sessions) s.destroy();
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number): void {
    const authority = normalizeAuthority(headers[':authority'] ?? headers.host);
    const decision = this.ctx.router.route(authority, stream.session);
    if (decision instanceof Promise) {
      decision.then(
        (d) => this.forward(stream, headers, flags, authority, d),
        (err: unknown) =>
          this.forward(stream, headers, flags, authority, new ProxyError('MESH_UPSTREAM_ERROR', String(err))),
      );
    } else {
      this.forward(stream, headers, flags, authority, decision);
    }
  }

  private forward(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flags: number,
    authority: string | undefined,
    decision: RouteDecision,
  ): void {
    if (stream.destroyed) return;
    const { ctx } = this;
    const label = authority ?? '';
    const isGrpc = isGrpcContentType(headers['content-type']);
    const method = headers[':method'] ?? 'GET';
    const path = headers[':path'] ?? '/';
    const profile = authority === undefined ? undefined : ctx.router.profile?.(authority);
    const profileRoute = profile === undefined ? undefined : matchRoute(profile, method, path);
    const routeLabel = profileRoute?.name ?? inferRoute(method, path, isGrpc);
    const plan: RequestPlan = {
      route: ctx.metrics.route(ctx.direction, label, routeLabel),
      routeLabel,
      profileRoute,
      // Retries are HTTP/1-only for now: a stream's body would have to be kept to be replayed.
      budget: undefined,
      timeoutMs: profileRoute?.timeoutMs || ctx.responseTimeoutMs,
    };
    const ended = (flags & NGHTTP2_FLAG_END_STREAM) !== 0 || stream.readableEnded;
    const picker = decision instanceof ProxyError ? NO_PICKER : decision;
    const ex = new H2Exchange(stream, headers, ended, ctx, picker, label, plan, isGrpc);
    if (decision instanceof ProxyError) ex.rejectWith(decision);
    else ex.start();
  }
}

const NO_PICKER = { authority: '', pick: () => undefined };
