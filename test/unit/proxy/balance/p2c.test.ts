import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickP2c, type Balanceable } from '../../../../src/proxy/balance/p2c.js';
import { DEFAULT_DECAY_MS, DEFAULT_RTT_MS, PeakEwma } from '../../../../src/proxy/balance/peak-ewma.js';
import { FakeClock, scriptedRandom, seededRandom } from '../../../helpers/random.js';

class Endpoint implements Balanceable {
  readonly load: PeakEwma;
  up = true;
  picks = 0;
  constructor(
    readonly name: string,
    readonly latencyMs: number,
    clock: FakeClock,
  ) {
    this.load = new PeakEwma({ defaultRttMs: DEFAULT_RTT_MS, decayMs: DEFAULT_DECAY_MS }, clock);
  }
  available(): boolean {
    return this.up;
  }
}

function threeEndpoints(clock: FakeClock): Endpoint[] {
  return [new Endpoint('a', 10, clock), new Endpoint('b', 10, clock), new Endpoint('slow', 60, clock)];
}

/** Latency of one request: the endpoint's base ±20 %, so the estimates move as in real traffic. */
function latency(ep: Endpoint, random: () => number): number {
  return ep.latencyMs * (0.8 + 0.4 * random());
}

function share(endpoints: readonly Endpoint[], name: string): number {
  const total = endpoints.reduce((sum, ep) => sum + ep.picks, 0);
  return (endpoints.find((ep) => ep.name === name)?.picks ?? 0) / total;
}

test('sequential traffic: an endpoint 50 ms slower gets under 20 % of 10,000 requests', (t) => {
  const clock = new FakeClock(0);
  const random = seededRandom(42);
  const endpoints = threeEndpoints(clock);
  for (let i = 0; i < 10_000; i++) {
    const ep = pickP2c(endpoints, random, clock.now());
    assert.ok(ep);
    ep.picks++;
    const startedAt = ep.load.start();
    clock.advance(latency(ep, random));
    ep.load.finish(startedAt);
    clock.advance(1); // think time between requests
  }
  const slowShare = share(endpoints, 'slow');
  t.diagnostic(`slow endpoint share (sequential): ${(slowShare * 100).toFixed(2)} %`);
  t.diagnostic(`picks: ${endpoints.map((ep) => `${ep.name}=${ep.picks}`).join(' ')}`);
  assert.ok(slowShare < 0.2, `slow share ${slowShare}`);
  assert.ok(slowShare > 0, 'the slow endpoint is still probed now and then');
  for (const ep of endpoints.slice(0, 2)) assert.ok(share(endpoints, ep.name) > 0.35, ep.name);
  for (const ep of endpoints) assert.equal(ep.load.pending, 0);
});

test('concurrent traffic: with requests in flight the slow endpoint still gets under 20 %', (t) => {
  const clock = new FakeClock(0);
  const random = seededRandom(7);
  const endpoints = threeEndpoints(clock);
  // Open loop: a request arrives every 2 ms whatever the endpoints do, so several are in flight at once.
  const inFlight: { endsAt: number; startedAt: number; ep: Endpoint }[] = [];
  let maxPending = 0;
  const completeUntil = (time: number): void => {
    for (;;) {
      let next = -1;
      for (let i = 0; i < inFlight.length; i++) {
        if (
          (inFlight[i]?.endsAt ?? Infinity) <= time &&
          (next < 0 || inFlight[i]!.endsAt < inFlight[next]!.endsAt)
        ) {
          next = i;
        }
      }
      if (next < 0) return;
      const [done] = inFlight.splice(next, 1);
      clock.t = done!.endsAt;
      done!.ep.load.finish(done!.startedAt);
    }
  };
  for (let i = 0; i < 10_000; i++) {
    const arrival = i * 2;
    completeUntil(arrival);
    clock.t = arrival;
    const ep = pickP2c(endpoints, random, clock.now());
    assert.ok(ep);
    ep.picks++;
    const startedAt = ep.load.start();
    maxPending = Math.max(maxPending, ep.load.pending);
    inFlight.push({ endsAt: arrival + latency(ep, random), startedAt, ep });
  }
  completeUntil(Infinity);
  const slowShare = share(endpoints, 'slow');
  t.diagnostic(`slow endpoint share (concurrent, 1 request / 2 ms): ${(slowShare * 100).toFixed(2)} %`);
  t.diagnostic(
    `picks: ${endpoints.map((ep) => `${ep.name}=${ep.picks}`).join(' ')}; max pending ${maxPending}`,
  );
  assert.ok(maxPending >= 3, `concurrency was exercised (max pending ${maxPending})`);
  assert.ok(slowShare < 0.2, `slow share ${slowShare}`);
  for (const ep of endpoints) assert.equal(ep.load.pending, 0, `${ep.name} pending`);
});

test('an unavailable endpoint is never picked while others are available', () => {
  const clock = new FakeClock(0);
  const random = seededRandom(1);
  const endpoints = ['a', 'b', 'c', 'd'].map((name) => new Endpoint(name, 10, clock));
  endpoints[1]!.up = false;
  for (let i = 0; i < 10_000; i++) pickP2c(endpoints, random, 0)!.picks++;
  assert.equal(endpoints[1]!.picks, 0);
  // Equal costs and ties going to the first drawn: the rest share evenly.
  for (const ep of [endpoints[0]!, endpoints[2]!, endpoints[3]!]) {
    assert.ok(Math.abs(ep.picks / 10_000 - 1 / 3) < 0.03, `${ep.name}: ${ep.picks}`);
  }
});

test('mostly unavailable sets fall back to a scan and stay uniform over the available ones', () => {
  const clock = new FakeClock(0);
  const random = seededRandom(2);
  const endpoints = Array.from({ length: 10 }, (_, i) => new Endpoint(`e${i}`, 10, clock));
  for (const ep of endpoints) ep.up = false;
  endpoints[3]!.up = true;
  endpoints[8]!.up = true;
  for (let i = 0; i < 10_000; i++) pickP2c(endpoints, random, 0)!.picks++;
  assert.equal(endpoints[3]!.picks + endpoints[8]!.picks, 10_000);
  assert.ok(Math.abs(endpoints[3]!.picks / 10_000 - 0.5) < 0.03, String(endpoints[3]!.picks));

  for (const ep of endpoints) ep.picks = 0;
  endpoints[8]!.up = false;
  for (let i = 0; i < 1_000; i++) pickP2c(endpoints, random, 0)!.picks++;
  assert.equal(endpoints[3]!.picks, 1_000, 'the only available endpoint');
});

test('when every endpoint is unavailable one is still returned, so the set gets probed', () => {
  const clock = new FakeClock(0);
  const random = seededRandom(3);
  const endpoints = ['a', 'b', 'c'].map((name) => new Endpoint(name, 10, clock));
  for (const ep of endpoints) ep.up = false;
  for (let i = 0; i < 3_000; i++) pickP2c(endpoints, random, 0)!.picks++;
  for (const ep of endpoints) assert.ok(ep.picks > 800, `${ep.name}: ${ep.picks}`);
});

test('single and empty sets', () => {
  const clock = new FakeClock(0);
  const only = new Endpoint('only', 10, clock);
  const noDraws = scriptedRandom([]);
  assert.equal(pickP2c([only], noDraws, 0), only);
  only.up = false;
  assert.equal(pickP2c([only], noDraws, 0), only);
  assert.equal(pickP2c([], noDraws, 0), undefined);
});

test('the cheaper of the two drawn wins; a tie goes to the first drawn', () => {
  const clock = new FakeClock(0);
  const [a, b, c] = ['a', 'b', 'c'].map((name) => new Endpoint(name, 10, clock)) as [
    Endpoint,
    Endpoint,
    Endpoint,
  ];
  const endpoints = [a, b, c];
  // 0.0 draws index 0; 0.5 draws from the two others → index 2.
  assert.equal(pickP2c(endpoints, scriptedRandom([0, 0.5]), 0), a);
  assert.equal(pickP2c(endpoints, scriptedRandom([0.9, 0]), 0), c, 'first drawn is c, second a');
  c.load.start();
  assert.equal(pickP2c(endpoints, scriptedRandom([0.9, 0]), 0), a, 'pending makes c dearer');
  // A source that returns 1 (out of contract) must not index past the end.
  assert.ok(endpoints.includes(pickP2c(endpoints, () => 1, 0)!));
});

test('passes `now` through to available()', () => {
  const clock = new FakeClock(0);
  const seen: number[] = [];
  const ep = (name: string): Balanceable & { name: string } => ({
    name,
    load: new PeakEwma({ defaultRttMs: 1, decayMs: 1 }, clock),
    available: (now: number) => {
      seen.push(now);
      return true;
    },
  });
  pickP2c([ep('a'), ep('b')], seededRandom(4), 1234);
  assert.ok(seen.length > 0 && seen.every((now) => now === 1234));
});
