// histogram_quantile with Prometheus' semantics, against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  histogramQuantile,
  parseLe,
  type Bucket,
} from '../../../../src/control/metrics/promql/histogram-quantile.js';

const h = (pairs: [number, number][]): Bucket[] => pairs.map(([le, count]) => ({ le, count }));
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

// 80 observations ≤ 20 ms (none ≤ 10), 20 more ≤ 200 ms (none in (20, 100]).
const MIXED = h([
  [10, 0],
  [20, 80],
  [100, 80],
  [200, 100],
  [Infinity, 100],
]);

test('interpolates linearly inside the bucket holding the rank', () => {
  close(histogramQuantile(0.5, MIXED), 10 + 10 * (50 / 80)); // 16.25
  close(histogramQuantile(0.95, MIXED), 100 + 100 * (15 / 20)); // 175
  close(histogramQuantile(0.99, MIXED), 100 + 100 * (19 / 20)); // 195
  close(histogramQuantile(0.8, MIXED), 20);
});

test('the lowest bucket starts at zero', () => {
  close(
    histogramQuantile(
      0.5,
      h([
        [4, 10],
        [Infinity, 10],
      ]),
    ),
    2,
  );
  close(
    histogramQuantile(
      0.25,
      h([
        [1, 4],
        [2, 8],
        [Infinity, 8],
      ]),
    ),
    0.5,
  );
});

test('a rank in the +Inf bucket answers the highest finite bound', () => {
  close(
    histogramQuantile(
      0.99,
      h([
        [10, 50],
        [20, 90],
        [Infinity, 100],
      ]),
    ),
    20,
  );
  // Every observation above the highest bound.
  close(
    histogramQuantile(
      0.5,
      h([
        [10, 0],
        [20, 0],
        [Infinity, 7],
      ]),
    ),
    20,
  );
});

test('no answer (NaN) without observations, without +Inf bucket, or with only one bucket', () => {
  assert.ok(Number.isNaN(histogramQuantile(0.5, [])));
  assert.ok(
    Number.isNaN(
      histogramQuantile(
        0.5,
        h([
          [10, 0],
          [Infinity, 0],
        ]),
      ),
    ),
  );
  assert.ok(
    Number.isNaN(
      histogramQuantile(
        0.5,
        h([
          [10, 3],
          [20, 5],
        ]),
      ),
    ),
  );
  assert.ok(Number.isNaN(histogramQuantile(0.5, h([[Infinity, 5]]))));
});

test('out-of-range q gives ±Inf, NaN q gives NaN', () => {
  assert.equal(histogramQuantile(-0.1, MIXED), -Infinity);
  assert.equal(histogramQuantile(1.1, MIXED), Infinity);
  assert.ok(Number.isNaN(histogramQuantile(NaN, MIXED)));
});

test('buckets in any order; equal bounds are added; non-monotonic counts are levelled', () => {
  const shuffled = [...MIXED].reverse();
  close(histogramQuantile(0.5, shuffled), 16.25);
  // The same histogram split over two series (e.g. two status codes) gives the same quantiles.
  const split = [
    ...h([
      [10, 0],
      [20, 30],
      [100, 30],
      [200, 40],
      [Infinity, 40],
    ]),
    ...h([
      [10, 0],
      [20, 50],
      [100, 50],
      [200, 60],
      [Infinity, 60],
    ]),
  ];
  close(histogramQuantile(0.95, split), 175);
  // Extrapolated increases can dip slightly; the dip is treated as no change.
  close(
    histogramQuantile(
      0.5,
      h([
        [10, 5],
        [20, 4.9],
        [Infinity, 10],
      ]),
    ),
    10,
  );
});

test('reads le labels as Prometheus writes them', () => {
  assert.equal(parseLe('+Inf'), Infinity);
  assert.equal(parseLe('0.5'), 0.5);
  assert.equal(parseLe('1e3'), 1000);
  assert.ok(Number.isNaN(parseLe('')));
  assert.ok(Number.isNaN(parseLe('x')));
});
