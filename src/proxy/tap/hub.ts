// The proxy side of the tap hook: holds the open subscriptions, decides per request which of them report it
// (now, or once its response is known), and hands each reported request's events to them. Untapped
// traffic costs one field read (`active`); a request no tap wants costs one match evaluation per tap.
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { StreamId } from '../../api/gen/tap.js';
import {
  type Envelope,
  type TappedRequest,
  envelopeFor,
  requestInitEvent,
  responseEndEvent,
  responseInitEvent,
} from './encode.js';
import { extractHeaders } from './headers.js';
import type { HeaderBag, TapExchange, TapHook, TapRequestInfo } from './hook.js';
import type { ProxyLabels, ResponseFacts } from './match.js';
import { TapStats, type Subscription } from './subscription.js';

export type Clock = () => number;

const NO_HEADERS: never[] = [];

export class TapHub implements TapHook {
  /** True while at least one subscription is open: the forwarders read this on every request. */
  active = false;
  readonly stats = new TapStats();
  /** Unique per proxy process (random), so ids from a restarted proxy never collide with earlier ones. */
  readonly base: number;
  private subs: Subscription[] = [];
  private nextStream = 0;

  constructor(
    readonly self: ProxyLabels,
    readonly clock: Clock = () => performance.now(),
    base?: number,
  ) {
    this.base = base ?? randomInt(1, 2 ** 47);
  }

  get open(): number {
    return this.subs.length;
  }

  add(sub: Subscription): void {
    this.subs = [...this.subs, sub];
    this.active = true;
  }

  /** Forgets a subscription (idempotent); Subscription.close() calls this. */
  remove(sub: Subscription): void {
    // Copy-on-write: an exchange being decided iterates the old array undisturbed.
    this.subs = this.subs.filter((s) => s !== sub);
    this.active = this.subs.length > 0;
  }

  /** Ends every subscription's stream normally (proxy shutdown). */
  closeAll(): void {
    for (const sub of this.subs) sub.close(true);
  }

  start(info: TapRequestInfo): TapExchange | undefined {
    try {
      return this.decide(info);
    } catch {
      this.stats.errors++;
      return undefined;
    }
  }

  private decide(info: TapRequestInfo): TapExchange | undefined {
    const subs = this.subs;
    const now = this.clock();
    let exchange: Exchange | undefined;
    for (const sub of subs) {
      if (!sub.wantsMore()) continue;
      const verdict = sub.match.evaluate(info);
      if (verdict === 'no') continue;
      const live = verdict === 'yes';
      if (live && !sub.admit(now)) continue;
      exchange ??= new Exchange(this, info, { base: this.base, stream: ++this.nextStream }, now);
      exchange.attach(sub, live);
    }
    exchange?.started();
    return exchange;
  }
}

/** One tapped request: which subscriptions report it live, which wait for its response, and its record. */
class Exchange implements TapExchange {
  private readonly rec: TappedRequest;
  private readonly subs: Subscription[] = [];
  /** Parallel to `subs`: true = reporting live, false = deferred until the response has ended. */
  private readonly live: boolean[] = [];
  private envelope: Envelope | undefined;

  constructor(
    private readonly hub: TapHub,
    info: TapRequestInfo,
    id: StreamId,
    now: number,
  ) {
    this.rec = {
      id,
      info,
      startedAt: now,
      responseAt: -1,
      status: 0,
      responseHeaders: undefined,
      endedAt: -1,
      grpcStatus: undefined,
      responseBytes: 0,
      trailers: undefined,
      resetCode: 0,
    };
  }

  attach(sub: Subscription, live: boolean): void {
    this.subs.push(sub);
    this.live.push(live);
  }

  started(): void {
    for (let i = 0; i < this.subs.length; i++) {
      if (this.live[i]) this.emitRequestInit(this.subs[i] as Subscription);
    }
  }

  responseStarted(status: number, headers: HeaderBag): void {
    try {
      const rec = this.rec;
      if (rec.responseAt >= 0 || rec.endedAt >= 0) return;
      rec.responseAt = this.hub.clock();
      rec.status = status;
      rec.responseHeaders = headers;
      for (let i = 0; i < this.subs.length; i++) {
        if (this.live[i]) this.emitResponseInit(this.subs[i] as Subscription);
      }
    } catch {
      this.hub.stats.errors++;
    }
  }

  responseEnded(
    grpcStatus: number | undefined,
    responseBytes: number,
    trailers: HeaderBag | undefined,
    resetCode: number,
  ): void {
    try {
      const rec = this.rec;
      if (rec.endedAt >= 0) return;
      const now = this.hub.clock();
      rec.endedAt = now;
      rec.grpcStatus = grpcStatus;
      rec.responseBytes = responseBytes;
      rec.trailers = trailers;
      rec.resetCode = resetCode;
      let facts: ResponseFacts | undefined;
      for (let i = 0; i < this.subs.length; i++) {
        const sub = this.subs[i] as Subscription;
        if (this.live[i]) {
          this.emitResponseEnd(sub);
          sub.requestDone();
          continue;
        }
        facts ??= { status: rec.status, latencyMs: now - rec.startedAt, grpcStatus };
        if (sub.match.evaluate(rec.info, facts) !== 'yes' || !sub.admit(now)) continue;
        // The whole request at once, with the times it actually happened.
        this.emitRequestInit(sub);
        if (rec.responseAt >= 0) this.emitResponseInit(sub);
        this.emitResponseEnd(sub);
        sub.requestDone();
      }
    } catch {
      this.hub.stats.errors++;
    }
  }

  private env(): Envelope {
    return (this.envelope ??= envelopeFor(this.rec.info, this.hub.self));
  }

  private emitRequestInit(sub: Subscription): void {
    const headers = sub.extractHeaders ? extractHeaders(this.rec.info.headers, sub.redacted) : NO_HEADERS;
    sub.write(requestInitEvent(this.rec, this.env(), headers));
  }

  private emitResponseInit(sub: Subscription): void {
    const headers = sub.extractHeaders ? extractHeaders(this.rec.responseHeaders, sub.redacted) : NO_HEADERS;
    sub.write(responseInitEvent(this.rec, this.env(), headers));
  }

  private emitResponseEnd(sub: Subscription): void {
    const trailers = sub.extractHeaders ? extractHeaders(this.rec.trailers, sub.redacted) : NO_HEADERS;
    sub.write(responseEndEvent(this.rec, this.env(), trailers));
  }
}
