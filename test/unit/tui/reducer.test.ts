import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reduce } from '../../../src/tui/state/reducer.js';
import {
  selectRows,
  selectedRow,
  selectSourceQuery,
  viewData,
  windowMs,
} from '../../../src/tui/state/selectors.js';
import type { TopAction } from '../../../src/tui/state/actions.js';
import type { TopState } from '../../../src/tui/state/state.js';
import { demoRoutes, exchange, route, routeSnapshot, state, T0, workload, workloadSnapshot } from './data.js';

const apply = (s: TopState, ...actions: TopAction[]): TopState => actions.reduce(reduce, s);
const withData = (): TopState =>
  apply(state(), { type: 'snapshot', at: T0, snapshot: routeSnapshot(demoRoutes()) });

test('a snapshot connects, records trends, and leaves the input state untouched', () => {
  const before = state();
  const frozen = JSON.stringify(before);
  const after = reduce(before, { type: 'snapshot', at: T0 + 5, snapshot: routeSnapshot(demoRoutes()) });
  assert.equal(JSON.stringify(before), frozen);
  assert.equal(after.connection.status, 'connected');
  assert.equal(after.connection.lastSuccessAt, T0 + 5);
  assert.equal(after.live.trends.size, 4);
  assert.equal(after.now, T0 + 5);
});

test('failed polls: connecting before any data, reconnecting after, with the error and retry time', () => {
  const error = { code: 'MESH_CONTROL_UNREACHABLE', message: 'no control plane reachable', hint: undefined };
  let s = reduce(state(), { type: 'poll-failed', at: T0, error, retryAt: T0 + 500 });
  assert.equal(s.connection.status, 'connecting');
  assert.equal(s.connection.failures, 1);
  s = apply(withData(), { type: 'poll-failed', at: T0 + 1000, error, retryAt: T0 + 1500 });
  assert.equal(s.connection.status, 'reconnecting');
  assert.equal(s.connection.retryAt, T0 + 1500);
  assert.ok(viewData(s).snapshot, 'the last data is kept');
  s = reduce(s, { type: 'snapshot', at: T0 + 2000, snapshot: routeSnapshot(demoRoutes()) });
  assert.equal(s.connection.status, 'connected');
  assert.equal(s.connection.error, null);
});

test('sort: s cycles columns with a sensible first direction, S inverts', () => {
  let s = state();
  assert.deepEqual(s.ui.sort, { column: 'rps', descending: true });
  s = reduce(s, { type: 'sort-next' });
  assert.deepEqual(s.ui.sort, { column: 'p50', descending: true });
  s = apply(s, { type: 'sort-next' }, { type: 'sort-next' }, { type: 'sort-next' });
  assert.deepEqual(s.ui.sort, { column: 'name', descending: false });
  s = apply(s, { type: 'sort-next' }, { type: 'sort-next' });
  assert.deepEqual(s.ui.sort, { column: 'success', descending: false }, 'worst success first');
  s = reduce(s, { type: 'sort-invert' });
  assert.deepEqual(s.ui.sort, { column: 'success', descending: true });
  s = reduce(s, { type: 'sort-by', column: 'success' });
  assert.deepEqual(s.ui.sort, { column: 'success', descending: false });
});

test('the selection follows its row through re-sorts and refreshes', () => {
  let s = apply(withData(), { type: 'move', delta: 1, page: 10 });
  assert.equal(selectedRow(s)?.name, 'GET /search');
  s = reduce(s, { type: 'sort-by', column: 'name' });
  assert.equal(selectedRow(s)?.name, 'GET /search');
  s = reduce(s, {
    type: 'snapshot',
    at: T0 + 1000,
    snapshot: routeSnapshot([...demoRoutes(), route('GET /new', { rps: 99 })]),
  });
  assert.equal(selectedRow(s)?.name, 'GET /search');
  s = apply(s, { type: 'move-to', where: 'last', page: 10 });
  assert.equal(selectedRow(s)?.name, 'POST /orders');
  s = apply(s, { type: 'move', delta: 5, page: 10 });
  assert.equal(selectedRow(s)?.name, 'POST /orders', 'clamped at the end');
  s = apply(s, { type: 'move-to', where: 'first', page: 10 });
  assert.equal(selectedRow(s)?.name, '[DEFAULT]');
});

test('Enter focuses the selected route (narrowing the tap query) and toggles it off', () => {
  let s = apply(withData(), { type: 'move', delta: 2, page: 10 }, { type: 'focus-selected' });
  assert.equal(s.ui.focus?.route, 'POST /orders');
  assert.equal(s.ui.focus?.authority, 'api.demo:8080');
  assert.equal(selectSourceQuery(s).focusRoute, 'POST /orders');
  s = reduce(s, { type: 'focus-selected' });
  assert.equal(s.ui.focus, null);
  assert.equal(selectSourceQuery(s).focusRoute, undefined);
});

test('the text filter is edited key by key, kept with Enter, cleared with Esc', () => {
  let s = apply(
    withData(),
    { type: 'filter-start' },
    { type: 'filter-input', text: 'a' },
    { type: 'filter-input', text: 'pi\u001b[A' },
  );
  assert.equal(s.ui.filter, 'api[A', 'control characters never reach the filter');
  s = apply(s, { type: 'filter-backspace' }, { type: 'filter-backspace' });
  assert.equal(s.ui.filter, 'api');
  assert.deepEqual(
    selectRows(s).map((r) => r.name),
    ['GET /search', 'POST /orders'],
  );
  s = reduce(s, { type: 'filter-commit' });
  assert.equal(s.ui.editingFilter, false);
  assert.equal(s.ui.filter, 'api');
  s = apply(s, { type: 'filter-start' }, { type: 'filter-cancel' });
  assert.equal(s.ui.filter, '');
  assert.equal(selectRows(s).length, 4);
});

test('pause freezes what is shown while data keeps arriving, and counts it', () => {
  let s = apply(withData(), { type: 'pause-toggle', at: T0 + 10 });
  s = apply(
    s,
    { type: 'snapshot', at: T0 + 1000, snapshot: routeSnapshot([route('GET /only')]) },
    { type: 'tap-records', at: T0 + 1100, records: exchange(1), dropped: 0 },
  );
  assert.equal(selectRows(s).length, 4, 'the view still shows the paused snapshot');
  assert.equal(viewData(s).tap.lines.length, 0);
  assert.equal(s.arrivedWhilePaused, 4);
  assert.equal(s.live.tap.lines.length, 3, 'live data was folded');
  s = reduce(s, { type: 'pause-toggle', at: T0 + 2000 });
  assert.equal(s.frozen, null);
  assert.deepEqual(
    selectRows(s).map((r) => r.name),
    ['GET /only'],
  );
  assert.equal(s.arrivedWhilePaused, 0);
});

test('t cycles the window through the standard ones and the flag value, and restarts trends', () => {
  let s = withData();
  assert.equal(windowMs(s), 60_000);
  s = reduce(s, { type: 'window-next' });
  assert.equal(windowMs(s), 300_000);
  assert.equal(s.live.trends.size, 0);
  s = apply(s, { type: 'window-next' }, { type: 'window-next' });
  assert.equal(windowMs(s), 10_000);
  const custom = state({ windowMs: 120_000 });
  assert.deepEqual(custom.config.windows, [10_000, 60_000, 120_000, 300_000, 900_000]);
  assert.equal(windowMs(custom), 120_000);
});

test('w switches between route and workload rows and resets selection and focus', () => {
  let s = apply(withData(), { type: 'move', delta: 1, page: 10 }, { type: 'focus-selected' });
  s = reduce(s, { type: 'mode-toggle' });
  assert.equal(s.ui.mode, 'workload');
  assert.equal(s.ui.focus, null);
  assert.equal(s.ui.selectedKey, null);
  assert.equal(selectSourceQuery(s).mode, 'workload');
  s = reduce(s, {
    type: 'snapshot',
    at: T0 + 1000,
    snapshot: workloadSnapshot([workload('web'), workload('api', { rps: 5 })]),
  });
  assert.deepEqual(
    selectRows(s).map((r) => r.name),
    ['api', 'web'],
  );
  s = apply(s, { type: 'move', delta: 1, page: 10 }, { type: 'focus-selected' });
  assert.equal(s.ui.focus?.workload, 'web');
  assert.equal(
    selectSourceQuery(s).focusRoute,
    undefined,
    'workload focus filters the tail, not the tap query',
  );
});

test('tab cycles panes; arrows scroll the tap tail or switch the chart when those panes have focus', () => {
  let s = apply(withData(), {
    type: 'tap-records',
    at: T0,
    records: [...exchange(1), ...exchange(2)],
    dropped: 0,
  });
  s = reduce(s, { type: 'pane-next' });
  assert.equal(s.ui.pane, 'trend');
  assert.equal(s.ui.lowerPane, 'trend');
  s = reduce(s, { type: 'move', delta: 1, page: 5 });
  assert.equal(s.ui.trendMetric, 'p99');
  s = apply(s, { type: 'move', delta: -1, page: 5 }, { type: 'move', delta: -1, page: 5 });
  assert.equal(s.ui.trendMetric, 'success');
  s = reduce(s, { type: 'pane-next' });
  assert.equal(s.ui.pane, 'tap');
  assert.equal(s.ui.lowerPane, 'tap');
  s = apply(s, { type: 'move', delta: -1, page: 5 }, { type: 'move', delta: -1, page: 5 });
  assert.equal(s.ui.tapScroll, 2);
  s = apply(s, { type: 'move-to', where: 'last', page: 5 });
  assert.equal(s.ui.tapScroll, 0);
  s = apply(s, { type: 'move-to', where: 'first', page: 5 });
  assert.equal(s.ui.tapScroll, 6, 'bounded by the lines there are');
  s = reduce(s, { type: 'pane-next' });
  assert.equal(s.ui.pane, 'table');
  assert.equal(s.ui.lowerPane, 'tap', 'the lower pane stays what it was');
});

test('? toggles help', () => {
  const s = reduce(state(), { type: 'help-toggle' });
  assert.equal(s.ui.help, true);
  assert.equal(reduce(s, { type: 'help-toggle' }).ui.help, false);
});

test('ticks only move time forward', () => {
  const s = reduce(state(), { type: 'tick', at: T0 + 5 });
  assert.equal(s.now, T0 + 5);
  assert.equal(reduce(s, { type: 'tick', at: T0 }), s);
});
