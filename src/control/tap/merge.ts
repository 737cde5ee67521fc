// Merges the event streams of many proxies into one caller's stream at an overall rate: a request is
// admitted (or dropped) at its request_init, and its later events follow that decision, so the caller
// never sees a response without its request. Pure apart from the clock readings it is given.
import { TokenBucket, burstFor } from '../../common/token-bucket.js';
import type { TapEvent } from '../../api/gen/tap.js';

/** Admitted requests remembered while waiting for their end; beyond this the oldest are forgotten. */
export const MAX_TRACKED_REQUESTS = 10_000;

export class EventMerger {
  private readonly bucket: TokenBucket;
  /** `${proxy} ${base}:${stream}` of admitted requests whose response_end has not arrived, oldest first. */
  private readonly admitted = new Map<string, string>();
  droppedMaxRps = 0;
  /** Events whose request was not admitted (dropped for rate or back-pressure, or begun before the tap). */
  droppedOrphans = 0;

  constructor(
    readonly maxRps: number,
    nowMs: number,
    private readonly maxTracked = MAX_TRACKED_REQUESTS,
  ) {
    this.bucket = new TokenBucket(maxRps, burstFor(maxRps, 0.25), nowMs);
  }

  /**
   * Whether `event`, reported by `proxy`, goes to the caller. `roomForNew` false (the caller's stream is
   * backed up) turns away new requests without spending rate on them.
   */
  accept(proxy: string, event: TapEvent, nowMs: number, roomForNew = true): boolean {
    const id = event.requestInit?.id ?? event.responseInit?.id ?? event.responseEnd?.id;
    if (id === undefined) return false;
    const key = `${proxy} ${id.base}:${id.stream}`;
    if (event.requestInit !== undefined) {
      if (!roomForNew) return false;
      if (!this.bucket.take(nowMs)) {
        this.droppedMaxRps++;
        return false;
      }
      this.admitted.set(key, proxy);
      if (this.admitted.size > this.maxTracked) {
        const oldest = this.admitted.keys().next().value;
        if (oldest !== undefined) this.admitted.delete(oldest);
      }
      return true;
    }
    if (!this.admitted.has(key)) {
      this.droppedOrphans++;
      return false;
    }
    if (event.responseEnd !== undefined) this.admitted.delete(key);
    return true;
  }

  /** Forgets a proxy's half-reported requests (its stream ended: their ends will never come). */
  forgetProxy(proxy: string): void {
    for (const [key, p] of this.admitted) if (p === proxy) this.admitted.delete(key);
  }

  get tracked(): number {
    return this.admitted.size;
  }
}
