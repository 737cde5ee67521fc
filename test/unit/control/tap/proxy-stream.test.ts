// Reconnect delays towards proxies: exponential, capped, jittered within [0.5, 1.5) of the base.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECONNECT_BACKOFF, reconnectDelay } from '../../../../src/control/tap/proxy-stream.js';

test('delays double from the minimum up to the cap, with jitter around each step', () => {
  const mid = () => 0.5;
  assert.deepEqual(
    [0, 1, 2, 3, 10, 100].map((n) => reconnectDelay(n, RECONNECT_BACKOFF, mid)),
    [250, 500, 1000, 2000, 10_000, 10_000],
  );
  assert.equal(
    reconnectDelay(0, RECONNECT_BACKOFF, () => 0),
    125,
  );
  assert.ok(reconnectDelay(0, RECONNECT_BACKOFF, () => 0.999) < 375);
  // A broken random source cannot produce a negative or runaway delay.
  assert.equal(
    reconnectDelay(0, RECONNECT_BACKOFF, () => -3),
    125,
  );
  assert.equal(
    reconnectDelay(0, RECONNECT_BACKOFF, () => 7),
    375,
  );
});
