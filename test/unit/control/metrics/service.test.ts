// The Metrics gRPC service over a real grpc-js connection: answers, validation (INVALID_ARGUMENT with precise
// messages), unknown resources (NOT_FOUND), back-end failures (UNAVAILABLE), and its own metrics.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  MetricsClient,
  EdgesRequest,
  RoutesRequest,
  StatRequest,
  type EdgesResponse,
  type RoutesResponse,
  type StatResponse,
} from '../../../../src/api/gen/metrics.js';
import { StoreBackend } from '../../../../src/control/metrics/embedded/embedded-backend.js';
import { parseExposition } from '../../../../src/control/metrics/embedded/exposition.js';
import { createMetricsService, type MetricsServiceOptions } from '../../../../src/control/metrics/service.js';
import { freePort } from '../../../helpers/ports.js';
import { AT, syntheticRegistry, syntheticStore } from '../../../fixtures/metrics/synthetic-mesh.js';

const store = syntheticStore();

async function serve(t: TestContext, options: Partial<MetricsServiceOptions> = {}) {
  const component = createMetricsService({
    registry: syntheticRegistry(t),
    backend: new StoreBackend(store),
    now: () => AT,
    ...options,
  });
  const server = new grpc.Server();
  server.addService(component.definition, component.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const client = new MetricsClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.after(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await component.close();
  });
  // Requests are built with fromPartial, as a client would, so unset fields get their defaults.
  const settle =
    <Res>(resolve: (r: Res) => void, reject: (e: unknown) => void) =>
    (err: grpc.ServiceError | null, r: Res) =>
      err ? reject(err) : resolve(r);
  return {
    component,
    stat: (req: Partial<StatRequest>) =>
      new Promise<StatResponse>((resolve, reject) =>
        client.stat(StatRequest.fromPartial(req), settle(resolve, reject)),
      ),
    routes: (req: Partial<RoutesRequest>) =>
      new Promise<RoutesResponse>((resolve, reject) =>
        client.routes(RoutesRequest.fromPartial(req), settle(resolve, reject)),
      ),
    edges: (req: Partial<EdgesRequest>) =>
      new Promise<EdgesResponse>((resolve, reject) =>
        client.edges(EdgesRequest.fromPartial(req), settle(resolve, reject)),
      ),
  };
}

const res = (type: string, name = '', namespace = '') => ({ type, name, namespace });

async function rejects(p: Promise<unknown>, code: grpc.status, message: RegExp, errorCode?: string) {
  await assert.rejects(p, (err: grpc.ServiceError) => {
    assert.equal(err.code, code, `${grpc.status[err.code]}: ${err.details}`);
    assert.match(err.details, message);
    if (errorCode !== undefined) assert.deepEqual(err.metadata.get('mesh-error-code'), [errorCode]);
    return true;
  });
}

test('Stat, Routes and Edges answer over gRPC; optional fields keep "no data" apart from zero', async (t) => {
  const api = await serve(t);
  const stat = await api.stat({ selector: res('deploy', '', 'demo'), windowMs: 30_000 });
  assert.equal(stat.source, 'embedded');
  assert.equal(stat.windowMs, 30_000);
  const web = stat.rows.find((r) => r.resource?.name === 'web');
  assert.ok(web && Math.abs(web.rps - 12) < 1e-9);
  assert.ok(web.successRate !== undefined && Math.abs(web.successRate - 11 / 12) < 1e-9);
  const load = stat.rows.find((r) => r.resource?.name === 'load');
  assert.equal(load?.successRate, undefined);
  assert.equal(load?.latencyP99Ms, undefined);
  // The default namespace is "default", which has nothing; 0 means a one-minute window.
  const empty = await api.stat({ selector: res('workload') });
  assert.deepEqual(empty.rows, []);
  assert.equal(empty.windowMs, 60_000);
  const routes = await api.routes({ selector: res('po', 'web-0', 'demo'), windowMs: 30_000 });
  assert.deepEqual(
    routes.rows.map((r) => [r.route, r.rps]),
    [
      ['GET /books/{id}', 5],
      ['POST /books', 1],
    ],
  );
  const edges = await api.edges({ selector: res('deployment'), allNamespaces: true });
  assert.deepEqual(
    edges.edges.map((e) => `${e.src?.name}>${e.dst?.name}:${e.secured}`),
    ['load>web:true', 'web>legacy:false', 'batch>web:false'],
  );
  // An all-empty Resource is "unset", as clients send it.
  const unset = await api.stat({ selector: res('svc', 'web', 'demo'), from: res(''), windowMs: 30_000 });
  assert.equal(unset.rows.length, 1);
});

test('invalid requests are INVALID_ARGUMENT with a message that says what is wrong', async (t) => {
  const api = await serve(t);
  const BAD = grpc.status.INVALID_ARGUMENT;
  await rejects(
    api.stat({ selector: res('workload'), windowMs: 5000 }),
    BAD,
    /^window_ms: 5000 is out of range; expected 10000…3600000 \(10 s … 1 h\), or 0 for 1 minute$/,
    'MESH_METRICS_BAD_REQUEST',
  );
  await rejects(api.routes({ selector: res('workload'), windowMs: 3_600_001 }), BAD, /window_ms: 3600001/);
  await rejects(
    api.stat({ selector: res('bogus') }),
    BAD,
    /^selector: unknown resource type "bogus"; expected one of namespace, workload/,
  );
  await rejects(api.stat({}), BAD, /^selector: a resource type is required/);
  await rejects(
    api.stat({ selector: res('workload'), from: res('workload', 'load'), to: res('service', 'web') }),
    BAD,
    /^from and to are exclusive/,
  );
  await rejects(
    api.stat({ selector: res('workload', '', 'demo'), from: res('service', 'web') }),
    BAD,
    /^from: a service sends no traffic/,
  );
  await rejects(
    api.stat({ selector: res('workload'), to: res('authority', 'not an authority!') }),
    BAD,
    /^to: "not an authority!" is not an authority/,
  );
  await rejects(
    api.edges({ selector: res('service', '', 'demo') }),
    BAD,
    /^selector: edges are drawn between workloads or pods, not services$/,
  );
  await rejects(
    api.routes({ selector: res('service', 'web', 'demo'), to: res('service', 'api', 'demo') }),
    BAD,
    /routes --to needs a namespace, workload or pod/,
  );
});

test('named resources the registry does not know are NOT_FOUND', async (t) => {
  const api = await serve(t);
  const NF = grpc.status.NOT_FOUND;
  await rejects(
    api.stat({ selector: res('workload', 'nope', 'demo') }),
    NF,
    /^selector: workload demo\/nope not found$/,
    'MESH_METRICS_NOT_FOUND',
  );
  await rejects(api.stat({ selector: res('workload', 'web', 'other') }), NF, /workload other\/web not found/);
  await rejects(
    api.stat({ selector: res('workload', '', 'demo'), to: res('svc', 'nope', 'demo') }),
    NF,
    /^to: service demo\/nope not found$/,
  );
  await rejects(
    api.stat({ selector: res('workload', '', 'demo'), from: res('ns', 'nope') }),
    NF,
    /^from: namespace nope not found$/,
  );
  await rejects(api.routes({ selector: res('pod', 'nope-0', 'demo') }), NF, /pod demo\/nope-0 not found/);
  await rejects(api.edges({ selector: res('pod', 'nope-0', 'demo') }), NF, /pod demo\/nope-0 not found/);
  await rejects(
    api.stat({ selector: res('authority', 'nowhere.test:80') }),
    NF,
    /authority nowhere.test:80 not found/,
  );
  // Known to the registry but without traffic: a row with no data, not an error.
  const quiet = await api.stat({ selector: res('authority', 'api.demo:8080', 'other'), windowMs: 30_000 });
  assert.deepEqual(
    quiet.rows.map((r) => [r.resource?.name, r.successRate]),
    [['api.demo:8080', undefined]],
  );
});

test('a back end that cannot answer makes the call UNAVAILABLE, and the component counts it', async (t) => {
  const port = await freePort();
  const api = await serve(t, {
    backend: { type: 'prometheus', url: `http://127.0.0.1:${port}`, timeoutMs: 2000 },
  });
  await rejects(
    api.stat({ selector: res('workload', '', 'demo') }),
    grpc.status.UNAVAILABLE,
    new RegExp(`^Prometheus at http://127\\.0\\.0\\.1:${port}/api/v1/query did not answer`),
    'MESH_METRICS_BACKEND_UNAVAILABLE',
  );
  const text = api.component.metricsText();
  const parsed = parseExposition(text);
  assert.equal(parsed.errors, 0, parsed.firstError);
  const sample = (name: string, labels: Record<string, string> = {}) =>
    parsed.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      ?.value;
  assert.equal(sample('mesh_metrics_api_calls_total', { method: 'Stat', code: 'UNAVAILABLE' }), 1);
  assert.equal(sample('mesh_metrics_backend_info', { source: 'prometheus' }), 1);
  assert.ok((sample('mesh_metrics_prometheus_query_failures_total') ?? 0) >= 1);
  assert.equal(sample('mesh_metrics_api_call_duration_ms_count', { method: 'Stat' }), 1);
});
