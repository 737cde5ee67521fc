import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, LATENCY_BUCKETS_MS } from '../../../../src/proxy/metrics/histogram.js';

test('uses Linkerd latency buckets by default, with a +Inf slot', () => {
  const h = new Histogram();
  assert.deepEqual(h.bounds, LATENCY_BUCKETS_MS);
  assert.equal(LATENCY_BUCKETS_MS.length, 25);
  assert.equal(h.counts.length, 26);
  assert.equal(h.sum, 0);
  assert.equal(h.count, 0);
});

test('a value equal to a bound counts in that bucket (le), just above it in the next', () => {
  const h = new Histogram([1, 5, 10]);
  h.observe(0);
  h.observe(1);
  h.observe(1.0001);
  h.observe(5);
  h.observe(7);
  h.observe(10);
  h.observe(10.5);
  h.observe(1e9);
  assert.deepEqual([...h.counts], [2, 2, 2, 2]);
  assert.equal(h.count, 8);
  assert.equal(h.sum, 0 + 1 + 1.0001 + 5 + 7 + 10 + 10.5 + 1e9);
});

test('counts are non-cumulative and agree with a reference for random values', () => {
  const h = new Histogram();
  const expected = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  let sum = 0;
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 80_000;
  for (let i = 0; i < 10_000; i++) {
    const v = i % 3 === 0 ? LATENCY_BUCKETS_MS[i % LATENCY_BUCKETS_MS.length]! : random();
    h.observe(v);
    sum += v;
    const idx = LATENCY_BUCKETS_MS.findIndex((b) => v <= b);
    expected[idx === -1 ? LATENCY_BUCKETS_MS.length : idx]!++;
  }
  assert.deepEqual([...h.counts], expected);
  assert.equal(h.count, 10_000);
  assert.equal(h.sum, sum);
});

test('negative values count as zero and NaN is ignored', () => {
  const h = new Histogram([1, 2]);
  h.observe(-5);
  h.observe(-0.1);
  h.observe(Number.NaN);
  assert.deepEqual([...h.counts], [2, 0, 0]);
  assert.equal(h.count, 2);
  assert.equal(h.sum, 0);
  h.observe(Infinity);
  assert.deepEqual([...h.counts], [2, 0, 1]);
});

test('rejects bounds that do not strictly increase', () => {
  assert.throws(() => new Histogram([1, 1]), RangeError);
  assert.throws(() => new Histogram([2, 1]), RangeError);
  assert.throws(() => new Histogram([1, Number.NaN]), RangeError);
  assert.doesNotThrow(() => new Histogram([]));
});

test('a histogram without bounds counts everything in +Inf', () => {
  const h = new Histogram([]);
  h.observe(3);
  assert.deepEqual([...h.counts], [1]);
});
