// stat, routes and edges over the synthetic mesh: every resource type, --from and --to, rows without traffic,
// a proxy restart inside the window; values computed by hand from the simulated traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteRow, StatRow } from '../../../../src/api/gen/metrics.js';
import { computeEdges } from '../../../../src/control/metrics/edges.js';
import { StoreBackend } from '../../../../src/control/metrics/embedded/embedded-backend.js';
import { SeriesStore } from '../../../../src/control/metrics/embedded/store.js';
import type { ResourceKind, ResourceRef } from '../../../../src/control/metrics/resources.js';
import { computeRoutes } from '../../../../src/control/metrics/routes.js';
import { computeStat } from '../../../../src/control/metrics/stat.js';
import {
  AT,
  T0,
  WINDOW,
  identity,
  syntheticRegistry,
  syntheticStore,
} from '../../../fixtures/metrics/synthetic-mesh.js';

const ref = (kind: ResourceKind, namespace: string | undefined, name = ''): ResourceRef => ({
  kind,
  namespace,
  name,
});
const DEMO = 'demo';
const near = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

function rowOf(rows: StatRow[], name: string): StatRow {
  const row = rows.find((r) => r.resource?.name === name);
  assert.ok(row, `no row ${name} in ${rows.map((r) => r.resource?.name).join(',')}`);
  return row;
}

const backend = new StoreBackend(syntheticStore());

async function stat(
  t: Parameters<typeof syntheticRegistry>[0],
  selector: ResourceRef,
  extra: { from?: ResourceRef; to?: ResourceRef } = {},
) {
  return computeStat(backend, syntheticRegistry(t), { selector, ...extra, windowMs: WINDOW, atMs: AT });
}

test('stat workload: server-side numbers of its pods, quantiles, TLS share, TCP, pod counts', async (t) => {
  const rows = await stat(t, ref('workload', DEMO));
  assert.deepEqual(
    rows.map((r) => r.resource?.name),
    ['api', 'legacy', 'load', 'web'],
  );
  const web = rowOf(rows, 'web');
  // 6 + 4 from load, 2 from batch, per second; 1 failing; 10 of 12 over mTLS. The restart of web-1 inside the
  // window loses nothing: the reset adds back what the old counters had.
  near(web.rps, 12, 'web rps');
  assert.equal(web.requests, 360);
  near(web.successRate, 11 / 12, 'web success');
  near(web.tlsShare, 10 / 12, 'web tls');
  // Per second 10 × 15 ms and 2 × 150 ms: p50 in (10, 20]: 10 + 10·6/10; p95, p99 in (100, 200].
  near(web.latencyP50Ms, 16, 'p50');
  near(web.latencyP95Ms, 100 + (100 * 1.4) / 2, 'p95');
  near(web.latencyP99Ms, 100 + (100 * 1.88) / 2, 'p99');
  assert.equal(web.tcpOpenConnections, 4);
  assert.equal(web.meshedPods, 2);
  assert.equal(web.runningPods, 2);
  const api = rowOf(rows, 'api');
  near(api.rps, 5, 'api rps');
  near(api.successRate, 0.8, 'api success');
  near(api.latencyP50Ms, 2.5, 'api p50'); // all in (2, 3]
  near(api.latencyP99Ms, 2.99, 'api p99');
  // No inbound traffic: present, metrics absent.
  const load = rowOf(rows, 'load');
  assert.equal(load.rps, 0);
  assert.equal(load.requests, 0);
  assert.equal(load.successRate, undefined);
  assert.equal(load.latencyP50Ms, undefined);
  assert.equal(load.tlsShare, undefined);
  const legacy = rowOf(rows, 'legacy');
  assert.equal(legacy.meshedPods, 0);
  assert.equal(legacy.runningPods, 1);
});

test('stat by name, pod and namespace, and across all namespaces', async (t) => {
  const one = await stat(t, ref('workload', DEMO, 'api'));
  assert.deepEqual(
    one.map((r) => r.resource?.name),
    ['api'],
  );
  const pods = await stat(t, ref('pod', DEMO));
  near(rowOf(pods, 'web-0').rps, 6, 'web-0');
  near(rowOf(pods, 'web-0').successRate, 5 / 6, 'web-0 success');
  near(rowOf(pods, 'web-1').rps, 6, 'web-1');
  near(rowOf(pods, 'web-1').successRate, 1, 'web-1 success');
  assert.equal(rowOf(pods, 'web-0').tcpOpenConnections, 2);
  assert.deepEqual([rowOf(pods, 'legacy-0').meshedPods, rowOf(pods, 'legacy-0').runningPods], [0, 1]);
  assert.equal(
    pods.find((r) => r.resource?.name === 'batch-0'),
    undefined,
  );
  const namespaces = await stat(t, ref('namespace', undefined));
  const demo = rowOf(namespaces, 'demo');
  near(demo.rps, 17, 'demo rps');
  near(demo.successRate, 15 / 17, 'demo success');
  assert.deepEqual([demo.meshedPods, demo.runningPods], [4, 5]);
  assert.deepEqual(demo.resource, { type: 'namespace', namespace: '', name: 'demo' });
  const other = rowOf(namespaces, 'other');
  assert.deepEqual([other.meshedPods, other.runningPods, other.rps], [1, 1, 0]);
  const all = await stat(t, ref('workload', undefined));
  assert.deepEqual(
    all.map((r) => `${r.resource?.namespace}/${r.resource?.name}`),
    ['demo/api', 'demo/legacy', 'demo/load', 'demo/web', 'other/batch'],
  );
});

test('stat service: client-side numbers by dst_service, from every client namespace', async (t) => {
  const rows = await stat(t, ref('service', DEMO));
  assert.deepEqual(
    rows.map((r) => r.resource?.name),
    ['api', 'legacy', 'web'],
  );
  const web = rowOf(rows, 'web');
  near(web.rps, 12, 'web');
  near(web.successRate, 11 / 12, 'web success');
  near(web.tlsShare, 10 / 12, 'web tls');
  assert.equal(web.tcpOpenConnections, 4);
  assert.deepEqual([web.meshedPods, web.runningPods], [0, 0]);
  assert.deepEqual(web.resource, { type: 'service', namespace: 'demo', name: 'web' });
  // Unmeshed legacy is seen only through its clients.
  const legacy = rowOf(rows, 'legacy');
  near(legacy.rps, 1, 'legacy');
  near(legacy.tlsShare, 0, 'legacy tls');
  assert.equal(legacy.tcpOpenConnections, 1);
  assert.equal(rowOf(rows, 'api').tcpOpenConnections, 0, 'closed connections are not open');
});

test('stat authority: outbound by authority, filtered by the clients namespace; rows only with traffic', async (t) => {
  const demo = await stat(t, ref('authority', DEMO));
  assert.deepEqual(
    demo.map((r) => r.resource?.name),
    ['api.demo:8080', 'legacy.demo:80', 'web.demo:80'],
  );
  near(rowOf(demo, 'web.demo:80').rps, 10, 'from demo clients');
  assert.deepEqual(rowOf(demo, 'web.demo:80').resource, {
    type: 'authority',
    namespace: 'demo',
    name: 'web.demo:80',
  });
  const all = await stat(t, ref('authority', undefined));
  near(rowOf(all, 'web.demo:80').rps, 12, 'from every client');
  const named = await stat(t, ref('authority', 'other', 'web.demo:80'));
  assert.equal(named.length, 1);
  near(named[0]!.rps, 2, 'batch only');
});

test('--from: the source pods outbound traffic, grouped by the selector through dst_* labels', async (t) => {
  const rows = await stat(t, ref('workload', DEMO), { from: ref('workload', DEMO, 'load') });
  const web = rowOf(rows, 'web');
  near(web.rps, 10, 'load → web');
  near(web.successRate, 0.9, 'load → web success');
  near(web.latencyP50Ms, 10 + 10 * (5 / 8), 'p50 of 8 fast, 2 slow per second');
  assert.equal(web.tcpOpenConnections, 3);
  assert.equal(rowOf(rows, 'api').rps, 0);
  assert.equal(rowOf(rows, 'api').successRate, undefined);
  const pods = await stat(t, ref('pod', DEMO), { from: ref('workload', DEMO, 'load') });
  near(rowOf(pods, 'web-0').rps, 6, 'load → web-0');
  near(rowOf(pods, 'web-1').rps, 4, 'load → web-1');
  const svc = await stat(t, ref('service', DEMO), { from: ref('namespace', undefined, 'other') });
  near(rowOf(svc, 'web').rps, 2, 'other → web');
  assert.equal(rowOf(svc, 'api').rps, 0);
  const ns = await stat(t, ref('namespace', undefined), { from: ref('pod', DEMO, 'web-1') });
  near(rowOf(ns, 'demo').rps, 1, 'web-1 → demo (legacy)');
});

test('--to: the selector pods outbound traffic to the destination', async (t) => {
  const rows = await stat(t, ref('workload', undefined), { to: ref('service', DEMO, 'web') });
  near(rowOf(rows, 'load').rps, 10, 'load → web');
  near(rowOf(rows, 'batch').rps, 2, 'batch → web');
  near(rowOf(rows, 'batch').tlsShare, 0, 'batch has no identity');
  assert.equal(rowOf(rows, 'web').rps, 0, 'web does not call itself');
  const pods = await stat(t, ref('pod', DEMO), { to: ref('pod', DEMO, 'web-1') });
  near(rowOf(pods, 'load-0').rps, 4, 'load-0 → web-1');
  assert.equal(rowOf(pods, 'load-0').tcpOpenConnections, 1);
  const any = await stat(t, ref('workload', DEMO), { to: ref('workload', DEMO) });
  near(rowOf(any, 'web').rps, 6, 'web → api + legacy');
  const auth = await stat(t, ref('workload', DEMO), { to: ref('authority', undefined, 'api.demo:8080') });
  near(rowOf(auth, 'web').rps, 5, 'web → api.demo:8080');
  assert.equal(rowOf(auth, 'web').tcpOpenConnections, 0, 'TCP series carry no authority');
});

test('routes: server side per route, by service, and client side with to', async (t) => {
  const registry = syntheticRegistry(t);
  const q = { windowMs: WINDOW, atMs: AT };
  const find = (rows: RouteRow[], route: string) => {
    const r = rows.find((x) => x.route === route);
    assert.ok(r, `no route ${route}`);
    return r;
  };
  const web = await computeRoutes(backend, registry, { selector: ref('workload', DEMO, 'web'), ...q });
  assert.deepEqual(
    web.map((r) => r.route),
    ['GET /books/{id}', 'POST /books'],
  );
  const get = find(web, 'GET /books/{id}');
  near(get.rps, 10, 'GET');
  near(get.successRate, 1, 'GET success');
  near(get.latencyP50Ms, 15, 'GET p50');
  assert.equal(get.authority, 'web.demo:80');
  assert.deepEqual(get.resource, { type: 'workload', namespace: 'demo', name: 'web' });
  const post = find(web, 'POST /books');
  near(post.rps, 2, 'POST');
  near(post.successRate, 0.5, 'POST success');
  near(post.latencyP99Ms, 100 + 100 * 0.99, 'POST p99');
  assert.equal(post.requests, 60);
  assert.equal(post.retriesPerSecond, 0);

  const svc = await computeRoutes(backend, registry, { selector: ref('service', DEMO, 'web'), ...q });
  assert.deepEqual(
    svc.map((r) => [r.route, r.resource?.type, r.resource?.name]),
    [
      ['GET /books/{id}', 'service', 'web'],
      ['POST /books', 'service', 'web'],
    ],
  );
  near(find(svc, 'GET /books/{id}').rps, 10, 'service GET');

  const client = await computeRoutes(backend, registry, {
    selector: ref('workload', DEMO, 'load'),
    to: ref('service', DEMO, 'web'),
    ...q,
  });
  near(find(client, 'GET /books/{id}').rps, 8, 'load → web GET');
  near(find(client, 'POST /books').successRate, 0.5, 'load → web POST success');
  assert.deepEqual(find(client, 'POST /books').resource, {
    type: 'workload',
    namespace: 'demo',
    name: 'load',
  });
  const elsewhere = await computeRoutes(backend, registry, {
    selector: ref('workload', DEMO, 'load'),
    to: ref('service', DEMO, 'api'),
    ...q,
  });
  assert.deepEqual(elsewhere, []);
  const byPod = await computeRoutes(backend, registry, {
    selector: ref('workload', DEMO),
    to: ref('pod', DEMO, 'api-0'),
    ...q,
  });
  assert.deepEqual(
    byPod.map((r) => [r.resource?.name, r.route, r.rps]),
    [['web', 'GET /items', 5]],
  );
});

test("routes: retries per second come from the client proxies' route_retry_total", async (t) => {
  const store = new SeriesStore({ retentionMs: 600_000, intervalMs: 1000, maxSeries: 100 });
  const target = { namespace: 'demo', workload: 'load', pod: 'load-0' };
  const labels = { direction: 'outbound', authority: 'web.demo:80', route: 'GET /' };
  for (let s = 0; s <= 10; s++) {
    store.append(target, T0 + s * 1000, [
      { name: 'route_response_total', labels: { ...labels, classification: 'success' }, value: 10 * s },
      { name: 'route_retry_total', labels, value: 3 * s },
    ]);
  }
  const rows = await computeRoutes(new StoreBackend(store), syntheticRegistry(t), {
    selector: ref('workload', DEMO, 'load'),
    to: ref('service', DEMO, 'web'),
    windowMs: 10_000,
    atMs: T0 + 10_000,
  });
  assert.equal(rows.length, 1);
  near(rows[0]!.rps, 10, 'effective');
  near(rows[0]!.retriesPerSecond, 3, 'retries');
});

test('edges: open connections by source and destination, secured or why not', async (t) => {
  const registry = syntheticRegistry(t);
  const demo = await computeEdges(backend, registry, { selector: ref('workload', DEMO), atMs: AT });
  assert.deepEqual(
    demo.map((e) => [e.src?.name, e.dst?.name, e.secured, e.noTlsReason]),
    [
      ['load', 'web', true, ''],
      ['web', 'legacy', false, 'not_meshed'],
    ],
  );
  assert.equal(demo[0]!.serverId, identity('web', 'demo'), 'from the server_id label');
  assert.equal(demo[0]!.clientId, identity('load', 'demo'), 'from the registry');
  assert.equal(demo[1]!.clientId, '');
  const all = await computeEdges(backend, registry, { selector: ref('workload', undefined), atMs: AT });
  const batch = all.find((e) => e.src?.name === 'batch');
  assert.deepEqual(
    [batch?.src?.namespace, batch?.dst?.namespace, batch?.dst?.name, batch?.secured, batch?.noTlsReason],
    ['other', 'demo', 'web', false, 'no_identity'],
  );
  const pods = await computeEdges(backend, registry, { selector: ref('pod', DEMO), atMs: AT });
  assert.deepEqual(
    pods.map((e) => `${e.src?.name}>${e.dst?.name}`),
    ['load-0>web-0', 'load-0>web-1', 'web-1>legacy-0'],
  );
  const one = await computeEdges(backend, registry, { selector: ref('workload', DEMO, 'web'), atMs: AT });
  assert.deepEqual(
    one.map((e) => e.dst?.name),
    ['legacy'],
  );
});

test('a window wholly before the traffic has no numbers; one reaching before the first scrape extrapolates', async (t) => {
  const rows = await computeStat(backend, syntheticRegistry(t), {
    selector: ref('workload', DEMO, 'web'),
    windowMs: 10_000,
    atMs: T0 - 1,
  });
  assert.equal(rows[0]!.successRate, undefined);
  assert.equal(rows[0]!.rps, 0);
  // Samples exist from 2 s (the series appear at the first scrape after traffic started) to 10 s; a window
  // of 10 s ending at 10 s extrapolates back towards 0 s, limited by the counter's zero point: exact here.
  const early = await computeStat(backend, syntheticRegistry(t), {
    selector: ref('workload', DEMO, 'web'),
    windowMs: 10_000,
    atMs: T0 + 10_000,
  });
  near(early[0]!.rps, 12, 'early rps');
});
