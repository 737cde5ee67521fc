// The Prometheus back end against a fake Prometheus HTTP API: the exact PromQL it sends, how it reads
// vectors (NaN, +Inf, missing labels), and how it reports failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { MetricsApiError } from '../../../../src/control/metrics/errors.js';
import { PrometheusBackend } from '../../../../src/control/metrics/prometheus/prometheus-backend.js';
import { quote } from '../../../../src/control/metrics/prometheus/promql.js';
import { eq, neq, re } from '../../../../src/control/metrics/promql/selector.js';
import { readBody, startHttpOrigin } from '../../../helpers/origins.js';

type Answer = (query: string, time: string) => { status?: number; body: unknown };

async function fakePrometheus(t: Parameters<typeof startHttpOrigin>[0], answer: Answer) {
  const seen: { path: string; query: string; time: string }[] = [];
  const origin = await startHttpOrigin(t, (req: http.IncomingMessage, res: http.ServerResponse) => {
    void readBody(req).then((body) => {
      const form = new URLSearchParams(body.toString());
      const query = form.get('query') ?? '';
      const time = form.get('time') ?? '';
      seen.push({ path: req.url ?? '', query, time });
      const a = answer(query, time);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  return { url: `http://${origin.address}`, seen };
}

const vector = (result: { metric: Record<string, string>; value: string }[]) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: result.map((r) => ({ metric: r.metric, value: [1700000000, r.value] })),
  },
});

const SEL = { metric: 'response_total', matchers: [eq('direction', 'inbound'), eq('namespace', 'demo')] };

test('sends the PromQL of each aggregation, at the evaluation time, to /api/v1/query under a path prefix', async (t) => {
  const prom = await fakePrometheus(t, () => ({ body: vector([]) }));
  const b = new PrometheusBackend({ url: `${prom.url}/prom/` });
  await b.sumIncrease(SEL, ['namespace', 'workload', 'classification'], 30_000, 1_700_000_000_123);
  await b.histogramQuantiles(
    [0.5, 0.99],
    { ...SEL, metric: 'response_latency_ms_bucket' },
    ['namespace'],
    60_000,
    1_700_000_000_000,
  );
  await b.sumLatest({ metric: 'tcp_open_connections', matchers: [eq('peer', 'src')] }, [], 1_700_000_000_000);
  await b.sumLatest(
    { metric: 'x', matchers: [neq('a', ''), re('authority', 'web\\.demo:80|api')] },
    ['a'],
    0,
  );
  assert.deepEqual(
    prom.seen.map((s) => [s.path, s.query, s.time]),
    [
      [
        '/prom/api/v1/query',
        'sum by (namespace, workload, classification) (increase(response_total{direction="inbound",namespace="demo"}[30000ms]))',
        '1700000000.123',
      ],
      [
        '/prom/api/v1/query',
        'histogram_quantile(0.5, sum by (le, namespace) (increase(response_latency_ms_bucket{direction="inbound",namespace="demo"}[60000ms])))',
        '1700000000.000',
      ],
      [
        '/prom/api/v1/query',
        'histogram_quantile(0.99, sum by (le, namespace) (increase(response_latency_ms_bucket{direction="inbound",namespace="demo"}[60000ms])))',
        '1700000000.000',
      ],
      ['/prom/api/v1/query', 'sum(tcp_open_connections{peer="src"})', '1700000000.000'],
      ['/prom/api/v1/query', 'sum by (a) (x{a!="",authority=~"web\\\\.demo:80|api"})', '0.000'],
    ],
  );
});

test('label values are quoted as PromQL string literals', () => {
  assert.equal(quote('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
});

test('reads vectors: values as strings, missing labels as empty, NaN quantiles as no value', async (t) => {
  const prom = await fakePrometheus(t, (query) => {
    if (query.startsWith('histogram_quantile(0.5,')) {
      return {
        body: vector([
          { metric: { workload: 'web' }, value: '16.25' },
          { metric: { workload: 'api' }, value: 'NaN' },
        ]),
      };
    }
    if (query.startsWith('histogram_quantile(0.99,')) {
      return {
        body: vector([
          { metric: { workload: 'web' }, value: '+Inf' },
          { metric: { workload: 'api' }, value: 'NaN' },
        ]),
      };
    }
    return {
      body: vector([
        { metric: { workload: 'web' }, value: '12.5' },
        { metric: {}, value: '1e3' },
      ]),
    };
  });
  const b = new PrometheusBackend({ url: prom.url });
  const sums = await b.sumIncrease(SEL, ['workload', 'tls'], 30_000, 0);
  assert.deepEqual(sums, [
    { labels: { workload: 'web', tls: '' }, value: 12.5 },
    { labels: { workload: '', tls: '' }, value: 1000 },
  ]);
  const q = await b.histogramQuantiles([0.5, 0.99], SEL, ['workload'], 30_000, 0);
  // api had no observations: left out, as the embedded back end does.
  assert.deepEqual(q, [{ labels: { workload: 'web' }, values: [16.25, Infinity] }]);
});

test('errors: a rejected query, a server error, garbage, a matrix, a bad URL', async (t) => {
  const prom = await fakePrometheus(t, (query) => {
    if (query.includes('bad'))
      return {
        status: 400,
        body: { status: 'error', errorType: 'bad_data', error: 'parse error at char 3' },
      };
    if (query.includes('down')) return { status: 503, body: 'Service Unavailable' };
    if (query.includes('garbage')) return { body: '{"status":' };
    return { body: { status: 'success', data: { resultType: 'matrix', result: [] } } };
  });
  const b = new PrometheusBackend({ url: prom.url });
  const code = async (metric: string) => {
    try {
      await b.sumLatest({ metric, matchers: [] }, [], 0);
    } catch (err) {
      assert.ok(err instanceof MetricsApiError);
      return [err.code, err.message];
    }
    return ['ok'];
  };
  const bad = await code('bad');
  assert.equal(bad[0], 'MESH_METRICS_BACKEND_QUERY');
  assert.match(bad[1]!, /rejected sum\(bad\): parse error at char 3/);
  assert.deepEqual((await code('down'))[0], 'MESH_METRICS_BACKEND_UNAVAILABLE');
  assert.deepEqual((await code('garbage'))[0], 'MESH_METRICS_BACKEND_UNAVAILABLE');
  assert.match((await code('matrix'))[1]!, /with a matrix, expected a vector/);
  assert.equal(b.stats.failures, 4);
  assert.throws(() => new PrometheusBackend({ url: 'not a url' }), /invalid Prometheus URL "not a url"/);
  assert.throws(() => new PrometheusBackend({ url: 'ftp://x' }), /expected http/);
});
