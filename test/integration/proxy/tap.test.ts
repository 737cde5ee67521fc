// Tap.Observe against real proxy processes: exactly the requests made are reported, with correct fields;
// max_rps, response filters, redaction, limits and quiet taps behave as documented.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import { ProxyDirection, type Match } from '../../../src/api/gen/tap.js';
import { REDACTED_VALUE } from '../../../src/api/tap-rules.js';
import { startTestProxy, type TestProxy } from '../../helpers/mesh.js';
import { readBody, startH2Origin, startHttpOrigin } from '../../helpers/origins.js';
import { portIsFree } from '../../helpers/ports.js';
import { sumOf } from '../../helpers/prom.js';
import { observe, type TapCollector } from '../../helpers/tap.js';
import { waitFor } from '../../helpers/wait.js';

/** What the origins do, from the query: ?status=N&size=N&delay=ms. */
function plan(url: string): { status: number; size: number; delay: number } {
  const q = new URL(url, 'http://x').searchParams;
  return {
    status: Number(q.get('status') ?? 200),
    size: Number(q.get('size') ?? 1),
    delay: Number(q.get('delay') ?? 0),
  };
}

async function origins(t: TestContext) {
  const h1 = await startHttpOrigin(t, (req, res) => {
    void readBody(req).then(() => {
      const p = plan(req.url ?? '/');
      setTimeout(() => {
        res.writeHead(p.status, { 'content-type': 'text/plain', 'set-cookie': 'session=s3cr3t-cookie' });
        res.end('x'.repeat(p.size));
      }, p.delay);
    });
  });
  const h2 = await startH2Origin(t, (stream, headers) => {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      const p = plan(String(headers[':path']));
      setTimeout(() => {
        if (stream.destroyed) return;
        stream.respond({ ':status': p.status, 'content-type': 'text/plain' });
        stream.end('y'.repeat(p.size));
      }, p.delay);
    });
  });
  return { h1, h2 };
}

async function h1Send(proxy: string, method: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(`http://${proxy}${path}`, {
    method: method as 'GET',
    headers: { host: 'web.test', ...headers },
    ...(method === 'POST' || method === 'PUT' || method === 'PATCH' ? { body: 'payload' } : {}),
  });
  const body = await res.body.arrayBuffer();
  return { status: res.statusCode, bytes: body.byteLength };
}

function h2Send(session: http2.ClientHttp2Session, method: string, path: string) {
  return new Promise<{ status: number; bytes: number }>((resolve, reject) => {
    const req = session.request({ ':method': method, ':path': path, ':authority': 'h2.test' });
    let status = 0;
    let bytes = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => resolve({ status, bytes }));
    req.on('error', reject);
    req.end(method === 'POST' ? 'payload' : undefined);
  });
}

async function metric(proxy: TestProxy, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sumOf(await proxy.metrics(), name, labels);
}

/**
 * Waits until the proxy's taps have received every event it emitted. The proxy emits a request's events
 * before its response completes, so once the traffic is done the count no longer moves.
 */
async function drained(
  proxy: TestProxy,
  taps: TapCollector | TapCollector[],
  atLeast: number,
): Promise<void> {
  const all = Array.isArray(taps) ? taps : [taps];
  await waitFor(
    async () => {
      const emitted = await metric(proxy, 'tap_events_emitted_total');
      return emitted >= atLeast && all.reduce((n, tap) => n + tap.events.length, 0) === emitted;
    },
    { what: `${atLeast} tap events`, timeoutMs: 20_000 },
  );
}

const SERVER_LABELS = { namespace: 'demo', workload: 'web', pod: 'web-0' };
const CLIENT_LABELS = { namespace: 'demo', workload: 'client', pod: 'client-0' };
const labelEnv = (l: typeof SERVER_LABELS) => ({
  MESH_PROXY_NAMESPACE: l.namespace,
  MESH_PROXY_WORKLOAD: l.workload,
  MESH_PROXY_POD: l.pod,
});

test('a tap receives exactly the 100 requests made (HTTP/1 and HTTP/2), with correct fields, on both proxies', async (t) => {
  const { h1, h2 } = await origins(t);
  const server = await startTestProxy(t, { app: h1.address, env: labelEnv(SERVER_LABELS) });
  const client = await startTestProxy(t, {
    endpoints: { 'web.test:80': [server.inbound], 'h2.test:80': [h2.address] },
    env: labelEnv(CLIENT_LABELS),
  });
  const outTap = observe(t, client.tap);
  const inTap = observe(t, server.tap);
  await outTap.untilEstablished();
  await inTap.untilEstablished();

  const methods1 = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
  const statuses = [200, 201, 404, 500, 503, 202, 429];
  const expected = Array.from({ length: 100 }, (_, i) => {
    const proto = i % 10 < 7 ? 'h1' : 'h2';
    const status = statuses[i % statuses.length] as number;
    const size = ((i * 37) % 500) + 1;
    const delay = i % 10 === 3 ? 30 : 0;
    const method = proto === 'h1' ? (methods1[i % 5] as string) : i % 2 === 0 ? 'GET' : 'POST';
    return {
      i,
      proto,
      method,
      path: `/r/${i}?status=${status}&size=${size}&delay=${delay}`,
      status,
      size,
      delay,
    };
  });
  const session = http2.connect(`http://${client.outbound}`);
  t.after(() => session.destroy());
  const startedAt = Date.now();
  for (const e of expected) {
    const r =
      e.proto === 'h1'
        ? await h1Send(client.outbound, e.method, e.path)
        : await h2Send(session, e.method, e.path);
    assert.deepEqual(r, { status: e.status, bytes: e.size }, e.path);
  }
  const endedAt = Date.now();
  await drained(client, outTap, 300);
  await drained(server, inTap, 210);

  const out = outTap.requests();
  assert.equal(out.length, 100, 'one request per id');
  assert.equal(outTap.events.length, 300);
  const base = out[0]?.req?.requestInit?.id?.base;
  const byPath = new Map(out.map((r) => [r.req?.requestInit?.path, r]));
  for (const e of expected) {
    const r = byPath.get(e.path);
    assert.ok(r?.req && r.rsp && r.end, `all three events for ${e.path}`);
    assert.deepEqual(r.order, ['req', 'rsp', 'end'], e.path);
    const req = r.req.requestInit;
    assert.equal(req?.method, e.method, e.path);
    assert.equal(req?.authority, e.proto === 'h1' ? 'web.test:80' : 'h2.test:80');
    assert.equal(req?.scheme, 'http');
    assert.equal(req?.id?.base, base, 'one base per proxy process');
    assert.deepEqual(r.rsp.responseInit?.id, req?.id);
    assert.deepEqual(r.end.responseEnd?.id, req?.id);
    assert.equal(r.rsp.responseInit?.httpStatus, e.status, e.path);
    assert.equal(r.end.responseEnd?.responseBytes, e.size, e.path);
    assert.equal(r.end.responseEnd?.resetErrorCode, 0);
    assert.equal(r.end.responseEnd?.grpcStatus, undefined);
    for (const ev of [r.req, r.rsp, r.end]) {
      assert.equal(ev.proxyDirection, ProxyDirection.PROXY_DIRECTION_OUTBOUND);
      assert.equal(ev.source?.ip, '127.0.0.1');
      assert.deepEqual(ev.destination, {
        ip: '127.0.0.1',
        port: Number((e.proto === 'h1' ? server.inbound : h2.address).split(':')[1]),
      });
      assert.deepEqual(ev.sourceMeta, CLIENT_LABELS);
      assert.equal(ev.tls, false);
      assert.ok(ev.timestampMs >= startedAt - 5 && ev.timestampMs <= endedAt + 5, 'timestamp in the run');
    }
    // Latency: at least the origin's delay, and plausible; response end after response start.
    const ttfb = r.rsp.responseInit?.sinceRequestInitUs ?? -1;
    const total = r.end.responseEnd?.sinceRequestInitUs ?? -1;
    assert.ok(ttfb >= e.delay * 1000 && ttfb < 5_000_000, `ttfb ${ttfb}µs for ${e.path}`);
    assert.ok(total >= ttfb && total < 5_000_000, `total ${total}µs`);
    assert.ok(
      Math.abs((r.end.responseEnd?.sinceResponseInitUs ?? 0) - (total - ttfb)) <= 1,
      'since_response_init = total − ttfb',
    );
  }
  assert.equal(new Set(out.map((r) => r.req?.requestInit?.id?.stream)).size, 100, 'ids are unique');

  // The server proxy saw the HTTP/1 requests only (HTTP/2 went straight to its origin), as inbound.
  const inbound = inTap.requests();
  assert.equal(inbound.length, 70);
  assert.deepEqual(
    inbound.map((r) => r.req?.requestInit?.path).sort(),
    expected
      .filter((e) => e.proto === 'h1')
      .map((e) => e.path)
      .sort(),
  );
  for (const r of inbound) {
    assert.equal(r.req?.proxyDirection, ProxyDirection.PROXY_DIRECTION_INBOUND);
    assert.deepEqual(r.req?.destinationMeta, SERVER_LABELS, 'inbound: the destination is this proxy');
    assert.deepEqual(r.req?.sourceMeta, {});
    assert.deepEqual(r.req?.destination?.port, h1.port);
  }
  assert.notEqual(inbound[0]?.req?.requestInit?.id?.base, base, 'each proxy has its own id base');
  assert.equal(await metric(client, 'tap_streams_open'), 1);
});

test('max_rps: 20 rps over a 3 s burst of 300 requests reports about 60, never more than rate × time + burst', async (t) => {
  const { h1 } = await origins(t);
  const proxy = await startTestProxy(t, { app: h1.address });
  const tap = observe(t, proxy.tap, { maxRps: 20 });
  await tap.untilEstablished();
  const first = performance.now();
  const pending: Promise<unknown>[] = [];
  // 300 requests paced evenly over 3 s (the pacing shapes the load; nothing waits on it for correctness).
  for (let i = 0; i < 300; i++) {
    const due = first + i * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(h1Send(proxy.inbound, 'GET', `/burst/${i}`));
  }
  const last = performance.now();
  const results = (await Promise.all(pending)) as { status: number }[];
  assert.ok(results.every((r) => r.status === 200));
  await waitFor(
    async () =>
      (await metric(proxy, 'tap_requests_reported_total')) +
        (await metric(proxy, 'tap_requests_dropped_total', { reason: 'max_rps' })) ===
      300,
    { what: 'every request decided' },
  );
  const reported = await metric(proxy, 'tap_requests_reported_total');
  await drained(proxy, tap, reported * 3);
  const seen = tap.requests().length;
  assert.equal(seen, reported);
  // The hard bound, on the proxy's own clock: between its first and last reported request, the bucket
  // (burst 2, 20/s) can have granted at most 20 × interval + 2 (timestamps are whole ms: 2 ms slack).
  const stamps = tap.requests().map((r) => r.req?.timestampMs ?? 0);
  const window = (Math.max(...stamps) - Math.min(...stamps) + 2) / 1000;
  assert.ok(seen <= 20 * window + 2, `${seen} reported in ${window.toFixed(3)} s: above rate × time + burst`);
  // About 60 for the nominal 3 s; on a busy machine the burst can stretch, and the expectation with it.
  const seconds = (last - first) / 1000;
  const nominal = 20 * seconds;
  assert.ok(
    Math.abs(seen - nominal) <= nominal * 0.2,
    `${seen} reported over ${seconds.toFixed(2)} s, expected ≈ ${nominal}`,
  );
  assert.equal(await metric(proxy, 'tap_requests_dropped_total', { reason: 'max_rps' }), 300 - seen);
  // Dropped requests leave no orphan events: every reported request is whole.
  assert.ok(tap.requests().every((r) => r.order.join() === 'req,rsp,end'));
});

test('response filters: only 5xx, only slower than 300 ms, and a combination, each evaluated when the response is known', async (t) => {
  const { h1 } = await origins(t);
  const proxy = await startTestProxy(t, { app: h1.address });
  const response = (r: Partial<NonNullable<Match['response']>>): Match => ({
    response: { statusMin: 0, statusMax: 0, minLatencyMs: 0, hasGrpcStatus: false, grpcStatus: 0, ...r },
  });
  const only5xx = observe(t, proxy.tap, { match: response({ statusMin: 500, statusMax: 599 }) });
  // The slow ones take 800 ms against a 300 ms threshold: a loaded machine cannot blur the difference.
  const slow = observe(t, proxy.tap, { match: response({ minLatencyMs: 300 }) });
  // POST requests, or anything that is not a success.
  const postOrFailure = observe(t, proxy.tap, {
    match: {
      any: { matches: [{ http: { method: 'POST' } }, { not: response({ statusMin: 200, statusMax: 399 }) }] },
    },
  });
  for (const tap of [only5xx, slow, postOrFailure]) await tap.untilEstablished();

  const traffic = [
    ['GET', '/a?status=200'],
    ['GET', '/b?status=500'],
    ['POST', '/c?status=201'],
    ['GET', '/d?status=503&delay=800'],
    ['GET', '/e?status=200&delay=800'],
    ['GET', '/f?status=404'],
    ['POST', '/g?status=502'],
    ['GET', '/h?status=200&delay=20'],
  ] as const;
  for (const [method, path] of traffic) await h1Send(proxy.inbound, method, path);
  await drained(proxy, [only5xx, slow, postOrFailure], 3 * 10);
  const paths = (tap: TapCollector) => tap.requests().map((r) => r.req?.requestInit?.path);
  assert.deepEqual(paths(only5xx), ['/b?status=500', '/d?status=503&delay=800', '/g?status=502']);
  assert.deepEqual(paths(slow), ['/d?status=503&delay=800', '/e?status=200&delay=800']);
  assert.deepEqual(paths(postOrFailure), [
    '/b?status=500',
    '/c?status=201',
    '/d?status=503&delay=800',
    '/f?status=404',
    '/g?status=502',
  ]);
  for (const tap of [only5xx, slow, postOrFailure]) {
    // Whole triples only, with the request's own start time and latency.
    assert.ok(tap.requests().every((r) => r.order.join() === 'req,rsp,end'));
  }
  const d = slow.requests()[0];
  assert.ok((d?.end?.responseEnd?.sinceRequestInitUs ?? 0) >= 800_000);
  assert.ok(
    (d?.req?.timestampMs ?? 0) <= (d?.end?.timestampMs ?? 0) - 140,
    'request_init keeps its start time',
  );
});

test('redaction: Authorization, Cookie, Set-Cookie and a caller-listed header never leave the proxy', async (t) => {
  const { h1 } = await origins(t);
  const proxy = await startTestProxy(t, { app: h1.address });
  const withHeaders = observe(t, proxy.tap, { extractHeaders: true, redactHeaders: ['X-Api-Key'] });
  const without = observe(t, proxy.tap, {});
  await withHeaders.untilEstablished();
  await without.untilEstablished();
  await h1Send(proxy.inbound, 'GET', '/private', {
    authorization: 'Bearer tok-SECRET-1',
    cookie: 'sid=SECRET-2',
    'x-api-key': 'SECRET-3',
    'proxy-authorization': 'Basic SECRET-4',
    'x-visible': 'hello',
  });
  await drained(proxy, [withHeaders, without], 6);
  assert.equal(without.events.length, 3);
  const [req, rsp] = withHeaders.events;
  const headers = Object.fromEntries((req?.requestInit?.headers ?? []).map((h) => [h.name, h.value]));
  assert.equal(headers['authorization'], REDACTED_VALUE);
  assert.equal(headers['cookie'], REDACTED_VALUE);
  assert.equal(headers['x-api-key'], REDACTED_VALUE);
  assert.equal(headers['proxy-authorization'], REDACTED_VALUE);
  assert.equal(headers['x-visible'], 'hello');
  const responseHeaders = Object.fromEntries(
    (rsp?.responseInit?.headers ?? []).map((h) => [h.name, h.value]),
  );
  assert.equal(responseHeaders['set-cookie'], REDACTED_VALUE);
  assert.equal(responseHeaders['content-type'], 'text/plain');
  const wire = JSON.stringify(withHeaders.events);
  assert.ok(!/SECRET|s3cr3t/.test(wire), 'no secret value anywhere in the events');
  assert.deepEqual(without.events[0]?.requestInit?.headers, [], 'headers only when asked for');
});

test('a tap matching nothing stays open and quiet; events flow once matching traffic arrives', async (t) => {
  const { h1 } = await origins(t);
  const proxy = await startTestProxy(t, { app: h1.address });
  const tap = observe(t, proxy.tap, { match: { http: { pathPrefix: '/wanted' } } });
  await tap.untilEstablished();
  for (let i = 0; i < 20; i++) await h1Send(proxy.inbound, 'GET', `/other/${i}`);
  // Every request has been decided (the proxy answered them all) and none was reported.
  assert.equal(await metric(proxy, 'tap_events_emitted_total'), 0);
  assert.equal(tap.events.length, 0);
  assert.equal(tap.status, undefined, 'still open');
  assert.equal(await metric(proxy, 'tap_streams_open'), 1);
  for (let i = 0; i < 5; i++) await h1Send(proxy.inbound, 'GET', `/wanted/${i}`);
  await drained(proxy, tap, 15);
  assert.deepEqual(
    tap.requests().map((r) => r.req?.requestInit?.path),
    ['/wanted/0', '/wanted/1', '/wanted/2', '/wanted/3', '/wanted/4'],
  );
});

test('limit ends the stream after N requests; cancelling closes the tap; bad requests are INVALID_ARGUMENT', async (t) => {
  const { h1 } = await origins(t);
  const proxy = await startTestProxy(t, { app: h1.address });
  const limited = observe(t, proxy.tap, { limit: 3 });
  const cancelled = observe(t, proxy.tap, {});
  await limited.untilEstablished();
  await cancelled.untilEstablished();
  assert.equal(await metric(proxy, 'tap_streams_open'), 2);
  for (let i = 0; i < 5; i++) await h1Send(proxy.inbound, 'GET', `/n/${i}`);
  const status = await limited.finished;
  assert.equal(status.code, grpc.status.OK);
  assert.equal(limited.requests().length, 3);
  cancelled.cancel();
  await waitFor(async () => (await metric(proxy, 'tap_streams_open')) === 0, { what: 'taps closed' });

  for (const bad of [
    { match: { http: { method: '' } } },
    { match: { all: { matches: [{}] } } },
    { maxRps: -1 },
    { redactHeaders: ['not a header'] },
  ]) {
    const s = await observe(t, proxy.tap, bad).finished;
    assert.equal(s.code, grpc.status.INVALID_ARGUMENT, JSON.stringify(bad));
  }
  // The proxy kept serving throughout.
  assert.equal((await h1Send(proxy.inbound, 'GET', '/still')).status, 200);
});

test('--tap off starts no tap listener', async (t) => {
  const { h1 } = await origins(t);
  const proxy = await startTestProxy(t, { app: h1.address, args: ['--tap', 'off'] });
  const s = await observe(t, proxy.tap, {}).finished;
  assert.equal(s.code, grpc.status.UNAVAILABLE);
  assert.equal((await h1Send(proxy.inbound, 'GET', '/')).status, 200);
});

test('on SIGTERM the proxy ends open taps normally, exits 0 and frees the tap port', async (t) => {
  const { h1 } = await origins(t);
  const proxy = await startTestProxy(t, { app: h1.address });
  const tap = observe(t, proxy.tap, {});
  await tap.untilEstablished();
  proxy.proc.child.kill('SIGTERM');
  assert.equal((await tap.finished).code, grpc.status.OK);
  assert.equal(await proxy.proc.exited, 0);
  assert.ok(await portIsFree(Number(proxy.tap.split(':')[1])), 'tap port released');
});
