// The token bucket behind tap's max_rps: burst, steady rate, and the bound over any interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket, burstFor } from '../../../src/common/token-bucket.js';

test('starts full: `burst` takes succeed at once, then one per 1/rate seconds', () => {
  const b = new TokenBucket(10, 3, 0);
  assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
  assert.equal(b.take(50), false, 'half a token');
  assert.equal(b.take(100), true, 'a whole token after 100 ms');
  assert.equal(b.take(100), false);
});

test('never holds more than `burst` tokens however long it was idle', () => {
  const b = new TokenBucket(10, 2, 0);
  let n = 0;
  for (let i = 0; i < 10; i++) if (b.take(1_000_000)) n++;
  assert.equal(n, 2);
});

test('over any interval of T seconds at most rate × T + burst takes succeed', () => {
  const rate = 20;
  const burst = burstFor(rate);
  const b = new TokenBucket(rate, burst, 0);
  // 300 attempts spread over 3 s (one every 10 ms), as the integration test drives them.
  let granted = 0;
  for (let t = 0; t < 3000; t += 10) if (b.take(t)) granted++;
  assert.ok(granted <= rate * 3 + burst, `granted ${granted}`);
  assert.ok(granted >= rate * 3 - 1, `granted ${granted}`);
});

test('a clock step backwards refills nothing', () => {
  const b = new TokenBucket(1, 1, 1000);
  assert.equal(b.take(1000), true);
  assert.equal(b.take(0), false);
  assert.equal(b.take(999), false);
  assert.equal(b.take(2000), true);
});

test('burst is a tenth of a second of rate, at least one; bad parameters are refused', () => {
  assert.equal(burstFor(20), 2);
  assert.equal(burstFor(1), 1);
  assert.equal(burstFor(0.5), 1);
  assert.equal(burstFor(100, 0.25), 25);
  assert.throws(() => new TokenBucket(0, 1, 0), RangeError);
  assert.throws(() => new TokenBucket(Number.POSITIVE_INFINITY, 1, 0), RangeError);
  assert.throws(() => new TokenBucket(1, 0.5, 0), RangeError);
});
