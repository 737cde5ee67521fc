// The proxy's tap hub with a fake clock and sink: event encoding, live versus deferred reporting, ids,
// limits, rate, back-pressure, and that nothing tap does can throw into the request path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ProxyDirection, type Match, type TapEvent } from '../../../../src/api/gen/tap.js';
import { redactedHeaderSet, REDACTED_VALUE } from '../../../../src/api/tap-rules.js';
import { TapHub } from '../../../../src/proxy/tap/hub.js';
import { CompiledMatch } from '../../../../src/proxy/tap/match.js';
import { Subscription, type EventSink } from '../../../../src/proxy/tap/subscription.js';
import { requestInfo } from './fixtures.js';

const SELF = { namespace: 'demo', workload: 'api', pod: 'api-0' };

class FakeSink implements EventSink {
  events: TapEvent[] = [];
  buffered = 0;
  ended = false;
  write(event: TapEvent): void {
    this.events.push(event);
  }
  end(): void {
    this.ended = true;
  }
  kinds(): string[] {
    return this.events.map((e) => (e.requestInit ? 'req' : e.responseInit ? 'rsp' : 'end'));
  }
}

interface SubOptions {
  match?: Match;
  limit?: number;
  maxRps?: number;
  extractHeaders?: boolean;
  redact?: string[];
  bufferLimit?: number;
}

function harness() {
  const clock = { now: 1000 };
  const hub = new TapHub(SELF, () => clock.now, 7);
  const subscribe = (o: SubOptions = {}) => {
    const sink = new FakeSink();
    const sub = new Subscription(
      {
        match: CompiledMatch.compile(o.match, SELF),
        limit: o.limit ?? 0,
        maxRps: o.maxRps ?? 0,
        extractHeaders: o.extractHeaders ?? false,
        redacted: redactedHeaderSet(o.redact ?? []),
        ...(o.bufferLimit !== undefined ? { bufferLimit: o.bufferLimit } : {}),
      },
      sink,
      hub.stats,
      clock.now,
      (s) => hub.remove(s),
    );
    hub.add(sub);
    return { sink, sub };
  };
  return { clock, hub, subscribe };
}

const status5xx: Match = {
  response: { statusMin: 500, statusMax: 599, minLatencyMs: 0, hasGrpcStatus: false, grpcStatus: 0 },
};

test('inactive until a tap opens; inactive again once it closes', () => {
  const { hub, subscribe } = harness();
  assert.equal(hub.active, false);
  assert.equal(hub.start(requestInfo()), undefined);
  const { sub } = subscribe();
  assert.equal(hub.active, true);
  sub.close(false);
  assert.equal(hub.active, false);
  assert.equal(hub.open, 0);
});

test('a live request: request_init at start, response_init and response_end as they happen, all fields', () => {
  const { clock, hub, subscribe } = harness();
  const { sink } = subscribe();
  const ex = hub.start(requestInfo());
  assert.ok(ex);
  assert.deepEqual(sink.kinds(), ['req']);
  clock.now += 12.5;
  ex.responseStarted(201, { 'content-type': 'text/plain' });
  clock.now += 3;
  ex.responseEnded(undefined, 1337, undefined, 0);
  assert.deepEqual(sink.kinds(), ['req', 'rsp', 'end']);

  const [req, rsp, end] = sink.events as [TapEvent, TapEvent, TapEvent];
  const id = { base: 7, stream: 1 };
  assert.deepEqual(req.requestInit, {
    id,
    method: 'GET',
    scheme: 'http',
    authority: 'web.demo:80',
    path: '/books/12?x=1',
    headers: [],
    route: 'GET /books/{id}',
  });
  assert.deepEqual(req.source, { ip: '127.0.0.1', port: 50000 });
  assert.deepEqual(req.destination, { ip: '10.0.0.2', port: 4143 });
  assert.deepEqual(req.sourceMeta, SELF, 'outbound: the source is this proxy');
  assert.deepEqual(req.destinationMeta, { workload: 'web', namespace: 'demo', pod: 'web-0' });
  assert.equal(req.proxyDirection, ProxyDirection.PROXY_DIRECTION_OUTBOUND);
  assert.equal(req.tls, false);
  assert.equal(req.proxy, '');
  assert.equal(req.timestampMs, Math.floor(performance.timeOrigin + 1000));
  assert.deepEqual(rsp.responseInit, { id, sinceRequestInitUs: 12500, httpStatus: 201, headers: [] });
  assert.equal(rsp.timestampMs, Math.floor(performance.timeOrigin + 1012.5));
  assert.deepEqual(end.responseEnd, {
    id,
    sinceRequestInitUs: 15500,
    sinceResponseInitUs: 3000,
    responseBytes: 1337,
    grpcStatus: undefined,
    trailers: [],
    resetErrorCode: 0,
  });
  assert.equal(hub.stats.eventsEmitted, 3);
  assert.equal(hub.stats.requestsReported, 1);
});

test('inbound events name the proxy as the destination; gRPC status, trailers and resets are carried', () => {
  const { hub, subscribe } = harness();
  const { sink } = subscribe({ extractHeaders: true });
  const ex = hub.start(requestInfo({ direction: 'inbound', destinationLabels: {}, tls: true }));
  ex?.responseStarted(200, { 'content-type': 'application/grpc' });
  ex?.responseEnded(14, 5, { 'grpc-status': '14', 'grpc-message': 'unavailable' }, 0);
  const [req, , end] = sink.events as [TapEvent, TapEvent, TapEvent];
  assert.equal(req.proxyDirection, ProxyDirection.PROXY_DIRECTION_INBOUND);
  assert.deepEqual(req.sourceMeta, {});
  assert.deepEqual(req.destinationMeta, SELF);
  assert.equal(req.tls, true);
  assert.equal(end.responseEnd?.grpcStatus, 14);
  assert.deepEqual(end.responseEnd?.trailers, [
    { name: 'grpc-status', value: '14' },
    { name: 'grpc-message', value: 'unavailable' },
  ]);

  const reset = hub.start(requestInfo());
  reset?.responseEnded(undefined, 0, undefined, 1);
  const last = sink.events.at(-1);
  assert.equal(last?.responseEnd?.resetErrorCode, 1);
  assert.equal(last?.responseEnd?.sinceResponseInitUs, 0, 'no response ever started');
});

test('headers only when asked for, with sensitive and caller-listed values redacted', () => {
  const { hub, subscribe } = harness();
  const plain = subscribe();
  const withHeaders = subscribe({ extractHeaders: true, redact: ['x-api-key'] });
  const ex = hub.start(
    requestInfo({ headers: { authorization: 'Bearer t0ken', 'x-api-key': 'k', 'x-trace': 'abc' } }),
  );
  ex?.responseStarted(200, { 'set-cookie': ['s=1'], server: 'origin' });
  ex?.responseEnded(undefined, 0, undefined, 0);
  assert.deepEqual(plain.sink.events[0]?.requestInit?.headers, []);
  assert.deepEqual(withHeaders.sink.events[0]?.requestInit?.headers, [
    { name: 'authorization', value: REDACTED_VALUE },
    { name: 'x-api-key', value: REDACTED_VALUE },
    { name: 'x-trace', value: 'abc' },
  ]);
  assert.deepEqual(withHeaders.sink.events[1]?.responseInit?.headers, [
    { name: 'set-cookie', value: REDACTED_VALUE },
    { name: 'server', value: 'origin' },
  ]);
  // One request, one id, whichever tap reports it.
  assert.deepEqual(plain.sink.events[0]?.requestInit?.id, withHeaders.sink.events[0]?.requestInit?.id);
});

test('a response filter holds the request and emits the whole triple only when the response matches', () => {
  const { clock, hub, subscribe } = harness();
  const { sink } = subscribe({ match: status5xx });
  const good = hub.start(requestInfo({ path: '/ok' }));
  const bad = hub.start(requestInfo({ path: '/fail' }));
  assert.ok(good && bad, 'both held: their verdict needs the response');
  assert.equal(sink.events.length, 0);
  clock.now += 40;
  good.responseStarted(200, {});
  bad.responseStarted(503, {});
  assert.equal(sink.events.length, 0, 'nothing before the response has ended');
  clock.now += 10;
  good.responseEnded(undefined, 2, undefined, 0);
  bad.responseEnded(undefined, 7, undefined, 0);
  assert.deepEqual(sink.kinds(), ['req', 'rsp', 'end']);
  const [req, rsp, end] = sink.events as [TapEvent, TapEvent, TapEvent];
  assert.equal(req.requestInit?.path, '/fail');
  assert.equal(req.timestampMs, Math.floor(performance.timeOrigin + 1000), 'the time it started, not now');
  assert.equal(rsp.responseInit?.httpStatus, 503);
  assert.equal(rsp.responseInit?.sinceRequestInitUs, 40_000);
  assert.equal(end.responseEnd?.sinceRequestInitUs, 50_000);
  assert.deepEqual(req.requestInit?.id, { base: 7, stream: 2 });
  assert.equal(hub.stats.requestsReported, 1);
});

test('a latency filter reports only requests slower than the bound', () => {
  const { clock, hub, subscribe } = harness();
  const { sink } = subscribe({
    match: {
      response: { statusMin: 0, statusMax: 0, minLatencyMs: 100, hasGrpcStatus: false, grpcStatus: 0 },
    },
  });
  for (const ms of [10, 99, 100, 250]) {
    const ex = hub.start(requestInfo({ path: `/${ms}` }));
    clock.now += ms;
    ex?.responseStarted(200, {});
    ex?.responseEnded(undefined, 0, undefined, 0);
  }
  assert.deepEqual(
    sink.events.filter((e) => e.requestInit).map((e) => e.requestInit?.path),
    ['/100', '/250'],
  );
});

test('a request-level term that already fails means no held state at all', () => {
  const { hub, subscribe } = harness();
  subscribe({ match: { all: { matches: [{ http: { method: 'POST' } }, status5xx] } } });
  assert.equal(hub.start(requestInfo()), undefined);
});

test('limit: after N reported requests have ended the stream ends and the tap closes', () => {
  const { hub, subscribe } = harness();
  const { sink, sub } = subscribe({ limit: 2 });
  const a = hub.start(requestInfo());
  const b = hub.start(requestInfo());
  assert.equal(hub.start(requestInfo()), undefined, 'over the limit');
  a?.responseEnded(undefined, 0, undefined, 0);
  assert.equal(sink.ended, false, 'one reported request is still in flight');
  b?.responseEnded(undefined, 0, undefined, 0);
  assert.equal(sink.ended, true);
  assert.equal(sub.closed, true);
  assert.equal(hub.active, false);
  assert.equal(sink.events.filter((e) => e.requestInit).length, 2);
});

test('max_rps: at most rate × T + burst requests are reported, the rest dropped and counted', () => {
  const { clock, hub, subscribe } = harness();
  const { sink } = subscribe({ maxRps: 20 });
  for (let i = 0; i < 300; i++) {
    hub.start(requestInfo())?.responseEnded(undefined, 0, undefined, 0);
    clock.now += 10;
  }
  const reported = sink.events.filter((e) => e.requestInit).length;
  assert.ok(reported >= 59 && reported <= 62, `reported ${reported}`);
  assert.equal(hub.stats.droppedMaxRps, 300 - reported);
  // Dropped requests leave no orphan events behind.
  assert.equal(sink.events.length, reported * 2);
});

test('back-pressure: a backed-up stream drops new requests and never buffers without bound', () => {
  const { hub, subscribe } = harness();
  const { sink } = subscribe({ bufferLimit: 4 });
  const inFlight = hub.start(requestInfo());
  sink.buffered = 4;
  assert.equal(hub.start(requestInfo()), undefined, 'refused: its stream is full');
  assert.equal(hub.stats.droppedBackpressure, 1);
  inFlight?.responseStarted(200, {});
  assert.equal(sink.events.length, 2, 'an admitted request may still complete while below twice the limit');
  sink.buffered = 8;
  inFlight?.responseEnded(undefined, 0, undefined, 0);
  assert.equal(sink.events.length, 2);
  assert.equal(hub.stats.eventsDropped, 1);
});

test('a tap closed while a request is in flight gets nothing more from it', () => {
  const { hub, subscribe } = harness();
  const { sink, sub } = subscribe();
  const ex = hub.start(requestInfo());
  sub.close(false);
  ex?.responseStarted(200, {});
  ex?.responseEnded(undefined, 0, undefined, 0);
  assert.deepEqual(sink.kinds(), ['req']);
});

test('a failing sink never throws into the request path', () => {
  const { hub, subscribe } = harness();
  const { sink } = subscribe();
  sink.write = () => {
    throw new Error('boom');
  };
  assert.doesNotThrow(() => hub.start(requestInfo()));
  assert.equal(hub.stats.errors, 1);
  const { sink: second } = subscribe();
  const ex = hub.start(requestInfo());
  second.write = () => {
    throw new Error('boom');
  };
  assert.doesNotThrow(() => ex?.responseStarted(200, {}));
  assert.doesNotThrow(() => ex?.responseEnded(undefined, 0, undefined, 0));
});
