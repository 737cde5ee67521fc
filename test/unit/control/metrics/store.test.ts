// The embedded store: what it keeps at ingest, retention, the series bound, staleness, and flat memory under
// churn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SeriesStore, type IngestSample } from '../../../../src/control/metrics/embedded/store.js';
import { storeSumIncrease, storeSumLatest } from '../../../../src/control/metrics/embedded/store-queries.js';
import { eq } from '../../../../src/control/metrics/promql/selector.js';

const WEB0 = { namespace: 'demo', workload: 'web', pod: 'web-0' };
const WEB1 = { namespace: 'demo', workload: 'web', pod: 'web-1' };

const resp = (labels: Record<string, string>, value: number): IngestSample => ({
  name: 'response_total',
  labels: {
    direction: 'inbound',
    authority: 'web.demo:80',
    tls: 'true',
    classification: 'success',
    ...labels,
  },
  value,
});

test('keeps only the families and labels queries need, adds up what differs in dropped labels', () => {
  const store = new SeriesStore({ retentionMs: 60_000, intervalMs: 1000, maxSeries: 100 });
  const r = store.append(WEB0, 1000, [
    resp({ status_code: '200', target_addr: '127.0.0.1:1' }, 5),
    resp({ status_code: '201', target_addr: '127.0.0.1:2' }, 7),
    resp({ status_code: '500', classification: 'failure' }, 2),
    // The exporter's own namespace label loses to the target label, like Prometheus' honor_labels: false.
    resp({ status_code: '204', namespace: 'spoofed', pod: 'x' }, 1),
    { name: 'request_total', labels: { direction: 'inbound' }, value: 99 },
    { name: 'process_cpu_seconds_total', labels: {}, value: 3 },
    {
      name: 'tcp_open_connections',
      labels: { direction: 'inbound', peer: 'src', tls: 'true', target_addr: 'a' },
      value: NaN,
    },
  ]);
  assert.equal(r.kept, 4);
  assert.equal(store.seriesCount, 2);
  const series = store.select({ metric: 'response_total', matchers: [eq('classification', 'success')] });
  assert.equal(series.length, 1);
  assert.deepEqual(
    { ...series[0]!.labels },
    {
      authority: 'web.demo:80',
      classification: 'success',
      direction: 'inbound',
      tls: 'true',
      namespace: 'demo',
      workload: 'web',
      pod: 'web-0',
    },
  );
  assert.equal(series[0]!.latest(1000, 60_000), 13);
});

test('sum by group of per-series increases, across targets', () => {
  const store = new SeriesStore({ retentionMs: 60_000, intervalMs: 1000, maxSeries: 100 });
  for (let s = 0; s <= 10; s++) {
    store.append(WEB0, s * 1000, [resp({}, 100 + 3 * s), resp({ classification: 'failure' }, s)]);
    store.append(WEB1, s * 1000 + 10, [resp({}, 7 * s)]);
  }
  const byPod = storeSumIncrease(
    store,
    { metric: 'response_total', matchers: [eq('classification', 'success')] },
    ['pod'],
    5000,
    10_000,
  );
  const get = (pod: string) => byPod.find((g) => g.labels['pod'] === pod)?.value;
  assert.equal(get('web-0'), 15);
  // web-1's samples sit 10 ms after each second: in [5 s, 10 s] its first sample is at 5.01 s, extrapolated
  // back the 10 ms to the window start (and its last, at 9.01 s, forward by 0.99 s).
  assert.ok(Math.abs(get('web-1')! - 35) < 1e-9);
  const all = storeSumIncrease(store, { metric: 'response_total', matchers: [] }, [], 5000, 10_000);
  assert.equal(all.length, 1);
  assert.ok(Math.abs(all[0]!.value - (15 + 5 + 35)) < 1e-9);
  assert.deepEqual({ ...all[0]!.labels }, {});
});

test('a series absent from the latest scrape, or from a failed one, has no latest value', () => {
  const store = new SeriesStore({ retentionMs: 60_000, intervalMs: 1000, maxSeries: 100 });
  const open = (v: number): IngestSample => ({
    name: 'tcp_open_connections',
    labels: { direction: 'inbound', peer: 'src', tls: 'true' },
    value: v,
  });
  store.append(WEB0, 1000, [open(3)]);
  const sel = { metric: 'tcp_open_connections', matchers: [] };
  assert.equal(storeSumLatest(store, sel, ['pod'], 1500)[0]?.value, 3);
  // Before the first scrape: nothing.
  assert.equal(storeSumLatest(store, sel, ['pod'], 999).length, 0);
  store.append(WEB0, 2000, []);
  assert.equal(storeSumLatest(store, sel, ['pod'], 2000).length, 0);
  assert.equal(storeSumLatest(store, sel, ['pod'], 1999)[0]?.value, 3, 'the past is still there');
  store.append(WEB0, 3000, [open(4)]);
  store.appendFailure(WEB0, 4000);
  assert.equal(storeSumLatest(store, sel, ['pod'], 3500)[0]?.value, 4);
  assert.equal(storeSumLatest(store, sel, ['pod'], 4000).length, 0);
  // Beyond the 5-minute lookback a sample is too old to be "latest".
  assert.equal(storeSumLatest(store, sel, ['pod'], 3000 + 5 * 60_000 + 1).length, 0);
});

test('scrapes older than the latest of their target are refused', () => {
  const store = new SeriesStore({ retentionMs: 60_000, intervalMs: 1000, maxSeries: 100 });
  store.append(WEB0, 2000, [resp({}, 1)]);
  const r = store.append(WEB0, 2000, [resp({}, 2)]);
  assert.equal(r.kept, 0);
  store.append(WEB0, 1000, [resp({}, 3)]);
  assert.equal(store.stats.outOfOrder, 2);
  assert.equal(store.select({ metric: 'response_total', matchers: [] })[0]!.latest(5000, 60_000), 1);
});

test('retention: the ring keeps retention/interval scrapes; unseen series and their targets expire', () => {
  const store = new SeriesStore({ retentionMs: 10_000, intervalMs: 1000, maxSeries: 100 });
  assert.deepEqual(store.resolution, { fineSlots: 12, coarseSlots: 0, stepMs: 30_000 });
  for (let s = 0; s <= 30; s++) store.append(WEB0, s * 1000, [resp({}, s)]);
  // Only the last 12 scrapes (19 s … 30 s) are left. Over a 30 s window that is 11 counted over 11 s, and
  // the start, 19 s away, is further than 1.1 intervals: half an interval is added there. 11 × 11.5 / 11.
  const inc = storeSumIncrease(store, { metric: 'response_total', matchers: [] }, [], 30_000, 30_000);
  assert.equal(inc[0]?.value, 11.5);
  // web-1 scraped once; web-0 keeps going: web-1's series and target expire once unseen for the retention.
  store.append(WEB1, 31_000, [resp({}, 1)]);
  for (let s = 32; s <= 41; s++) store.append(WEB0, s * 1000, [resp({}, s)]);
  assert.equal(store.targetCount, 2, 'within retention');
  assert.equal(store.seriesCount, 2);
  store.append(WEB0, 42_000, [resp({}, 42)]);
  assert.equal(store.seriesCount, 1);
  assert.equal(store.targetCount, 1);
  assert.equal(store.stats.expired, 1);
});

test('the series bound: live series are never pushed out; vanished ones make room', () => {
  const store = new SeriesStore({ retentionMs: 600_000, intervalMs: 1000, maxSeries: 3 });
  const auth = (a: string) => resp({ authority: a }, 1);
  store.append(WEB0, 1000, [auth('a'), auth('b'), auth('c')]);
  let r = store.append(WEB0, 2000, [auth('a'), auth('b'), auth('c'), auth('d')]);
  assert.equal(r.refused, 1, 'all three are live: the new one is refused');
  assert.equal(store.seriesCount, 3);
  // 'a' vanishes from the scrape: a new series may take its place.
  r = store.append(WEB0, 3000, [auth('b'), auth('c'), auth('d')]);
  assert.equal(r.refused, 0);
  assert.equal(r.created, 1);
  assert.equal(store.stats.evicted, 1);
  assert.deepEqual(
    store
      .select({ metric: 'response_total', matchers: [] })
      .map((s) => s.labels['authority'])
      .sort(),
    ['b', 'c', 'd'],
  );
});

function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

test('memory stays flat: 10^5 scrapes of churning series never exceed the bound', () => {
  const maxSeries = 200;
  const store = new SeriesStore({ retentionMs: 60_000, intervalMs: 1000, maxSeries });
  const targets = Array.from({ length: 20 }, (_, i) => ({ namespace: 'demo', workload: 'w', pod: `p-${i}` }));
  let maxSeen = 0;
  let heapAt20k = 0;
  for (let i = 0; i < 100_000; i++) {
    const t = targets[i % targets.length]!;
    // Every scrape: two steady series and one never seen before (e.g. an authority per request).
    store.append(t, 1000 + i * 50, [
      resp({}, i),
      resp({ classification: 'failure' }, i),
      resp({ authority: `a-${i}` }, 1),
    ]);
    if (store.seriesCount > maxSeen) maxSeen = store.seriesCount;
    if (i === 20_000) {
      collectGarbage();
      heapAt20k = process.memoryUsage().heapUsed;
    }
  }
  collectGarbage();
  const heapEnd = process.memoryUsage().heapUsed;
  assert.ok(maxSeen <= maxSeries, `series peaked at ${maxSeen}`);
  assert.ok(store.stats.evicted + store.stats.expired > 90_000, JSON.stringify(store.stats));
  assert.equal(store.stats.refused, 0, 'vanished series always made room');
  // Steady series survived the churn.
  assert.equal(
    store.select({ metric: 'response_total', matchers: [eq('classification', 'failure')] }).length,
    20,
  );
  const growth = heapEnd - heapAt20k;
  assert.ok(growth < 4 * 1024 * 1024, `heap grew ${growth} bytes between 2·10^4 and 10^5 scrapes`);
});

test('beyond the full-resolution span, history is kept as downsampled running totals, resets included', () => {
  const store = new SeriesStore({ maxSeries: 10 }); // defaults: 1 h, 2 s scrapes, every scrape for 10 min
  assert.deepEqual(store.resolution, { fineSlots: 302, coarseSlots: 122, stepMs: 30_000 });
  assert.equal(store.bytesPerSeries, 8 * 424, 'a quarter of keeping every scrape for the hour');
  let value = 0;
  let counted = 0; // what happened, as a monitoring system should report it
  const history: [number, number][] = [];
  for (let s = 0; s <= 7200; s += 2) {
    if (s > 0 && s % 420 === 0) {
      // A restart, and a burst right after it: the counter is back above its old value within one 30 s step,
      // so only a reset seen at every scrape is caught.
      value = 0;
    }
    const step = s % 420 === 2 ? 5000 : 20;
    if (s > 0) {
      value += step;
      counted += step;
    }
    history.push([s, counted]);
    store.append(WEB0, s * 1000, [resp({}, value)]);
  }
  const counterAt = (s: number) => history.find(([t]) => t === s)![1];
  const sel = { metric: 'response_total', matchers: [] };
  // 50 minutes ending on a 30 s boundary: both edges are downsampled slots, so the answer is exact.
  const long = storeSumIncrease(store, sel, [], 3_000_000, 7_200_000)[0]!.value;
  assert.equal(long, counterAt(7200) - counterAt(4200));
  // 5 minutes: every scrape, Prometheus' arithmetic, exact as well.
  const short = storeSumIncrease(store, sel, [], 300_000, 7_200_000)[0]!.value;
  assert.equal(short, counterAt(7200) - counterAt(6900));
  // Gauges are only read as their latest value: they keep no downsampled history.
  store.append(WEB0, 7_202_000, [
    { name: 'tcp_open_connections', labels: { direction: 'inbound', peer: 'src', tls: 'true' }, value: 3 },
  ]);
  const gauge = store.select({ metric: 'tcp_open_connections', matchers: [] })[0]!;
  assert.equal(gauge.totals, undefined);
  assert.ok(store.select(sel)[0]!.totals instanceof Float64Array);
});
