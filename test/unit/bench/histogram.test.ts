import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from '../../../bench/loadgen/histogram.js';

test('small values are exact and percentiles follow the nearest-rank rule', () => {
  const h = new Histogram();
  for (let v = 1; v <= 1000; v++) h.record(v);
  assert.equal(h.count, 1000);
  assert.equal(h.valueAt(50), 500);
  assert.equal(h.valueAt(99), 990);
  assert.equal(h.valueAt(99.9), 999);
  assert.equal(h.valueAt(100), 1000);
});

test('large values keep about three significant digits and never exceed the recorded max', () => {
  const h = new Histogram();
  const values = [12_345, 987_654, 5_000_000, 123_456_789, 61_000_000_000];
  for (const v of values) {
    const one = new Histogram();
    one.record(v);
    const got = one.valueAt(50);
    assert.ok(got <= v, `${got} ≤ ${v}`);
    assert.ok((v - got) / v < 0.001, `${got} within 0.1 % of ${v}`);
    h.record(v);
  }
  assert.equal(h.valueAt(100), 61_000_000_000);
});

test('summaries are in milliseconds and histograms add up', () => {
  const a = new Histogram();
  const b = new Histogram();
  for (let i = 0; i < 99; i++) a.record(100_000); // 0.1 ms
  b.record(20_000_000); // 20 ms
  a.add(b);
  const s = a.summaryMs();
  assert.equal(s.count, 100);
  assert.equal(s.p50, 0.1);
  assert.equal(s.p99, 0.1);
  assert.ok(Math.abs(s.p999 - 20) < 0.02);
  assert.equal(s.max, 20);
});
