// The HTTP/1.1 side of a listener: Node's server parses requests from detected connections (llhttp
// refuses conflicting framing with 400), this module checks what Node lets through (duplicate Host,
// absolute-form targets that disagree with Host), routes the request, and starts its exchange.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { http } from '../../common/node-http.js';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { normalizeAuthority } from '../../common/address.js';
import { ProxyError, PROXY_ERROR_HEADER } from '../errors.js';
import { OTHER_LABEL } from '../metrics/proxy-metrics.js';
import { inferRoute } from '../route/infer.js';
import type { HttpContext, RouteDecision } from './context.js';
import { H1Exchange } from './h1-forward.js';
import { forwardUpgrade } from './h1-upgrade.js';
import { h1RequestHeaders } from './headers.js';
import { MAX_RETRY_BODY_BYTES, type RequestPlan } from './plan.js';
import { matchRoute } from '../route/profile.js';
import { peerIdentityOf } from '../tls/peer.js';

const BAD_REQUEST_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_TIMEOUT: 408,
};

export class H1Listener {
  readonly server: Server;

  constructor(private readonly ctx: HttpContext) {
    this.server = http.createServer(
      {
        keepAliveTimeout: 30_000,
        headersTimeout: 30_000,
        // Uploads may legitimately take long; the proxy bounds header time, not body time.
        requestTimeout: 0,
        requireHostHeader: true,
      },
      (req, res) => this.onRequest(req, res),
    );
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) =>
      this.onClientError(err, socket),
    );
  }

  /** Takes over a connection whose first bytes were detected as HTTP/1 (and pushed back into it). */
  accept(socket: net.Socket | Duplex): void {
    this.server.emit('connection', socket);
    // The http server consumes the socket's handle directly; resuming lets the replayed bytes through first.
    socket.resume();
  }

  /** Stops keep-alive reuse: idle connections close now, busy ones after their current response. */
  drain(): void {
    this.server.closeIdleConnections();
  }

  closeAll(): void {
    this.server.closeAllConnections();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const problem = checkRequest(req);
    if (problem !== undefined) {
      this.reject(req, res, new ProxyError('MESH_BAD_REQUEST', problem));
      return;
    }
    const authority = normalizeAuthority(req.headers.host);
    const decision = this.ctx.router.route(authority, req.socket);
    if (decision instanceof Promise) {
      decision.then(
        (d) => this.forward(req, res, authority, d),
        (err: unknown) =>
          this.forward(req, res, authority, new ProxyError('MESH_UPSTREAM_ERROR', String(err))),
      );
    } else {
      this.forward(req, res, authority, decision);
    }
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    authority: string | undefined,
    decision: RouteDecision,
  ): void {
    const { ctx } = this;
    const label = authority ?? '';
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const profile = authority === undefined ? undefined : ctx.router.profile?.(authority);
    const profileRoute = profile === undefined ? undefined : matchRoute(profile, method, url);
    const routeLabel = profileRoute?.name ?? inferRoute(method, url, false);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const length = Number(req.headers['content-length'] ?? 0);
    const hasBody = chunked || length > 0;
    // Only a profile can make a request retryable, and only if its body is small enough to keep.
    const retryable = profileRoute?.isRetryable === true && !chunked && length <= MAX_RETRY_BODY_BYTES;
    const plan: RequestPlan = {
      route: ctx.metrics.route(ctx.direction, label, routeLabel),
      routeLabel,
      profileRoute,
      budget: retryable ? profile?.budget : undefined,
      timeoutMs: profileRoute?.timeoutMs || ctx.responseTimeoutMs,
    };
    const clientId = peerIdentityOf(req.socket);
    const headers = h1RequestHeaders(req.rawHeaders, req.headers.connection, clientId);
    if (decision instanceof ProxyError) {
      const ex = new H1Exchange(req, res, ctx, NO_PICKER, label, plan, headers, null);
      ex.rejectWith(decision);
      req.resume();
      return;
    }
    if (!hasBody) {
      new H1Exchange(req, res, ctx, decision, label, plan, headers, null).start();
    } else if (!retryable) {
      new H1Exchange(req, res, ctx, decision, label, plan, headers, 'stream').start();
    } else {
      // A retryable request's body is kept (it is at most 64 KiB) so that it can be sent again.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('end', () =>
        new H1Exchange(req, res, ctx, decision, label, plan, headers, Buffer.concat(chunks)).start(),
      );
    }
  }

  private reject(req: IncomingMessage, res: ServerResponse, err: ProxyError): void {
    const { ctx } = this;
    const plan: RequestPlan = {
      route: ctx.metrics.route(ctx.direction, OTHER_LABEL, 'invalid'),
      routeLabel: 'invalid',
      profileRoute: undefined,
      budget: undefined,
      timeoutMs: 0,
    };
    const ex = new H1Exchange(req, res, ctx, NO_PICKER, OTHER_LABEL, plan, [], null);
    // The connection cannot be trusted to frame another request correctly.
    res.shouldKeepAlive = false;
    ex.rejectWith(err);
    req.resume();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const problem = checkRequest(req);
    const decision =
      problem === undefined
        ? this.ctx.router.route(normalizeAuthority(req.headers.host), req.socket)
        : undefined;
    const proceed = (d: RouteDecision | undefined): void => {
      if (d === undefined || d instanceof ProxyError) {
        const err = d ?? new ProxyError('MESH_BAD_REQUEST', problem ?? 'bad upgrade request');
        socket.end(
          `HTTP/1.1 ${err.code === 'MESH_BAD_REQUEST' ? 400 : 503} Upgrade Failed\r\n${PROXY_ERROR_HEADER}: ${err.headerValue()}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
        );
        return;
      }
      forwardUpgrade(req, socket, head, d);
    };
    if (decision instanceof Promise) decision.then(proceed, () => proceed(undefined));
    else proceed(decision);
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    this.ctx.logger.debug({ err: err.message, code: err.code }, 'rejected malformed HTTP/1 request');
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = BAD_REQUEST_STATUS[err.code ?? ''] ?? 400;
    const route = this.ctx.metrics.route(this.ctx.direction, OTHER_LABEL, 'invalid');
    route.requests++;
    route.recordResponse(status, -1, true, 0);
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Bad Request'}\r\n${PROXY_ERROR_HEADER}: MESH_BAD_REQUEST: malformed request (${err.code ?? 'parse error'})\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    );
  }
}

/** Ambiguities Node's parser accepts but a proxy must not pass on (request smuggling, routing confusion). */
function checkRequest(req: IncomingMessage): string | undefined {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if ((req.rawHeaders[i] as string).toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) return 'more than one Host header';
  const url = req.url ?? '';
  if (!url.startsWith('/') && url !== '*') {
    const m = /^https?:\/\/([^/?#]*)/i.exec(url);
    if (!m) return 'request target is not origin-form';
    if (normalizeAuthority(m[1]) !== normalizeAuthority(req.headers.host)) {
      return 'absolute-form request target disagrees with the Host header';
    }
    req.url = url.slice(m[0].length) || '/';
  }
  return undefined;
}

/** Stands in for a picker when a request is rejected before routing. */
const NO_PICKER = { authority: '', pick: () => undefined };
