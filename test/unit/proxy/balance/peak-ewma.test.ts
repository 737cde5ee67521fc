import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DECAY_MS, DEFAULT_RTT_MS, PeakEwma } from '../../../../src/proxy/balance/peak-ewma.js';
import { FakeClock } from '../../../helpers/random.js';

const OPTIONS = { defaultRttMs: DEFAULT_RTT_MS, decayMs: DEFAULT_DECAY_MS };

function near(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? 'value'}: expected ${expected}, got ${actual}`);
}

/** One request of `rttMs` that ends at `endAt`. */
function observe(ewma: PeakEwma, clock: FakeClock, endAt: number, rttMs: number): void {
  clock.t = endAt - rttMs;
  const startedAt = ewma.start();
  clock.t = endAt;
  ewma.finish(startedAt);
}

test('starts at the default RTT and decays towards 0 while idle', () => {
  const clock = new FakeClock(1_000);
  const ewma = new PeakEwma(OPTIONS, clock);
  assert.equal(ewma.estimate(), 30);
  assert.equal(ewma.cost(), 30);
  clock.t = 11_000; // one decay period later: 30 / e
  near(ewma.estimate(), 11.036383235143269);
  clock.t = 31_000; // three periods
  near(ewma.estimate(), 1.4936120510359183);
});

test('an RTT above the decayed estimate replaces it at once (the peak)', () => {
  const clock = new FakeClock(0);
  const ewma = new PeakEwma(OPTIONS, clock);
  observe(ewma, clock, 100, 100);
  assert.equal(ewma.estimate(), 100);
  // Only slightly above the decayed estimate still replaces it, not blends.
  clock.t = 10_100;
  near(ewma.estimate(), 36.78794411714423);
  observe(ewma, clock, 10_100, 37);
  assert.equal(ewma.estimate(), 37);
});

test('an RTT below the decayed estimate adds rtt·(1 − w), w covering only the request itself', () => {
  const clock = new FakeClock(0);
  const ewma = new PeakEwma(OPTIONS, clock);
  observe(ewma, clock, 100, 100);
  // 5 s later a 20 ms response: decayed = 100·e^-0.5; the request lasted 20 ms, so w = e^(-20/10000).
  observe(ewma, clock, 5_100, 20);
  const decayed = 100 * Math.exp(-0.5);
  near(ewma.estimate(), decayed + 20 * (1 - Math.exp(-0.002)), 'after blend');
  // An observed endpoint sits above an idle one with the same history (so tied endpoints alternate).
  assert.ok(ewma.estimate() > decayed);
  // Back-to-back observations barely move it, but a peak still wins.
  const before = ewma.estimate();
  observe(ewma, clock, 5_101, 1);
  near(ewma.estimate(), before * Math.exp(-1e-4) + 1 * (1 - Math.exp(-1e-4)), 'dense');
  observe(ewma, clock, 5_102, 80);
  assert.equal(ewma.estimate(), 80);
});

test('two tied endpoints picked alternately share sequential traffic evenly', () => {
  const clock = new FakeClock(0);
  const a = new PeakEwma(OPTIONS, clock);
  const b = new PeakEwma(OPTIONS, clock);
  let countA = 0;
  for (let i = 0; i < 1000; i++) {
    const pickA = a.cost() <= b.cost();
    const chosen = pickA ? a : b;
    if (pickA) countA++;
    const started = chosen.start();
    clock.advance(1);
    chosen.finish(started);
  }
  assert.ok(countA > 400 && countA < 600, `a got ${countA} of 1000`);
});

test('a faster response never leaves a higher estimate than a slower one', () => {
  for (const rtt of [0, 10, 36, 36.7, 36.8, 36.9, 50]) {
    const results = [rtt, rtt + 0.05].map((r) => {
      const clock = new FakeClock(0);
      const ewma = new PeakEwma(OPTIONS, clock);
      observe(ewma, clock, 100, 100);
      observe(ewma, clock, 10_100, r);
      return ewma.estimate();
    });
    assert.ok((results[0] as number) <= (results[1] as number), `rtt ${rtt}: ${results.join(' > ')}`);
  }
});

test('reading the estimate does not change what the next observation does', () => {
  const quiet = new FakeClock(0);
  const busy = new FakeClock(0);
  const a = new PeakEwma(OPTIONS, quiet);
  const b = new PeakEwma(OPTIONS, busy);
  observe(a, quiet, 100, 100);
  observe(b, busy, 100, 100);
  for (let t = 100; t <= 5_000; t += 7) {
    busy.t = t;
    b.cost();
  }
  observe(a, quiet, 5_100, 20);
  observe(b, busy, 5_100, 20);
  assert.equal(b.estimate(), a.estimate());
});

test('pending counts in-flight requests and never goes negative', () => {
  const clock = new FakeClock(0);
  const ewma = new PeakEwma(OPTIONS, clock);
  const s1 = ewma.start();
  ewma.start();
  ewma.start();
  assert.equal(ewma.pending, 3);
  assert.equal(ewma.cost(), 30 * 4);
  ewma.cancel();
  assert.equal(ewma.pending, 2);
  assert.equal(ewma.estimate(), 30, 'cancel observes nothing');
  clock.t = 50;
  ewma.finish(s1);
  assert.equal(ewma.pending, 1);
  assert.equal(ewma.estimate(), 50);
  assert.equal(ewma.cost(), 50 * 2);
  ewma.cancel();
  ewma.cancel();
  ewma.finish(clock.t);
  assert.equal(ewma.pending, 0);
  assert.equal(ewma.cost(), ewma.estimate());
});

test('a clock that steps back never yields a negative RTT or a growing estimate', () => {
  const clock = new FakeClock(1_000);
  const ewma = new PeakEwma(OPTIONS, clock);
  const startedAt = ewma.start();
  clock.t = 900;
  ewma.finish(startedAt);
  assert.ok(ewma.estimate() >= 0 && ewma.estimate() <= 30, String(ewma.estimate()));
});

test('cost orders endpoints by latency, then by load', () => {
  const clock = new FakeClock(0);
  // A 1 ms default so that the first observations are peaks and the numbers stay round.
  const options = { defaultRttMs: 1, decayMs: DEFAULT_DECAY_MS };
  const fast = new PeakEwma(options, clock);
  const slow = new PeakEwma(options, clock);
  observe(fast, clock, 100, 10);
  observe(slow, clock, 100, 60);
  assert.equal(fast.cost(), 10);
  assert.equal(slow.cost(), 60);
  // Five in flight on the fast one (10 × 6) make it as dear as the idle slow one (60 × 1)…
  for (let i = 0; i < 5; i++) fast.start();
  assert.equal(fast.cost(), slow.cost());
  // …and a sixth makes it dearer.
  fast.start();
  assert.ok(fast.cost() > slow.cost());
  for (let i = 0; i < 6; i++) fast.cancel();
  // While the fast one keeps answering in 10 ms, the idle slow one decays until it wins a pick again:
  // that is how an endpoint that was slow once gets re-probed. 60·e^(-t/10 s) < 10 once t > 17.9 s.
  for (let t = 200; t <= 17_800; t += 100) observe(fast, clock, t, 10);
  assert.ok(slow.cost() > fast.cost(), `at 17.8 s: ${slow.cost()} vs ${fast.cost()}`);
  for (let t = 17_900; t <= 18_100; t += 100) observe(fast, clock, t, 10);
  assert.ok(slow.cost() < fast.cost(), `at 18.1 s: ${slow.cost()} vs ${fast.cost()}`);
});

test('rejects options that would make the estimate meaningless', () => {
  const clock = new FakeClock(0);
  assert.throws(() => new PeakEwma({ defaultRttMs: 30, decayMs: 0 }, clock), RangeError);
  assert.throws(() => new PeakEwma({ defaultRttMs: Number.NaN, decayMs: 10 }, clock), RangeError);
});
