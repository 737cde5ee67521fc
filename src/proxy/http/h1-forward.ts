// Forwards one HTTP/1.1 request to an endpoint's undici pool and streams the response back. The exchange
// object is itself the undici handler, so the happy path allocates no closures; bodies are streamed with
// back-pressure both ways and never buffered, except a retryable request's body (≤ 64 KiB), which is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { EndpointPicker } from '../endpoint/picker.js';
import { ProxyError, PROXY_ERROR_HEADER, httpStatusFor, isConnectFailure, toProxyError } from '../errors.js';
import { NO_GRPC_STATUS, type HttpSeries } from '../metrics/proxy-metrics.js';
import { classifyResponse } from '../route/profile.js';
import type { TapExchange } from '../tap/hook.js';
import { peerIdentityOf } from '../tls/peer.js';
import type { HttpContext } from './context.js';
import { h1ResponseHeaders } from './headers.js';
import { MAX_RETRIES, type RequestPlan } from './plan.js';
import { tapRequestInfo, unroutedSeries } from './exchange-common.js';

type DispatchController = Dispatcher.DispatchController;

const kExchange = Symbol('meshExchange');
type ResponseWithExchange = ServerResponse & { [kExchange]?: H1Exchange };

/** 'drain' listener on the downstream response: resumes the paused upstream. Module-level, not per request. */
function resumeUpstream(this: ResponseWithExchange): void {
  this[kExchange]?.controller?.resume();
}

/** 'close' listener on the downstream response: a client that went away aborts the upstream request. */
function onDownstreamClose(this: ResponseWithExchange): void {
  const ex = this[kExchange];
  if (ex !== undefined && !ex.done) ex.abortUpstream();
}

/** A request body: streamed from the client, buffered (retryable requests), or none. */
export type RequestBody = 'stream' | Buffer | null;

export class H1Exchange implements Dispatcher.DispatchHandler {
  controller: DispatchController | null = null;
  done = false;
  private endpoint: Endpoint | undefined;
  private series: HttpSeries | undefined;
  private readonly startedAt = performance.now();
  private rttStart = 0;
  private ttfbMs = -1;
  private status = 0;
  private attempts = 0;
  private retries = 0;
  /** True while a failed response is being drained before a retry: nothing of it reaches the client. */
  private discarding = false;
  private tap: TapExchange | undefined;
  private responseBytes = 0;
  /** The verified mesh identity of the client, when the request arrived over mesh mTLS. */
  private readonly clientId: string | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ResponseWithExchange,
    private readonly ctx: HttpContext,
    private readonly picker: EndpointPicker,
    private readonly authorityLabel: string,
    private readonly plan: RequestPlan,
    private readonly headers: string[],
    private readonly body: RequestBody,
  ) {
    res[kExchange] = this;
    res.on('close', onDownstreamClose);
    plan.route.requests++;
    plan.budget?.deposit();
    this.clientId = peerIdentityOf(req.socket);
  }

  start(): void {
    const ep = this.picker.pick();
    if (ep === undefined) {
      this.fail(new ProxyError('MESH_NO_ENDPOINTS', `no available endpoints for ${this.picker.authority}`));
      return;
    }
    this.attempt(ep);
  }

  private attempt(ep: Endpoint): void {
    this.attempts++;
    if (this.attempts === 1 && this.ctx.tap.active) this.startTap(ep);
    this.endpoint = ep;
    this.series = ep.seriesFor(this.authorityLabel, this.clientId);
    this.series.requests++;
    this.rttStart = ep.load.start();
    const { req } = this;
    ep.h1().dispatch(
      {
        path: req.url ?? '/',
        method: req.method ?? 'GET',
        headers: this.headers,
        body: this.body === 'stream' ? req : this.body,
        headersTimeout: this.remainingMs(),
        bodyTimeout: 0,
        // Never let the pool decide idempotency-based pipelining: one request per connection turn.
        blocking: true,
      },
      this,
    );
  }

  /** Time left before the request's deadline (0 = no deadline; at least 1 ms once there is one). */
  private remainingMs(): number {
    if (this.plan.timeoutMs <= 0) return 0;
    return Math.max(1, this.plan.timeoutMs - (performance.now() - this.startedAt));
  }

  onRequestStart(controller: DispatchController): void {
    this.controller = controller;
    if (this.done) controller.abort(new Error('client went away'));
  }

  onResponseStart(
    _controller: DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    // 1xx informational responses are not forwarded: the proxy answers 100-continue to its client itself.
    if (statusCode < 200) return;
    const ep = this.endpoint as Endpoint;
    ep.load.finish(this.rttStart);
    ep.health.recordConnectSuccess();
    this.status = statusCode;
    if (classifyResponse(this.plan.profileRoute, statusCode, undefined) && this.mayRetry()) {
      // Drain this response quietly; the request goes out again when it has ended.
      this.discarding = true;
      return;
    }
    this.ttfbMs = performance.now() - this.startedAt;
    const out = h1ResponseHeaders(headers);
    if (this.ctx.draining()) out['connection'] = 'close';
    this.res.writeHead(statusCode, statusMessage, out);
    this.tap?.responseStarted(statusCode, headers);
  }

  onResponseData(controller: DispatchController, chunk: Buffer): void {
    if (this.discarding) return;
    this.responseBytes += chunk.length;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', resumeUpstream);
    }
  }

  onResponseEnd(): void {
    if (this.discarding) {
      this.discarding = false;
      this.retry(this.status, performance.now() - this.startedAt);
      return;
    }
    this.res.end();
    this.finish(this.status, classifyResponse(this.plan.profileRoute, this.status, undefined));
  }

  onResponseError(_controller: DispatchController, err: Error): void {
    if (this.done) return;
    const ep = this.endpoint as Endpoint;
    if (this.ttfbMs < 0 && !this.discarding) ep.load.cancel();
    this.discarding = false;
    const connectFailure = isConnectFailure(err);
    if (connectFailure) ep.health.recordConnectFailure();
    // A request whose bytes never left can go to another endpoint; a streamed body already read from cannot.
    const bodyUntouched = this.body !== 'stream' || !this.req.readableDidRead;
    if (
      connectFailure &&
      this.ttfbMs < 0 &&
      bodyUntouched &&
      this.attempts < this.ctx.maxConnectAttempts &&
      !this.res.destroyed
    ) {
      const next = this.picker.pick(ep);
      if (next !== undefined) {
        (this.series as HttpSeries).requests--;
        this.attempt(next);
        return;
      }
    }
    const perr = toProxyError(err, ep.key);
    if (this.ttfbMs < 0 && perr.code === 'MESH_UPSTREAM_RESET' && this.mayRetry()) {
      this.retry(0, performance.now() - this.startedAt);
      return;
    }
    if (this.res.headersSent) {
      // Too late for an error response: cut the connection so the client sees a truncated message.
      this.finish(this.status, true);
      this.res.destroy(perr);
      return;
    }
    this.fail(perr);
  }

  onRequestUpgrade(): void {
    // Upgrades are forwarded by h1-upgrade.ts, never through this handler.
    this.abortUpstream();
  }

  /** Aborts the upstream request (the client went away or the exchange was failed). */
  abortUpstream(): void {
    const wasDone = this.done;
    this.done = true;
    this.controller?.abort(new Error('client went away'));
    if (!wasDone && this.ttfbMs < 0) {
      this.endpoint?.load.cancel();
      // A client that hung up before any response is recorded as a failure without a status.
      this.record(0, true);
    }
  }

  /** Answers the request with a proxy error without contacting any endpoint. */
  rejectWith(err: ProxyError): void {
    this.fail(err);
  }

  /**
   * True when this request may go out once more: its route is retryable (the plan has a budget), the body
   * can be replayed, retries are left, the client is still there, the deadline has not passed, and the
   * budget grants it (the last check, because it spends from the budget).
   */
  private mayRetry(): boolean {
    const { budget, timeoutMs } = this.plan;
    if (budget === undefined || this.body === 'stream' || this.retries >= MAX_RETRIES || this.res.destroyed)
      return false;
    if (timeoutMs > 0 && performance.now() - this.startedAt >= timeoutMs) return false;
    return budget.withdraw();
  }

  /** Records the failed attempt against its endpoint and sends the request again, elsewhere if possible. */
  private retry(status: number, latencyMs: number): void {
    const ep = this.endpoint as Endpoint;
    this.series?.recordResponse(status, NO_GRPC_STATUS, true, latencyMs);
    // Failure accrual counts answers from the endpoint, not failures to reach it (those back off separately).
    if (status !== 0) ep.health.recordResponse(true);
    this.plan.route.retries++;
    this.retries++;
    this.controller = null;
    const next = this.picker.pick(ep) ?? this.picker.pick();
    if (next === undefined) {
      this.fail(new ProxyError('MESH_NO_ENDPOINTS', `no available endpoints for ${this.picker.authority}`));
      return;
    }
    this.attempt(next);
  }

  private fail(err: ProxyError): void {
    const status = httpStatusFor(err);
    if (!this.res.headersSent && !this.res.destroyed) {
      const body = `${err.message}\n`;
      this.res.writeHead(status, {
        [PROXY_ERROR_HEADER]: err.headerValue(),
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...(this.ctx.draining() ? { connection: 'close' } : {}),
      });
      this.res.end(body);
    }
    if (this.ttfbMs < 0) this.ttfbMs = performance.now() - this.startedAt;
    // Failed before any endpoint was chosen: count it against the authority with no target address.
    this.series ??= unroutedSeries(this.ctx, this.authorityLabel);
    this.finish(status, true);
  }

  private startTap(ep: Endpoint): void {
    const { req } = this;
    this.tap = this.ctx.tap.start(
      tapRequestInfo(this.ctx, ep, this.authorityLabel, this.plan.routeLabel, this.clientId, {
        sourceIp: req.socket.remoteAddress,
        sourcePort: req.socket.remotePort,
        method: req.method ?? 'GET',
        scheme: 'http',
        path: req.url ?? '/',
        headers: req.headers,
      }),
    );
  }

  private finish(status: number, failure: boolean): void {
    if (this.done) return;
    this.done = true;
    this.tap?.responseEnded(
      undefined,
      this.responseBytes,
      undefined,
      status === 0 || this.res.destroyed ? 1 : 0,
    );
    this.record(status, failure);
    // Only answers the endpoint itself gave feed failure accrual: the proxy's own 502/503/504 do not.
    if (this.endpoint !== undefined && this.status !== 0 && status === this.status) {
      this.endpoint.health.recordResponse(failure);
    }
  }

  private record(status: number, failure: boolean): void {
    const latency = this.ttfbMs >= 0 ? this.ttfbMs : performance.now() - this.startedAt;
    this.series?.recordResponse(status, NO_GRPC_STATUS, failure, latency);
    this.plan.route.recordResponse(status, NO_GRPC_STATUS, failure, latency);
  }
}
