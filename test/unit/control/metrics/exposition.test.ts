// The scraper's exposition parser: what real exporters write, and what a broken one might.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, parseSampleValue } from '../../../../src/control/metrics/embedded/exposition.js';
import { ProxyMetrics, NO_GRPC_STATUS } from '../../../../src/proxy/metrics/proxy-metrics.js';

test('reads names, labels, values and timestamps; skips comments and blank lines', () => {
  const text = [
    '# HELP request_total Total count of HTTP requests.',
    '# TYPE request_total counter',
    'request_total{direction="inbound",authority="web.demo:80"} 42',
    '',
    'process_cpu_seconds_total 1.5',
    'up{job="x"} 1 1700000000123',
    '   # indented comment',
    'with_tabs\t{a="1"}\t7\t',
  ].join('\n');
  const r = parseExposition(text);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    r.samples.map((s) => [s.name, { ...s.labels }, s.value, s.timestampMs]),
    [
      ['request_total', { direction: 'inbound', authority: 'web.demo:80' }, 42, undefined],
      ['process_cpu_seconds_total', {}, 1.5, undefined],
      ['up', { job: 'x' }, 1, 1700000000123],
      ['with_tabs', { a: '1' }, 7, undefined],
    ],
  );
});

test('unescapes label values: backslash, quote, newline; keeps unknown escapes; allows } , # inside quotes', () => {
  const r = parseExposition(
    'm{a="x\\\\y",b="say \\"hi\\"",c="l1\\nl2",d="\\t",e="}{,#",f=""} 1\n' + 'm{a="trailing comma",} 2\n',
  );
  assert.equal(r.errors, 0);
  assert.deepEqual(
    { ...r.samples[0]!.labels },
    {
      a: 'x\\y',
      b: 'say "hi"',
      c: 'l1\nl2',
      d: '\\t',
      e: '}{,#',
      f: '',
    },
  );
  assert.deepEqual({ ...r.samples[1]!.labels }, { a: 'trailing comma' });
});

test('reads NaN, ±Inf, exponents and signs as Prometheus does', () => {
  const r = parseExposition(
    ['a NaN', 'b +Inf', 'c -Inf', 'd 1e3', 'e -2.5E-2', 'f .5', 'g +7', 'h Inf', 'i nan'].join('\n'),
  );
  assert.equal(r.errors, 0);
  const v = r.samples.map((s) => s.value);
  assert.ok(Number.isNaN(v[0]));
  assert.deepEqual(v.slice(1, 8), [Infinity, -Infinity, 1000, -0.025, 0.5, 7, Infinity]);
  assert.ok(Number.isNaN(v[8]));
  assert.equal(parseSampleValue('0x10'), undefined);
  assert.equal(parseSampleValue(''), undefined);
  assert.equal(parseSampleValue('1_000'), undefined);
});

test('reads histogram buckets with le labels, CRLF line ends and a missing final newline', () => {
  const r = parseExposition('h_bucket{le="0.5"} 1\r\nh_bucket{le="+Inf"} 3\r\nh_sum 2.5\r\nh_count 3');
  assert.equal(r.errors, 0);
  assert.deepEqual(
    r.samples.map((s) => [s.name, s.labels['le'], s.value]),
    [
      ['h_bucket', '0.5', 1],
      ['h_bucket', '+Inf', 3],
      ['h_sum', undefined, 2.5],
      ['h_count', undefined, 3],
    ],
  );
});

test('garbage lines are counted and skipped; the good lines around them survive', () => {
  const lines = [
    'good 1',
    'this is not a metric',
    '{a="1"} 2',
    'm{a="unterminated} 3',
    'm{a=1} 4',
    'm{a="1" b="2"} 5',
    'm{a="1",a="2"} 6',
    'm{1a="x"} 7',
    'm 1 2 3',
    'm 12abc',
    'm',
    'm 1 1.5',
    'm{a="x"}9',
    '\u0000\u0001binary',
    'also_good{x="y"} 2',
  ];
  const r = parseExposition(lines.join('\n'));
  assert.deepEqual(
    r.samples.map((s) => s.name),
    ['good', 'also_good'],
  );
  assert.equal(r.errors, lines.length - 2);
  assert.match(r.firstError ?? '', /this is not a metric/);
});

test('a label named __proto__ is data, not a prototype change', () => {
  const r = parseExposition('m{__proto__="x",constructor="y"} 1');
  assert.equal(r.errors, 0);
  const labels = r.samples[0]!.labels;
  assert.equal(labels['__proto__'], 'x');
  assert.equal(labels['constructor'], 'y');
  assert.equal(Object.getPrototypeOf(labels), null);
});

test('accept() skips families before reading them, so their garbage does not count', () => {
  const r = parseExposition('keep{a="1"} 1\nskip{broken 2\nkeep 3', { accept: (n) => n === 'keep' });
  assert.equal(r.errors, 0);
  assert.deepEqual(
    r.samples.map((s) => s.value),
    [1, 3],
  );
});

test("round-trips the proxy's own exposition: every sample, escaped values included", () => {
  const m = new ProxyMetrics({ authorityLimit: 10, routeLimit: 10 });
  const s = m.http('outbound', 'web.demo:80', '10.0.0.1:80', 'true', {
    dst_workload: 'we"b\\x\ny',
    dst_namespace: 'demo',
  });
  s.requests += 3;
  s.recordResponse(200, NO_GRPC_STATUS, false, 12);
  s.recordResponse(503, 14, true, 250);
  const text = m.render();
  const r = parseExposition(text);
  assert.equal(r.errors, 0);
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.equal(r.samples.length, lines.length);
  const req = r.samples.find((x) => x.name === 'request_total');
  assert.equal(req?.labels['dst_workload'], 'we"b\\x\ny');
  assert.equal(req?.value, 3);
  const inf = r.samples.find(
    (x) =>
      x.name === 'response_latency_ms_bucket' &&
      x.labels['le'] === '+Inf' &&
      x.labels['status_code'] === '503',
  );
  assert.equal(inf?.value, 1);
});
