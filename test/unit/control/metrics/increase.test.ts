// increase() with Prometheus' semantics: resets, extrapolation to the window edges, the zero-point limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CounterWindow, extrapolatedIncrease } from '../../../../src/control/metrics/promql/increase.js';

const close = (actual: number | undefined, expected: number, eps = 1e-9) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `${actual} ≠ ${expected}`);

test('samples exactly on both window edges: the plain difference, no extrapolation', () => {
  close(extrapolatedIncrease([0, 10_000, 20_000, 30_000], [100, 110, 130, 160], 0, 30_000), 60);
});

test('a counter reset adds back the value before the drop', () => {
  // 100 → 150 (+50), reset, 0 → 20 (+20), → 40 (+20): 90 counted.
  close(extrapolatedIncrease([0, 10_000, 20_000, 30_000], [100, 150, 20, 40], 0, 30_000), 90);
  // Two resets in a row.
  close(extrapolatedIncrease([0, 10_000, 20_000, 30_000], [5, 3, 1, 4], 0, 30_000), 3 + 1 + 3);
});

test('extrapolates to edges within 1.1 average intervals, else by half an interval', () => {
  // Samples 5..25 s in a 0..30 s window, 5 s apart: both gaps (5 s) < 5.5 s → extrapolated all the way.
  close(
    extrapolatedIncrease([5000, 10_000, 15_000, 20_000, 25_000], [100, 110, 120, 130, 140], 0, 30_000),
    60,
  );
  // Samples 10..20 s every 5 s, window 0..30: gaps of 10 s ≥ 5.5 s → only 2.5 s added on each side.
  close(extrapolatedIncrease([10_000, 15_000, 20_000], [100, 110, 120], 0, 30_000), 20 * (15 / 10));
});

test('never extrapolates back past the counter zero point', () => {
  // First sample 5 at 10 s, rising 10 per 10 s: the start gap (10 s) is within 1.1 intervals, but the counter
  // was at zero only 5 s before its first sample, so 5 s are added there, not 10 s: 20 × 25/20 = 25 (not 30).
  close(extrapolatedIncrease([10_000, 20_000, 30_000], [5, 15, 25], 0, 30_000), 25);
  // A counter that starts at 2 right after a 10 s gap: zero point 2 s before the first sample.
  close(extrapolatedIncrease([8000, 18_000, 28_000], [2, 12, 22], 0, 30_000), 20 * ((20 + 2 + 2) / 20));
});

test('fewer than two samples: no result; absent (NaN) samples are skipped', () => {
  assert.equal(extrapolatedIncrease([], [], 0, 10_000), undefined);
  assert.equal(extrapolatedIncrease([5000], [3], 0, 10_000), undefined);
  assert.equal(extrapolatedIncrease([0, 5000, 10_000], [NaN, 3, NaN], 0, 10_000), undefined);
  close(extrapolatedIncrease([0, 5000, 10_000], [1, NaN, 5], 0, 10_000), 4);
});

test('samples outside [start, end] are ignored; the edges are inclusive', () => {
  close(extrapolatedIncrease([-1000, 0, 10_000, 10_001], [0, 100, 200, 999], 0, 10_000), 100);
});

test('a flat counter increases by zero', () => {
  close(extrapolatedIncrease([0, 2000, 4000], [7, 7, 7], 0, 10_000), 0);
});

test('the streaming form equals the array form and can be reused after reset()', () => {
  const w = new CounterWindow();
  w.add(0, 1);
  w.add(1000, 2);
  w.reset();
  const t = [1000, 3000, 5000, 7000];
  const v = [10, 20, 5, 15];
  for (let i = 0; i < t.length; i++) w.add(t[i]!, v[i]!);
  assert.equal(w.samples, 4);
  assert.equal(w.increase(0, 8000), extrapolatedIncrease(t, v, 0, 8000));
});
