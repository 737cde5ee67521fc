import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from '../../../../src/proxy/metrics/histogram.js';
import {
  PrometheusWriter,
  escapeLabelValue,
  formatValue,
  joinLabels,
  renderLabelEntries,
  renderLabels,
} from '../../../../src/proxy/metrics/prometheus-text.js';
import { bucketsOf, parseExposition, valueOf } from './exposition.js';

test('renders labels in insertion order, without braces', () => {
  assert.equal(renderLabels({}), '');
  assert.equal(renderLabels({ b: '2', a: '1' }), 'b="2",a="1"');
  assert.equal(renderLabels({ direction: 'inbound', tls: 'true' }), 'direction="inbound",tls="true"');
});

test('escapes backslash, double quote and newline in label values, and nothing else', () => {
  assert.equal(renderLabels({ v: 'a\\b' }), 'v="a\\\\b"');
  assert.equal(renderLabels({ v: 'say "hi"' }), 'v="say \\"hi\\""');
  assert.equal(renderLabels({ v: 'one\ntwo' }), 'v="one\\ntwo"');
  assert.equal(renderLabels({ v: "tab\there 'q' {x} ünï" }), 'v="tab\there \'q\' {x} ünï"');
  assert.equal(escapeLabelValue('\\"\n'), '\\\\\\"\\n');
  assert.equal(renderLabels({ v: '' }), 'v=""');
});

test('rewrites label names Prometheus would reject, keeping the first of colliding names', () => {
  assert.equal(renderLabels({ 'app.kubernetes.io/name': 'web' }), 'app_kubernetes_io_name="web"');
  assert.equal(renderLabels({ '1st': 'x' }), '_1st="x"');
  assert.equal(
    renderLabelEntries([
      ['a-b', '1'],
      ['a_b', '2'],
      ['c', '3'],
    ]),
    'a_b="1",c="3"',
  );
});

test('joins pre-rendered label strings', () => {
  assert.equal(joinLabels('', ''), '');
  assert.equal(joinLabels('a="1"', ''), 'a="1"');
  assert.equal(joinLabels('', 'b="2"'), 'b="2"');
  assert.equal(joinLabels('a="1"', 'b="2"'), 'a="1",b="2"');
});

test('formats numbers the way Prometheus prints them', () => {
  assert.equal(formatValue(0), '0');
  assert.equal(formatValue(-0), '0');
  assert.equal(formatValue(1), '1');
  assert.equal(formatValue(10000), '10000');
  assert.equal(formatValue(50000), '50000');
  assert.equal(formatValue(1e6), '1000000');
  assert.equal(formatValue(2 ** 53), '9007199254740992');
  assert.equal(formatValue(1e21), '1000000000000000000000');
  assert.equal(formatValue(0.5), '0.5');
  assert.equal(formatValue(-2.25), '-2.25');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(Number.NaN), 'NaN');
  assert.equal(Number(formatValue(1e-7)), 1e-7);
});

test('writes HELP and TYPE once per family, then samples with and without labels', () => {
  const w = new PrometheusWriter();
  w.family('up_total', 'counter', 'Things that went up.');
  w.sample('up_total', 'a="1"', 3);
  w.family('up_total', 'counter', 'ignored the second time');
  w.sample('up_total', '', 4);
  w.family('temperature', 'gauge', 'Help with a \\ and a\nnewline.');
  w.sample('temperature', '', -1.5);
  assert.equal(
    w.toString(),
    [
      '# HELP up_total Things that went up.',
      '# TYPE up_total counter',
      'up_total{a="1"} 3',
      'up_total 4',
      '# HELP temperature Help with a \\\\ and a\\nnewline.',
      '# TYPE temperature gauge',
      'temperature -1.5',
      '',
    ].join('\n'),
  );
  const parsed = parseExposition(w.toString());
  assert.equal(parsed.get('temperature')?.help, 'Help with a \\ and a\nnewline.');
  assert.equal(valueOf(parsed, 'up_total', { a: '1' }), 3);
  assert.equal(valueOf(parsed, 'up_total'), 4);
});

test('writes histograms with cumulative buckets, le as Prometheus prints it, _sum and _count', () => {
  const h = new Histogram([0.5, 1, 10000]);
  for (const v of [0.1, 0.5, 0.7, 3, 20000, 20000]) h.observe(v);
  const w = new PrometheusWriter();
  w.family('lat_ms', 'histogram', 'Latency.');
  w.histogram('lat_ms', 'x="y"', h);
  w.histogram('lat_ms', '', new Histogram([0.5, 1, 10000]));
  assert.equal(
    w.toString(),
    [
      '# HELP lat_ms Latency.',
      '# TYPE lat_ms histogram',
      'lat_ms_bucket{x="y",le="0.5"} 2',
      'lat_ms_bucket{x="y",le="1"} 3',
      'lat_ms_bucket{x="y",le="10000"} 4',
      'lat_ms_bucket{x="y",le="+Inf"} 6',
      'lat_ms_sum{x="y"} 40004.3',
      'lat_ms_count{x="y"} 6',
      'lat_ms_bucket{le="0.5"} 0',
      'lat_ms_bucket{le="1"} 0',
      'lat_ms_bucket{le="10000"} 0',
      'lat_ms_bucket{le="+Inf"} 0',
      'lat_ms_sum 0',
      'lat_ms_count 0',
      '',
    ].join('\n'),
  );
});

test('histogram output read back by a parser: cumulative buckets equal the observations', () => {
  const h = new Histogram();
  const values: number[] = [];
  for (let i = 0; i < 500; i++) values.push((i * 7919) % 60_000);
  for (const v of values) h.observe(v);
  const w = new PrometheusWriter();
  w.family('response_latency_ms', 'histogram', 'x');
  w.histogram('response_latency_ms', 'status_code="200"', h);
  const parsed = parseExposition(w.toString());
  const buckets = bucketsOf(parsed, 'response_latency_ms', { status_code: '200' });
  assert.equal(buckets.size, 26);
  for (const [le, count] of buckets) {
    const bound = le === '+Inf' ? Infinity : Number(le);
    assert.equal(count, values.filter((v) => v <= bound).length, `le=${le}`);
  }
  assert.equal(valueOf(parsed, 'response_latency_ms_count', { status_code: '200' }), values.length);
  assert.equal(
    valueOf(parsed, 'response_latency_ms_sum', { status_code: '200' }),
    values.reduce((a, b) => a + b, 0),
  );
});

test('escaped label values survive a round trip through the parser', () => {
  const tricky = 'a\\b "quoted"\nline two \\n literal';
  const w = new PrometheusWriter();
  w.family('t_total', 'counter', 'x');
  w.sample('t_total', renderLabels({ authority: tricky, other: 'plain' }), 1);
  const parsed = parseExposition(w.toString());
  assert.equal(valueOf(parsed, 't_total', { authority: tricky, other: 'plain' }), 1);
});

test('rollback drops text and family declarations written after the mark', () => {
  const w = new PrometheusWriter();
  w.family('a_total', 'counter', 'a');
  w.sample('a_total', '', 1);
  const mark = w.mark();
  w.family('b_total', 'counter', 'b');
  w.sample('b_total', '', 2);
  w.rollback(mark);
  assert.equal(w.toString(), '# HELP a_total a\n# TYPE a_total counter\na_total 1\n');
  w.family('b_total', 'counter', 'b');
  w.sample('b_total', '', 3);
  assert.equal(valueOf(parseExposition(w.toString()), 'b_total'), 3);
});

test('an empty writer renders nothing', () => {
  assert.equal(new PrometheusWriter().toString(), '');
});
