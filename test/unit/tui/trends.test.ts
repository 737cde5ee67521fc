import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_TRENDS, recordTrends, type Trends } from '../../../src/tui/state/trends.js';

const sample = (key: string, rps = 1) => ({ key, rps, latencyP99Ms: 10, successRate: 1 });

test('adds one point per snapshot and keeps at most maxPoints', () => {
  const limits = { horizonMs: 1e9, maxPoints: 5, maxSeries: 10 };
  let trends: Trends = EMPTY_TRENDS;
  for (let i = 0; i < 12; i++) trends = recordTrends(trends, i * 1000, [sample('a', i)], limits);
  const points = trends.get('a')?.points ?? [];
  assert.equal(points.length, 5);
  assert.deepEqual(
    points.map((p) => p.rps),
    [7, 8, 9, 10, 11],
  );
});

test('drops points older than the horizon and forgets series that stopped reporting', () => {
  const limits = { horizonMs: 10_000, maxPoints: 1000, maxSeries: 10 };
  let trends: Trends = EMPTY_TRENDS;
  trends = recordTrends(trends, 0, [sample('a'), sample('gone')], limits);
  for (let t = 1000; t <= 20_000; t += 1000) trends = recordTrends(trends, t, [sample('a')], limits);
  const points = trends.get('a')?.points ?? [];
  assert.ok(points.every((p) => p.at >= 10_000));
  assert.equal(points.length, 11);
  assert.equal(trends.has('gone'), false);
});

test('a series that misses a snapshot keeps its history until it ages out', () => {
  const limits = { horizonMs: 10_000, maxPoints: 1000, maxSeries: 10 };
  let trends = recordTrends(EMPTY_TRENDS, 0, [sample('a'), sample('b')], limits);
  trends = recordTrends(trends, 1000, [sample('a')], limits);
  assert.equal(trends.get('b')?.points.length, 1);
});

test('route churn cannot grow the number of series past maxSeries; the freshest stay', () => {
  const limits = { horizonMs: 3_600_000, maxPoints: 100, maxSeries: 50 };
  let trends: Trends = EMPTY_TRENDS;
  for (let i = 0; i < 10_000; i++) trends = recordTrends(trends, i * 1000, [sample(`route-${i}`)], limits);
  assert.equal(trends.size, 50);
  assert.ok(trends.has('route-9999'));
  assert.equal(trends.has('route-9949'), false);
});
