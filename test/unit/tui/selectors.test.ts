import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTableRows } from '../../../src/tui/state/rows.js';
import {
  filterRows,
  isStale,
  meshTotals,
  sameService,
  selectTapView,
  sortRows,
  tableStart,
} from '../../../src/tui/state/selectors.js';
import { reduce } from '../../../src/tui/state/reducer.js';
import { demoRoutes, exchange, namespace, routeSnapshot, state, T0 } from './data.js';

const rows = toTableRows(routeSnapshot(demoRoutes()));
const names = (rs: { name: string }[]) => rs.map((r) => r.name);

test('sorts by every column in both directions, rows without data last either way', () => {
  assert.deepEqual(names(sortRows(rows, { column: 'rps', descending: true })), [
    'GET /users/{id}',
    'GET /search',
    'POST /orders',
    '[DEFAULT]',
  ]);
  assert.deepEqual(names(sortRows(rows, { column: 'rps', descending: false })), [
    '[DEFAULT]',
    'POST /orders',
    'GET /search',
    'GET /users/{id}',
  ]);
  assert.deepEqual(names(sortRows(rows, { column: 'success', descending: false })), [
    'POST /orders',
    'GET /search',
    'GET /users/{id}',
    '[DEFAULT]',
  ]);
  assert.deepEqual(names(sortRows(rows, { column: 'p99', descending: true })), [
    'POST /orders',
    'GET /search',
    'GET /users/{id}',
    '[DEFAULT]',
  ]);
  assert.deepEqual(names(sortRows(rows, { column: 'p50', descending: false })).at(-1), '[DEFAULT]');
  assert.deepEqual(names(sortRows(rows, { column: 'name', descending: false })), [
    '[DEFAULT]',
    'GET /search',
    'GET /users/{id}',
    'POST /orders',
  ]);
  assert.deepEqual(names(sortRows(rows, { column: 'secondary', descending: false })), [
    'GET /search',
    'POST /orders',
    '[DEFAULT]',
    'GET /users/{id}',
  ]);
});

test('equal values keep a stable order (by key) so rows never swap between refreshes', () => {
  const same = toTableRows(
    routeSnapshot([
      { ...demoRoutes()[0]!, route: 'b', rps: 1 },
      { ...demoRoutes()[0]!, route: 'a', rps: 1 },
    ]),
  );
  assert.deepEqual(names(sortRows(same, { column: 'rps', descending: true })), ['a', 'b']);
  assert.deepEqual(names(sortRows(same, { column: 'rps', descending: false })), ['a', 'b']);
});

test('filters by route and service, case-insensitively', () => {
  assert.deepEqual(names(filterRows(rows, 'API.DEMO')), ['POST /orders', 'GET /search']);
  assert.deepEqual(names(filterRows(rows, 'users')), ['GET /users/{id}']);
  assert.equal(filterRows(rows, '  ').length, 4);
  assert.equal(filterRows(rows, 'nothing').length, 0);
});

test('mesh totals weigh rates by requests and bound latencies from above', () => {
  const m = meshTotals([
    namespace('a', {
      successRate: 1,
      requests: 900,
      rps: 15,
      latencyP99Ms: 10,
      tlsShare: 1,
      meshedPods: 2,
      runningPods: 2,
    }),
    namespace('b', {
      successRate: 0.5,
      requests: 100,
      rps: 5,
      latencyP99Ms: 200,
      tlsShare: 0,
      meshedPods: 0,
      runningPods: 1,
    }),
    namespace('idle', { successRate: null, requests: 0, rps: 0, latencyP99Ms: null, tlsShare: null }),
  ]);
  assert.equal(m.rps, 20);
  assert.equal(m.successRate, 0.95);
  assert.equal(m.tlsShare, 0.9);
  assert.equal(m.latencyP99MsAtMost, 200);
  assert.equal(m.meshedPods, 3);
  assert.equal(m.runningPods, 4);
  assert.equal(meshTotals([]).successRate, null);
});

test('the table window follows the selection and moves as little as possible', () => {
  assert.equal(tableStart(5, 4, 0, 10), 0);
  assert.equal(tableStart(50, 3, 0, 10), 0);
  assert.equal(tableStart(50, 12, 0, 10), 3);
  assert.equal(tableStart(50, 8, 3, 10), 3, 'moving up inside the window does not scroll');
  assert.equal(tableStart(50, 1, 3, 10), 1);
  assert.equal(tableStart(50, 49, 45, 10), 40, 'offset clamped to the end');
});

test('stale only after a success, when disconnected or when the last answer is too old', () => {
  let s = state();
  assert.equal(isStale(s), false);
  s = reduce(s, { type: 'snapshot', at: T0, snapshot: routeSnapshot(demoRoutes()) });
  assert.equal(isStale(s), false);
  s = reduce(s, { type: 'tick', at: T0 + 2000 });
  assert.equal(isStale(s), false);
  s = reduce(s, { type: 'tick', at: T0 + 3001 });
  assert.equal(isStale(s), true, 'quiet for longer than staleAfterMs');
  s = reduce(s, { type: 'snapshot', at: T0 + 3100, snapshot: routeSnapshot(demoRoutes()) });
  assert.equal(isStale(s), false);
  s = reduce(s, {
    type: 'poll-failed',
    at: T0 + 3200,
    error: { code: 'MESH_CONTROL_UNREACHABLE', message: 'gone', hint: undefined },
    retryAt: T0 + 4000,
  });
  assert.equal(isStale(s), true, 'a failed poll marks the data stale at once');
});

test('the tap view narrows to the focused route and the filter, and scrolls back', () => {
  let s = state();
  const records = [
    ...exchange(1, { route: 'GET /a', authority: 'a.demo:80' }),
    ...exchange(2, { route: 'GET /b', authority: 'b.demo:80' }),
    ...exchange(3, { route: 'GET /a', authority: 'a.demo.svc.cluster.local:80' }),
  ];
  s = reduce(s, { type: 'tap-records', at: T0, records, dropped: 0 });
  assert.equal(selectTapView(s, 100).lines.length, 9);
  s = {
    ...s,
    ui: {
      ...s.ui,
      focus: {
        key: 'route:a.demo:80 GET /a',
        mode: 'route',
        label: 'GET /a',
        route: 'GET /a',
        authority: 'a.demo:80',
        workload: null,
        namespace: 'demo',
      },
    },
  };
  const focused = selectTapView(s, 100);
  assert.equal(focused.lines.length, 6);
  assert.ok(focused.lines.every((l) => l.route === 'GET /a'));
  s = { ...s, ui: { ...s.ui, filter: '/items/3' } };
  assert.equal(selectTapView(s, 100).lines.length, 3);
  s = { ...s, ui: { ...s.ui, filter: '', focus: null, tapScroll: 2 } };
  const scrolled = selectTapView(s, 4);
  assert.equal(scrolled.newerHidden, 2);
  assert.deepEqual(
    scrolled.lines.map((l) => l.seq),
    [3, 4, 5, 6],
  );
});

test('authorities of one service match in short and long forms only', () => {
  assert.ok(sameService('web.demo:80', 'web.demo.svc.cluster.local:80'));
  assert.ok(sameService('web.demo:80', 'web.demo:8080'));
  assert.equal(sameService('web.demo:80', 'webx.demo:80'), false);
});
