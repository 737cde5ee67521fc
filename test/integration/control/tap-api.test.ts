// TapAPI.Watch over real proxy processes: it finds a resource's proxies in the registry, merges their
// events (each naming its proxy) at the overall rate, follows registry changes, retries unreachable proxies,
// and a cancelled watch cancels every proxy stream.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import { ProxyDirection } from '../../../src/api/gen/tap.js';
import { createLogger, type Logger } from '../../../src/common/logger.js';
import type { LocalRegistry } from '../../../src/control/registry/local-registry.js';
import { createTapService, type TapApi } from '../../../src/control/tap/service.js';
import { startTestProxy, type TestProxy } from '../../helpers/mesh.js';
import { startH2Origin, startHttpOrigin } from '../../helpers/origins.js';
import { freePort } from '../../helpers/ports.js';
import { sumOf } from '../../helpers/prom.js';
import { meshSpec, testRegistry, type TestInstance } from '../../helpers/registry.js';
import { watch, type TapCollector } from '../../helpers/tap.js';
import { waitFor } from '../../helpers/wait.js';

async function startTapApi(
  t: TestContext,
  registry: LocalRegistry,
  logger: Logger = createLogger('tap-test', 'silent'),
): Promise<{ address: string; api: TapApi }> {
  const api = createTapService({
    registry,
    logger,
    // Short, so a proxy that comes up later is found quickly.
    backoff: { minMs: 50, maxMs: 400 },
  });
  const server = new grpc.Server();
  server.addService(api.definition, api.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  t.after(() => {
    api.close();
    server.forceShutdown();
  });
  return { address: `127.0.0.1:${port}`, api };
}

async function metric(proxy: TestProxy, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sumOf(await proxy.metrics(), name, labels);
}

async function openTaps(...proxies: TestProxy[]): Promise<number[]> {
  return Promise.all(proxies.map((p) => metric(p, 'tap_streams_open')));
}

async function untilOpen(proxies: TestProxy[], want: number[]): Promise<void> {
  await waitFor(async () => (await openTaps(...proxies)).join() === want.join(), {
    what: `open taps ${want.join()}`,
    timeoutMs: 15_000,
  });
}

/** Waits until the watch has every event the proxies emitted since `before` (traffic must be done). */
async function drained(
  proxies: TestProxy[],
  tap: TapCollector,
  before: number,
  atLeast: number,
): Promise<void> {
  await waitFor(
    async () => {
      let emitted = -before;
      for (const p of proxies) emitted += await metric(p, 'tap_events_emitted_total');
      return emitted >= atLeast && tap.events.length === emitted;
    },
    { what: `${atLeast} events through the TapAPI`, timeoutMs: 20_000 },
  );
}

async function emittedTotal(proxies: TestProxy[]): Promise<number> {
  let n = 0;
  for (const p of proxies) n += await metric(p, 'tap_events_emitted_total');
  return n;
}

function instance(name: string, p: TestProxy): TestInstance {
  return { name, address: p.inbound, tap: p.tap, admin: p.admin };
}

const h1Get = async (addr: string, method: string, path: string) => {
  const res = await request(`http://${addr}${path}`, {
    method: method as 'GET',
    headers: { host: 'web.demo' },
    ...(method === 'POST' ? { body: 'p' } : {}),
  });
  return { status: res.statusCode, bytes: (await res.body.arrayBuffer()).byteLength };
};

test('TapAPI over a workload of two proxies', async (t) => {
  const h1 = await startHttpOrigin(t, (req, res) => {
    const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
    req.resume();
    req.on('end', () => {
      res.writeHead(status);
      res.end('a'.repeat(status % 97));
    });
  });
  const h2 = await startH2Origin(t, (stream, headers) => {
    const status = Number(new URL(String(headers[':path']), 'http://x').searchParams.get('status') ?? 200);
    stream.on('data', () => undefined);
    stream.on('end', () => {
      stream.respond({ ':status': status });
      stream.end('b'.repeat(status % 89));
    });
  });
  const env = (pod: string) => ({
    MESH_PROXY_NAMESPACE: 'demo',
    MESH_PROXY_WORKLOAD: 'web',
    MESH_PROXY_POD: pod,
  });
  const web0 = await startTestProxy(t, { app: h1.address, env: env('web-0') });
  const web1 = await startTestProxy(t, { app: h2.address, env: env('web-1') });
  const proxies = [web0, web1];
  const registry = testRegistry(
    t,
    meshSpec(
      [{ name: 'web', namespace: 'demo', instances: [instance('web-0', web0), instance('web-1', web1)] }],
      [{ name: 'web-svc', namespace: 'demo', workload: 'web' }],
    ),
  );
  const { address, api } = await startTapApi(t, registry);
  const session = http2.connect(`http://${web1.inbound}`);
  t.after(() => session.destroy());
  const h2Send = (method: string, path: string) =>
    new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      const req = session.request({ ':method': method, ':path': path, ':authority': 'web.demo' });
      let status = 0;
      let bytes = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => resolve({ status, bytes }));
      req.on('error', reject);
      req.end();
    });

  await t.test(
    'exactly the 100 requests made, each event naming its proxy; cancel closes every proxy stream',
    async (st) => {
      const tap = watch(st, address, {
        target: { type: 'deploy', namespace: 'demo', name: 'web' },
        maxRps: 10_000,
      });
      await tap.untilEstablished();
      await untilOpen(proxies, [1, 1]);
      const before = await emittedTotal(proxies);
      const statuses = [200, 201, 404, 500, 503];
      const expected = Array.from({ length: 100 }, (_, i) => {
        const h2Request = i % 10 >= 7;
        const status = statuses[i % 5] as number;
        return {
          proxy: h2Request ? 'web-1' : 'web-0',
          method: i % 3 === 0 ? 'POST' : 'GET',
          path: `/api/${i}?status=${status}`,
          status,
          bytes: h2Request ? status % 89 : status % 97,
        };
      });
      for (const e of expected) {
        const r =
          e.proxy === 'web-0' ? await h1Get(web0.inbound, e.method, e.path) : await h2Send(e.method, e.path);
        assert.deepEqual(r, { status: e.status, bytes: e.bytes });
      }
      await drained(proxies, tap, before, 300);
      const seen = tap.requests();
      assert.equal(seen.length, 100);
      const byPath = new Map(seen.map((r) => [r.req?.requestInit?.path, r]));
      for (const e of expected) {
        const r = byPath.get(e.path);
        assert.ok(r?.req && r.rsp && r.end, e.path);
        assert.deepEqual(r.order, ['req', 'rsp', 'end']);
        for (const ev of [r.req, r.rsp, r.end]) {
          assert.equal(ev.proxy, e.proxy, e.path);
          assert.equal(ev.proxyDirection, ProxyDirection.PROXY_DIRECTION_INBOUND);
          assert.deepEqual(ev.destinationMeta, { namespace: 'demo', workload: 'web', pod: e.proxy });
        }
        assert.equal(r.req.requestInit?.method, e.method);
        assert.equal(r.req.requestInit?.authority, 'web.demo:80');
        assert.equal(r.rsp.responseInit?.httpStatus, e.status);
        assert.equal(r.end.responseEnd?.responseBytes, e.bytes);
        const latency = r.end.responseEnd?.sinceRequestInitUs ?? -1;
        assert.ok(latency > 0 && latency < 5_000_000, `latency ${latency}µs`);
      }

      assert.equal(api.stats().openWatches, 1);
      tap.cancel();
      await untilOpen(proxies, [0, 0]);
      await waitFor(() => api.stats().openWatches === 0, { what: 'watch closed' });
    },
  );

  await t.test('max_rps is the overall rate over all proxies', async (st) => {
    const tap = watch(st, address, {
      target: { type: 'svc', namespace: 'demo', name: 'web-svc' },
      maxRps: 20,
    });
    await tap.untilEstablished();
    await untilOpen(proxies, [1, 1]);
    const before = await emittedTotal(proxies);
    const decidedBefore = await decided(proxies);
    const first = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const wait = first + i * 10 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(i % 2 === 0 ? h1Get(web0.inbound, 'GET', `/r/${i}`) : h2Send('GET', `/r/${i}`));
    }
    const seconds = (performance.now() - first) / 1000;
    await Promise.all(pending);
    // Every request has been decided by its proxy (reported or dropped at its 10/s share)…
    await waitFor(async () => (await decided(proxies)) - decidedBefore === 300, {
      what: 'every request decided',
    });
    // …and every event the proxies sent has reached the TapAPI and been forwarded or dropped.
    const emitted = (await emittedTotal(proxies)) - before;
    await waitFor(
      () => api.stats().eventsReceived === emitted && tap.events.length === api.stats().eventsForwarded,
      { what: 'merged stream settled' },
    );
    const seen = tap.requests().filter((r) => r.req).length;
    const stamps = tap.requests().map((r) => r.req?.timestampMs ?? 0);
    const window = (Math.max(...stamps) - Math.min(...stamps) + 2) / 1000;
    assert.ok(seen <= 20 * window + 5, `${seen} requests in ${window.toFixed(3)} s`);
    const nominal = 20 * seconds;
    assert.ok(
      Math.abs(seen - nominal) <= nominal * 0.2,
      `${seen} over ${seconds.toFixed(2)} s, expected ≈ ${nominal}`,
    );
    assert.ok(
      tap.requests().every((r) => r.order.join() === 'req,rsp,end'),
      'whole requests only',
    );
    assert.deepEqual([...new Set(tap.events.map((e) => e.proxy))].sort(), ['web-0', 'web-1']);
    tap.cancel();
    await untilOpen(proxies, [0, 0]);
  });
});

/** Requests the proxies have decided on: reported, or dropped for rate or back-pressure. */
async function decided(proxies: TestProxy[]): Promise<number> {
  let n = 0;
  for (const p of proxies) {
    n += (await metric(p, 'tap_requests_reported_total')) + (await metric(p, 'tap_requests_dropped_total'));
  }
  return n;
}

test('a watch follows the registry and retries an unreachable proxy without disturbing the others', async (t) => {
  const origin = await startHttpOrigin(t, (req, res) => {
    req.resume();
    res.end('ok');
  });
  const web0 = await startTestProxy(t, { app: origin.address });
  const registry = testRegistry(
    t,
    meshSpec([{ name: 'web', namespace: 'demo', instances: [instance('web-0', web0)] }]),
  );
  const { address, api } = await startTapApi(t, registry);
  const tap = watch(t, address, { target: { type: 'workload', namespace: 'demo', name: 'web' } });
  await tap.untilEstablished();
  await untilOpen([web0], [1]);

  // An instance joins whose proxy is not up yet: the watch keeps retrying it, and web-0 keeps reporting.
  const laterTap = `127.0.0.1:${await freePort()}`;
  registry.replace(
    meshSpec([
      {
        name: 'web',
        namespace: 'demo',
        instances: [instance('web-0', web0), { name: 'web-1', address: '127.0.0.1:1', tap: laterTap }],
      },
    ]),
  );
  await h1Get(web0.inbound, 'GET', '/while-web-1-is-down');
  await waitFor(() => tap.count('end') === 1, { what: "web-0's event" });
  assert.equal(tap.events[0]?.proxy, 'web-0');

  const web1 = await startTestProxy(t, { app: origin.address, args: ['--tap', laterTap] });
  await untilOpen([web0, web1], [1, 1]);
  await h1Get(web1.inbound, 'GET', '/from-web-1');
  await waitFor(() => tap.count('end') === 2, { what: "web-1's event" });
  assert.equal(tap.events.at(-1)?.proxy, 'web-1');
  assert.equal(api.stats().connectedProxies, 2);

  // web-0 leaves the workload: its stream is cancelled, web-1's stays.
  registry.replace(
    meshSpec([
      { name: 'web', namespace: 'demo', instances: [{ ...instance('web-1', web1), tap: laterTap }] },
    ]),
  );
  await untilOpen([web0, web1], [0, 1]);
  await h1Get(web0.inbound, 'GET', '/no-longer-tapped');
  await h1Get(web1.inbound, 'GET', '/still-tapped');
  await waitFor(() => tap.count('end') === 3, { what: 'third event' });
  assert.equal(await metric(web0, 'tap_events_emitted_total'), 3, 'web-0 reported nothing after it left');
  assert.deepEqual(
    tap.requests().map((r) => r.req?.requestInit?.path),
    ['/while-web-1-is-down', '/from-web-1', '/still-tapped'],
  );
  tap.cancel();
  await untilOpen([web0, web1], [0, 0]);
});

test('unknown resources are NOT_FOUND, bad arguments INVALID_ARGUMENT; a target with nothing to tap stays open and quiet', async (t) => {
  const registry = testRegistry(
    t,
    meshSpec([{ name: 'web', namespace: 'demo', instances: [{ name: 'web-0', address: '127.0.0.1:1' }] }]),
  );
  const lines: string[] = [];
  const logger = createLogger('tap-test', 'info', { write: (line: string) => lines.push(line) });
  const { address, api } = await startTapApi(t, registry, logger);
  const code = async (req: Parameters<typeof watch>[2]) => (await watch(t, address, req).finished).code;
  assert.equal(
    await code({ target: { type: 'deploy', namespace: 'demo', name: 'nope' } }),
    grpc.status.NOT_FOUND,
  );
  assert.equal(
    await code({ target: { type: 'pod', namespace: 'other', name: 'web-0' } }),
    grpc.status.NOT_FOUND,
  );
  assert.equal(
    await code({ target: { type: 'cronjob', namespace: 'demo', name: 'x' } }),
    grpc.status.INVALID_ARGUMENT,
  );
  assert.equal(await code({}), grpc.status.INVALID_ARGUMENT);
  const web = { type: 'deploy', namespace: 'demo', name: 'web' };
  assert.equal(await code({ target: web, maxRps: -5 }), grpc.status.INVALID_ARGUMENT);
  assert.equal(await code({ target: web, maxRps: 1e9 }), grpc.status.INVALID_ARGUMENT);
  assert.equal(await code({ target: web, match: { http: {} } }), grpc.status.INVALID_ARGUMENT);
  assert.equal(await code({ target: web, redactHeaders: ['a b'] }), grpc.status.INVALID_ARGUMENT);
  assert.equal(
    await code({ target: { type: 'deploy', namespace: 'demo\n{"level":60}', name: 'web' } }),
    grpc.status.NOT_FOUND,
  );
  // Tap parameters reach the log quoted: one JSON line per entry, the forged line only as escaped text.
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(entries.length >= 9 && entries.every((e) => e['level'] === 30), 'no forged entry');
  const forged = entries.find((e) => String(e['target']).includes('level'));
  assert.equal(forged?.['target'], '"deploy/demo\\n{\\"level\\":60}/web"');

  // web-0 is unmeshed (no tap listener): the watch is accepted, stays open, and says nothing.
  const quiet = watch(t, address, { target: web });
  await quiet.untilEstablished();
  assert.equal(api.stats().openWatches, 1);
  assert.equal(quiet.status, undefined);
  assert.equal(quiet.events.length, 0);
  quiet.cancel();
  await waitFor(() => api.stats().openWatches === 0, { what: 'watch closed' });
});
