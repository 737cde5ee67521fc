import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCRUAL_BACKOFF,
  ACCRUAL_CONSECUTIVE_FAILURES,
  CONNECT_BACKOFF,
  EndpointHealth,
  backoffDelay,
} from '../../../../src/proxy/balance/backoff.js';
import { FakeClock, seededRandom } from '../../../helpers/random.js';

/** random() = 0.5 puts the jitter factor at exactly 1, so delays are the bare exponential. */
const MIDDLE = (): number => 0.5;

test('delays double from minMs and cap at maxMs', () => {
  const delays = Array.from({ length: 10 }, (_, n) => backoffDelay(n, CONNECT_BACKOFF, MIDDLE));
  assert.deepEqual(delays, [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000, 5_000]);
  const accrual = Array.from({ length: 8 }, (_, n) => backoffDelay(n, ACCRUAL_BACKOFF, MIDDLE));
  assert.deepEqual(accrual, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  assert.equal(backoffDelay(1e9, ACCRUAL_BACKOFF, MIDDLE), 60_000, 'huge attempts stay at the cap');
  assert.equal(backoffDelay(-3, ACCRUAL_BACKOFF, MIDDLE), 1_000, 'negative attempts count as the first');
  assert.equal(backoffDelay(5_000, { minMs: 0, maxMs: 10, jitter: 0.5 }, MIDDLE), 0, 'no NaN from 0 × ∞');
});

test('jitter stays within delay × [1 − jitter, 1 + jitter)', () => {
  assert.equal(
    backoffDelay(2, CONNECT_BACKOFF, () => 0),
    500,
  );
  assert.ok(backoffDelay(2, CONNECT_BACKOFF, () => 0.999_999) < 1_500);
  assert.ok(backoffDelay(2, CONNECT_BACKOFF, () => 0.999_999) > 1_499);
  assert.equal(backoffDelay(2, { ...CONNECT_BACKOFF, jitter: 0 }, seededRandom(9)), 1_000);
  const random = seededRandom(5);
  let low = Infinity;
  let high = 0;
  for (let i = 0; i < 10_000; i++) {
    const d = backoffDelay(3, ACCRUAL_BACKOFF, random); // base 8 s
    assert.ok(d >= 4_000 && d < 12_000, String(d));
    low = Math.min(low, d);
    high = Math.max(high, d);
  }
  assert.ok(low < 4_100 && high > 11_900, `jitter uses the whole range: ${low}..${high}`);
  // At the cap the jitter still applies, around maxMs.
  for (let i = 0; i < 1_000; i++) {
    const d = backoffDelay(20, ACCRUAL_BACKOFF, random);
    assert.ok(d >= 30_000 && d < 90_000, String(d));
  }
});

function failTimes(health: EndpointHealth, n: number): void {
  for (let i = 0; i < n; i++) health.recordResponse(true);
}

test(`${ACCRUAL_CONSECUTIVE_FAILURES} consecutive failures eject the endpoint for the accrual backoff`, () => {
  const clock = new FakeClock(10_000);
  const health = new EndpointHealth(clock, MIDDLE);
  assert.equal(health.state(clock.t), 'ready');
  failTimes(health, 6);
  assert.equal(health.available(clock.t), true, 'six are not enough');
  health.recordResponse(true);
  assert.equal(health.available(clock.t), false);
  assert.equal(health.state(clock.t), 'ejected');
  assert.equal(health.available(10_999), false);
  assert.equal(health.available(11_000), true, 'back after 1 s, on probation');
  assert.equal(health.state(11_000), 'ready');
});

test('a success resets the consecutive count', () => {
  const clock = new FakeClock(0);
  const health = new EndpointHealth(clock, MIDDLE);
  failTimes(health, 6);
  health.recordResponse(false);
  failTimes(health, 6);
  assert.equal(health.available(0), true);
  health.recordResponse(true);
  assert.equal(health.available(0), false);
});

test('on probation one failure re-ejects for a longer backoff; one success resets everything', () => {
  const clock = new FakeClock(0);
  const health = new EndpointHealth(clock, MIDDLE);
  failTimes(health, 7);
  const until: number[] = [];
  for (let round = 0; round < 8; round++) {
    // Walk forward to the first instant the endpoint is available again.
    while (!health.available(clock.t)) clock.advance(1_000);
    until.push(clock.t);
    health.recordResponse(true); // the probe fails
    assert.equal(health.state(clock.t), 'ejected', `round ${round}`);
  }
  // Ejected at 0 for 1 s, then 2, 4, 8, 16, 32, 60, 60 s after each failed probe.
  assert.deepEqual(until, [1_000, 3_000, 7_000, 15_000, 31_000, 63_000, 123_000, 183_000]);

  clock.t = 243_000;
  assert.equal(health.available(clock.t), true);
  health.recordResponse(false); // the probe succeeds
  failTimes(health, 6);
  assert.equal(health.available(clock.t), true, 'out of probation: seven failures are needed again');
  health.recordResponse(true);
  assert.equal(health.available(clock.t + 999), false);
  assert.equal(health.available(clock.t + 1_000), true, 'and the backoff starts again from 1 s');
});

test('outcomes of requests that finish while ejected are ignored', () => {
  const clock = new FakeClock(0);
  const health = new EndpointHealth(clock, MIDDLE);
  failTimes(health, 7); // ejected until 1 000
  clock.t = 500;
  failTimes(health, 20);
  assert.equal(health.available(1_000), true, 'stragglers do not extend the ejection');
  clock.t = 600;
  health.recordResponse(false);
  clock.t = 1_000;
  health.recordResponse(true);
  assert.equal(health.available(1_000), false, 'a straggling success is not the probation verdict');
  assert.equal(health.available(3_000), true, 'and the next backoff is the longer one (2 s)');
  assert.equal(health.available(2_999), false);
});

test('connect failures back off from 250 ms, grow, and a connect success recovers at once', () => {
  const clock = new FakeClock(0);
  const health = new EndpointHealth(clock, MIDDLE);
  health.recordConnectFailure();
  assert.equal(health.state(0), 'backoff');
  assert.equal(health.available(249), false);
  assert.equal(health.available(250), true);
  clock.t = 100;
  health.recordConnectFailure(); // a connect started before the backoff: ignored
  assert.equal(health.available(250), true);

  const backoffs: number[] = [];
  clock.t = 250;
  for (let i = 0; i < 9; i++) {
    health.recordConnectFailure();
    const from = clock.t;
    while (!health.available(clock.t)) clock.advance(50);
    backoffs.push(clock.t - from);
  }
  assert.deepEqual(backoffs, [500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000, 5_000]);

  health.recordConnectFailure();
  assert.equal(health.state(clock.t), 'backoff');
  health.recordConnectSuccess();
  assert.equal(health.state(clock.t), 'ready');
  health.recordConnectFailure();
  assert.equal(health.available(clock.t + 249), false);
  assert.equal(health.available(clock.t + 250), true, 'back to the first delay');
});

test('connect backoff and accrual are independent; state() reports ejection first', () => {
  const clock = new FakeClock(0);
  const health = new EndpointHealth(clock, MIDDLE);
  failTimes(health, 7); // ejected until 1 000
  health.recordConnectFailure(); // backoff until 250
  assert.equal(health.state(100), 'ejected');
  health.recordConnectSuccess();
  assert.equal(health.state(100), 'ejected', 'a connect success does not end an ejection');
  assert.equal(health.available(100), false);
  assert.equal(health.state(1_000), 'ready');

  const other = new EndpointHealth(clock, MIDDLE);
  other.recordConnectFailure();
  failTimes(other, 6);
  assert.equal(other.state(0), 'backoff');
  assert.equal(other.state(250), 'ready');
});

test('options override the defaults; jittered delays stay within bounds', () => {
  const clock = new FakeClock(0);
  const health = new EndpointHealth(clock, seededRandom(11), {
    maxFailures: 2,
    accrual: { minMs: 100, maxMs: 1_000, jitter: 0.5 },
    connect: { minMs: 10, maxMs: 20, jitter: 0 },
  });
  failTimes(health, 2);
  assert.equal(health.available(49), false);
  let t = 0;
  while (!health.available(t)) t++;
  assert.ok(t >= 50 && t <= 150, `ejected for ${t} ms`);
  health.recordConnectFailure();
  assert.equal(health.available(9), false);
  assert.throws(() => new EndpointHealth(clock, MIDDLE, { maxFailures: 0 }), RangeError);
});
