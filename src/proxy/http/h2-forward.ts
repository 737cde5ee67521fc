// Forwards one HTTP/2 stream (gRPC included) to an endpoint's multiplexed session: headers, body with flow
// control, trailers (grpc-status/grpc-message), resets in both directions, and grpc-timeout deadlines.
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream, type ClientHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { PooledSession } from '../endpoint/h2-sessions.js';
import type { EndpointPicker } from '../endpoint/picker.js';
import { ProxyError, PROXY_ERROR_HEADER, grpcStatusFor, httpStatusFor, toProxyError } from '../errors.js';
import { NO_GRPC_STATUS, type HttpSeries } from '../metrics/proxy-metrics.js';
import type { HttpContext } from './context.js';
import { grpcStatusOf, parseGrpcTimeout } from './grpc.js';
import { classifyResponse } from '../route/profile.js';
import type { RequestPlan } from './plan.js';
import { tapRequestInfo, unroutedSeries } from './exchange-common.js';
import { h2ForwardHeaders } from './headers.js';
import type { TapExchange } from '../tap/hook.js';
import { peerIdentityOf } from '../tls/peer.js';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;

export class H2Exchange {
  private endpoint: Endpoint | undefined;
  private series: HttpSeries | undefined;
  private up: ClientHttp2Stream | undefined;
  private readonly startedAt = performance.now();
  private rttStart = 0;
  private ttfbMs = -1;
  private status = 0;
  private grpcStatus: number | undefined;
  private trailers: IncomingHttpHeaders | undefined;
  /** True once the endpoint answered (its statuses feed failure accrual; the proxy's own errors do not). */
  private responded = false;
  private attempts = 0;
  private done = false;
  private deadline: NodeJS.Timeout | undefined;
  private tap: TapExchange | undefined;
  private responseBytes = 0;
  /** The verified mesh identity of the client, when the stream arrived over mesh mTLS. */
  private readonly clientId: string | undefined;

  constructor(
    private readonly down: ServerHttp2Stream,
    private readonly reqHeaders: IncomingHttpHeaders,
    private readonly requestEnded: boolean,
    private readonly ctx: HttpContext,
    private readonly picker: EndpointPicker,
    private readonly authorityLabel: string,
    private readonly plan: RequestPlan,
    private readonly isGrpc: boolean,
  ) {
    plan.route.requests++;
    this.clientId = peerIdentityOf(down.session);
    down.on('close', () => this.onDownstreamClose());
    down.on('error', () => undefined);
  }

  start(): void {
    const timeoutMs = this.isGrpc ? parseGrpcTimeout(this.reqHeaders['grpc-timeout']) : undefined;
    const limit = timeoutMs ?? (this.plan.timeoutMs > 0 ? this.plan.timeoutMs : undefined);
    if (limit !== undefined) {
      this.deadline = setTimeout(() => this.onDeadline(timeoutMs !== undefined), limit);
    }
    const ep = this.picker.pick();
    if (ep === undefined) {
      this.fail(new ProxyError('MESH_NO_ENDPOINTS', `no available endpoints for ${this.picker.authority}`));
      return;
    }
    this.attempt(ep);
  }

  rejectWith(err: ProxyError): void {
    this.fail(err);
  }

  private attempt(ep: Endpoint): void {
    this.attempts++;
    if (this.attempts === 1 && this.ctx.tap.active) this.startTap(ep);
    this.endpoint = ep;
    this.series = ep.seriesFor(this.authorityLabel, this.clientId);
    this.series.requests++;
    this.rttStart = ep.load.start();
    const pooled = ep.h2().session();
    let up: ClientHttp2Stream;
    try {
      up = pooled.session.request(h2ForwardHeaders(this.reqHeaders, this.clientId), {
        endStream: this.requestEnded,
        waitForTrailers: false,
      });
    } catch (err) {
      this.onUpstreamError(err, pooled);
      return;
    }
    this.up = up;
    up.on('response', (headers, flags) => this.onResponse(headers, flags));
    up.on('trailers', (trailers: IncomingHttpHeaders) => {
      this.trailers = trailers;
    });
    up.on('error', (err) => this.onUpstreamError(err, pooled));
    up.on('close', () => this.onUpstreamClose(up));
    if (!this.requestEnded) {
      // The body flows only once the session is up, so that a connect failure leaves it unread and the
      // request can move to another endpoint.
      pooled.whenConnected(() => {
        if (this.up === up) this.down.pipe(up);
      });
    }
  }

  private onResponse(headers: IncomingHttpHeaders, flags: number): void {
    if (this.done) return;
    const ep = this.endpoint as Endpoint;
    ep.load.finish(this.rttStart);
    ep.health.recordConnectSuccess();
    this.ttfbMs = performance.now() - this.startedAt;
    this.responded = true;
    this.status = Number(headers[':status']) || 0;
    const out = h2ForwardHeaders(headers);
    const up = this.up as ClientHttp2Stream;
    this.tap?.responseStarted(this.status, headers);
    if (this.tap !== undefined) up.on('data', (chunk: Buffer) => (this.responseBytes += chunk.length));
    if (flags & NGHTTP2_FLAG_END_STREAM) {
      // Trailers-only (typical for gRPC errors): the status is in the headers and there is no body.
      this.grpcStatus = grpcStatusOf(headers);
      this.down.respond(out, { endStream: true });
      this.finish(false);
      return;
    }
    this.down.respond(out, { waitForTrailers: true });
    this.down.once('wantTrailers', () => {
      const t = this.trailers;
      this.down.sendTrailers(t ? h2ForwardHeaders(t) : {});
    });
    up.pipe(this.down);
    up.once('end', () => {
      this.grpcStatus = grpcStatusOf(this.trailers) ?? (this.isGrpc ? grpcStatusOf(headers) : undefined);
      this.finish(false);
    });
  }

  private onUpstreamError(err: unknown, pooled: PooledSession): void {
    if (this.done) return;
    const ep = this.endpoint as Endpoint;
    if (this.ttfbMs >= 0) {
      this.finish(true);
      this.resetDownstream(NGHTTP2_CANCEL);
      return;
    }
    ep.load.cancel();
    const rst = this.up?.rstCode ?? NGHTTP2_NO_ERROR;
    if (pooled.connected && rst !== NGHTTP2_NO_ERROR) {
      // The upstream reset the stream before answering: pass the same reset on rather than inventing a status.
      this.finish(true);
      this.resetDownstream(rst);
      return;
    }
    if (!pooled.connected) {
      ep.health.recordConnectFailure();
      const bodyUntouched = this.requestEnded || !this.down.readableDidRead;
      const next =
        bodyUntouched && this.attempts < this.ctx.maxConnectAttempts ? this.picker.pick(ep) : undefined;
      if (next !== undefined) {
        (this.series as HttpSeries).requests--;
        this.detachUpstream();
        this.attempt(next);
        return;
      }
    }
    this.fail(toProxyError(err, ep.key));
  }

  private onUpstreamClose(up: ClientHttp2Stream): void {
    if (this.done || this.up !== up) return;
    const code = up.rstCode ?? NGHTTP2_NO_ERROR;
    if (this.ttfbMs < 0) {
      (this.endpoint as Endpoint).load.cancel();
      // Reset before any response: the upstream refused or cancelled the stream; pass the reset on.
      this.status = 0;
      this.finish(true);
      this.resetDownstream(code === NGHTTP2_NO_ERROR ? NGHTTP2_CANCEL : code);
      return;
    }
    if (code !== NGHTTP2_NO_ERROR) {
      this.finish(true);
      this.resetDownstream(code);
    }
  }

  private onDownstreamClose(): void {
    if (this.done) return;
    // The client reset or went away: cancel the upstream stream too, so no orphaned work remains.
    if (this.ttfbMs < 0) this.endpoint?.load.cancel();
    this.finish(true);
    this.up?.close(this.down.rstCode || NGHTTP2_CANCEL);
  }

  private onDeadline(isGrpcDeadline: boolean): void {
    if (this.done) return;
    const err = isGrpcDeadline
      ? new ProxyError('MESH_DEADLINE_EXCEEDED', 'grpc-timeout exceeded')
      : new ProxyError('MESH_RESPONSE_TIMEOUT', `no response headers in ${this.plan.timeoutMs} ms`);
    this.up?.close(NGHTTP2_CANCEL);
    if (this.ttfbMs < 0) {
      this.endpoint?.load.cancel();
      this.fail(err);
    } else {
      this.grpcStatus = 4;
      this.finish(true);
      this.resetDownstream(NGHTTP2_CANCEL);
    }
  }

  private detachUpstream(): void {
    const up = this.up;
    this.up = undefined;
    if (up !== undefined) {
      up.removeAllListeners('response');
      up.on('error', () => undefined);
      if (!up.destroyed) up.close(NGHTTP2_CANCEL);
    }
  }

  private resetDownstream(code: number): void {
    if (!this.down.destroyed && !this.down.closed) this.down.close(code);
  }

  private fail(err: ProxyError): void {
    if (this.done) return;
    const { down } = this;
    if (this.ttfbMs < 0) this.ttfbMs = performance.now() - this.startedAt;
    if (!down.headersSent && !down.destroyed && !down.closed) {
      if (this.isGrpc) {
        this.status = 200;
        this.grpcStatus = grpcStatusFor(err);
        down.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': String(this.grpcStatus),
            'grpc-message': encodeURIComponent(err.message),
            [PROXY_ERROR_HEADER]: err.headerValue(),
          },
          { endStream: true },
        );
      } else {
        this.status = httpStatusFor(err);
        down.respond({
          ':status': this.status,
          'content-type': 'text/plain; charset=utf-8',
          [PROXY_ERROR_HEADER]: err.headerValue(),
        });
        down.end(`${err.message}\n`);
      }
    }
    this.detachUpstream();
    this.series ??= unroutedSeries(this.ctx, this.authorityLabel);
    this.finish(true);
    // Drain whatever request body is still arriving so flow control does not stall the session.
    if (!this.requestEnded) down.resume();
  }

  private startTap(ep: Endpoint): void {
    const socket = this.down.session?.socket;
    const h = this.reqHeaders;
    this.tap = this.ctx.tap.start(
      tapRequestInfo(this.ctx, ep, this.authorityLabel, this.plan.routeLabel, this.clientId, {
        sourceIp: socket?.remoteAddress,
        sourcePort: socket?.remotePort,
        method: String(h[':method'] ?? 'GET'),
        scheme: String(h[':scheme'] ?? 'http'),
        path: String(h[':path'] ?? '/'),
        headers: h,
      }),
    );
  }

  private finish(errored: boolean): void {
    if (this.done) return;
    this.done = true;
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    const grpc = this.grpcStatus ?? (this.isGrpc && errored ? 2 : undefined);
    this.tap?.responseEnded(grpc, this.responseBytes, this.trailers, errored && this.status === 0 ? 1 : 0);
    const failure = errored || classifyResponse(this.plan.profileRoute, this.status, grpc);
    const latency = this.ttfbMs >= 0 ? this.ttfbMs : performance.now() - this.startedAt;
    const grpcLabel = grpc ?? NO_GRPC_STATUS;
    this.series?.recordResponse(this.status, grpcLabel, failure, latency);
    this.plan.route.recordResponse(this.status, grpcLabel, failure, latency);
    if (this.endpoint !== undefined && this.responded) this.endpoint.health.recordResponse(failure);
  }
}
