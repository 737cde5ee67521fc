// One open Observe stream: its compiled match, its request limit and rate, what it extracts, and a sink it
// writes to without ever buffering more than a fixed number of events (it drops and counts instead).
import { TokenBucket, burstFor } from '../../common/token-bucket.js';
import type { TapEvent } from '../../api/gen/tap.js';
import type { CompiledMatch } from './match.js';

/** Where a subscription's events go: the gRPC call, or a test's array. */
export interface EventSink {
  /** Events accepted but not yet handed to the transport (the call's write buffer). */
  readonly buffered: number;
  write(event: TapEvent): void;
  /** Ends the stream normally (the request limit was reached, or the proxy is shutting down). */
  end(): void;
}

/** Counters about tap itself, shared by every subscription of a proxy and exported as metrics. */
export class TapStats {
  streamsOpened = 0;
  /** Requests reported (each one to three events). */
  requestsReported = 0;
  eventsEmitted = 0;
  /** Requests not reported: over the stream's max_rps, or the stream's buffer was full. */
  droppedMaxRps = 0;
  droppedBackpressure = 0;
  /** Events of reported requests lost because the stream's buffer stayed full. */
  eventsDropped = 0;
  /** Exceptions caught at the hook (a bug in tap must never fail a request). */
  errors = 0;
}

export interface SubscriptionOptions {
  readonly match: CompiledMatch;
  /** Most requests to report; 0 = no limit. */
  readonly limit: number;
  /** Most requests reported per second; 0 = no limit. */
  readonly maxRps: number;
  readonly extractHeaders: boolean;
  /** Lower-case header names whose values are redacted. */
  readonly redacted: ReadonlySet<string>;
  /**
   * Events buffered in the sink above which a new request is not reported (default 256); an already
   * reported request may still add its remaining events up to twice that, so pairs rarely break.
   */
  readonly bufferLimit?: number;
}

export const DEFAULT_BUFFER_LIMIT = 256;

export class Subscription {
  readonly match: CompiledMatch;
  readonly extractHeaders: boolean;
  readonly redacted: ReadonlySet<string>;
  closed = false;
  private readonly limit: number;
  private readonly bucket: TokenBucket | undefined;
  private readonly softLimit: number;
  private readonly hardLimit: number;
  private reported = 0;
  /** Reported requests whose response_end has not been written yet. */
  private open = 0;

  constructor(
    options: SubscriptionOptions,
    private readonly sink: EventSink,
    private readonly stats: TapStats,
    nowMs: number,
    private readonly onClosed: (sub: Subscription) => void,
  ) {
    this.match = options.match;
    this.extractHeaders = options.extractHeaders;
    this.redacted = options.redacted;
    this.limit = options.limit;
    this.bucket =
      options.maxRps > 0 ? new TokenBucket(options.maxRps, burstFor(options.maxRps), nowMs) : undefined;
    this.softLimit = options.bufferLimit ?? DEFAULT_BUFFER_LIMIT;
    this.hardLimit = this.softLimit * 2;
    stats.streamsOpened++;
  }

  /** True while the request limit has room: a deferred request is only worth holding if it could be reported. */
  wantsMore(): boolean {
    return !this.closed && (this.limit === 0 || this.reported < this.limit);
  }

  /**
   * Decides whether one more request is reported: within the limit, the rate and the sink's buffer. Called
   * once per request, when its first event is about to be written; a true answer commits to reporting it.
   */
  admit(nowMs: number): boolean {
    if (!this.wantsMore()) return false;
    if (this.sink.buffered >= this.softLimit) {
      this.stats.droppedBackpressure++;
      return false;
    }
    if (this.bucket !== undefined && !this.bucket.take(nowMs)) {
      this.stats.droppedMaxRps++;
      return false;
    }
    this.reported++;
    this.open++;
    this.stats.requestsReported++;
    return true;
  }

  /** Writes one event of an admitted request, unless the sink is hopelessly behind. */
  write(event: TapEvent): void {
    if (this.closed) return;
    if (this.sink.buffered >= this.hardLimit) {
      this.stats.eventsDropped++;
      return;
    }
    this.sink.write(event);
    this.stats.eventsEmitted++;
  }

  /** An admitted request has written its last event; ends the stream once the limit is used up. */
  requestDone(): void {
    this.open--;
    if (this.limit !== 0 && this.reported >= this.limit && this.open === 0) this.close(true);
  }

  /** Stops the subscription; `endStream` ends the sink normally (not when the caller already went away). */
  close(endStream: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (endStream) this.sink.end();
    this.onClosed(this);
  }
}
