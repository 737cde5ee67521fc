// Tap clients for tests: open Tap.Observe on a proxy or TapAPI.Watch on a control plane, collect the events,
// and group them per request. Every stream and channel is cancelled/closed when the test ends.
import * as grpc from '@grpc/grpc-js';
import type { TestContext } from 'node:test';
import {
  ObserveRequest,
  TapAPIClient,
  TapClient,
  WatchRequest,
  type TapEvent,
} from '../../src/api/gen/tap.js';
import { waitFor } from './wait.js';

export interface RequestEvents {
  key: string;
  req?: TapEvent;
  rsp?: TapEvent;
  end?: TapEvent;
  /** Events seen for this id, in arrival order ('req' | 'rsp' | 'end'). */
  order: string[];
}

export class TapCollector {
  readonly events: TapEvent[] = [];
  /** Set once the stream has finished (OK or error). */
  status: grpc.StatusObject | undefined;
  /** True once the server has sent headers: the tap is in place. */
  established = false;
  readonly finished: Promise<grpc.StatusObject>;

  constructor(readonly call: grpc.ClientReadableStream<TapEvent>) {
    call.on('data', (e: TapEvent) => this.events.push(e));
    call.on('metadata', () => (this.established = true));
    call.on('error', () => undefined);
    this.finished = new Promise((resolve) =>
      call.on('status', (s: grpc.StatusObject) => {
        this.status = s;
        resolve(s);
      }),
    );
  }

  async untilEstablished(): Promise<void> {
    await waitFor(() => this.established || this.status !== undefined, { what: 'tap stream headers' });
    if (this.status !== undefined) {
      throw new Error(`tap failed: ${grpc.status[this.status.code]} ${this.status.details}`);
    }
  }

  cancel(): void {
    this.call.cancel();
  }

  /** Events grouped per request id (`proxy base:stream`), in first-seen order. */
  requests(): RequestEvents[] {
    const byId = new Map<string, RequestEvents>();
    for (const e of this.events) {
      const id = e.requestInit?.id ?? e.responseInit?.id ?? e.responseEnd?.id;
      if (!id) throw new Error('event without id');
      const key = `${e.proxy} ${id.base}:${id.stream}`;
      let r = byId.get(key);
      if (!r) byId.set(key, (r = { key, order: [] }));
      if (e.requestInit) {
        r.order.push('req');
        r.req = e;
      } else if (e.responseInit) {
        r.order.push('rsp');
        r.rsp = e;
      } else {
        r.order.push('end');
        r.end = e;
      }
    }
    return [...byId.values()];
  }

  count(kind: 'req' | 'rsp' | 'end'): number {
    const field = kind === 'req' ? 'requestInit' : kind === 'rsp' ? 'responseInit' : 'responseEnd';
    return this.events.filter((e) => e[field] !== undefined).length;
  }
}

/** Opens Tap.Observe on a proxy's tap listener. */
export function observe(
  t: TestContext,
  address: string,
  request: Partial<ObserveRequest> = {},
): TapCollector {
  const client = new TapClient(address, grpc.credentials.createInsecure());
  const collector = new TapCollector(client.observe(ObserveRequest.fromPartial(request)));
  t.after(() => {
    collector.cancel();
    client.close();
  });
  return collector;
}

/** Opens TapAPI.Watch on a control plane's TapAPI. */
export function watch(t: TestContext, address: string, request: Partial<WatchRequest>): TapCollector {
  const client = new TapAPIClient(address, grpc.credentials.createInsecure());
  const collector = new TapCollector(client.watch(WatchRequest.fromPartial(request)));
  t.after(() => {
    collector.cancel();
    client.close();
  });
  return collector;
}
