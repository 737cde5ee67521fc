// The controller and the gRPC sources against a fixture control plane speaking the real protocols.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TopController } from '../../../src/tui/controller.js';
import { GrpcStatsSource } from '../../../src/tui/sources/grpc-stats.js';
import { GrpcTapSource } from '../../../src/tui/sources/grpc-tap.js';
import { initialState } from '../../../src/tui/state/state.js';
import { createStore, type TopStore } from '../../../src/tui/state/store.js';
import { isStale, selectRows } from '../../../src/tui/state/selectors.js';
import { startFixtureControlPlane } from '../../fixtures/control-plane-fixture.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';
import type { TestContext } from 'node:test';

function startController(t: TestContext, address: string, intervalMs = 200): TopStore {
  const store = createStore(
    initialState({
      targetLabel: 'namespace/demo',
      controlPlane: address,
      windowMs: 60_000,
      intervalMs,
      mode: 'route',
      now: Date.now(),
    }),
  );
  const stats = new GrpcStatsSource({ address, timeoutMs: 2000 });
  const tap = new GrpcTapSource({ address });
  const controller = new TopController({
    store,
    stats,
    tap,
    target: { type: 'namespace', namespace: '', name: 'demo' },
    from: undefined,
    to: undefined,
    intervalMs,
    tapFlushMs: 50,
    pollBackoff: { minMs: 100, maxMs: 400, jitter: 0 },
    tapBackoff: { minMs: 100, maxMs: 400, jitter: 0 },
  });
  controller.start();
  t.after(() => {
    controller.stop();
    stats.close();
    tap.close();
  });
  return store;
}

test('fills the store from the metrics and tap APIs', async (t) => {
  const cp = await startFixtureControlPlane(t, { tapIntervalMs: 20 });
  const store = startController(t, cp.address);
  await waitFor(() => selectRows(store.getState()).length === 5, { what: 'five routes' });
  await waitFor(() => store.getState().live.tap.lines.length >= 30, { what: 'tap lines' });
  const s = store.getState();
  assert.equal(s.connection.status, 'connected');
  assert.equal(s.tapStatus.status, 'streaming');
  assert.equal(s.live.snapshot?.namespaces.length, 2);
  assert.equal(selectRows(s)[0]?.name, 'GET /users/{id}');
  const req = cp.requests.routes[0];
  assert.deepEqual(req?.selector, { type: 'namespace', namespace: '', name: 'demo' });
  assert.equal(req?.windowMs, 60_000);
  assert.deepEqual(cp.requests.watch[0]?.target, { type: 'namespace', namespace: '', name: 'demo' });
  const end = s.live.tap.lines.find((l) => l.kind === 'end' && l.route === 'POST /orders' && l.failure);
  assert.ok(end, 'a failed POST /orders was folded with its request facts');
  // Polls keep coming at the interval, and trends grow one point per poll.
  await waitFor(
    () => (store.getState().live.trends.get('route:web.demo:80 GET /users/{id}')?.points.length ?? 0) >= 3,
    {
      what: 'trend points',
    },
  );
});

test('window and mode changes poll at once; focusing a route re-opens the tap for it', async (t) => {
  const cp = await startFixtureControlPlane(t, { tapIntervalMs: 20 });
  const store = startController(t, cp.address, 60_000);
  await waitFor(() => selectRows(store.getState()).length === 5, { what: 'first snapshot' });
  store.dispatch({ type: 'window-next' });
  await waitFor(() => cp.requests.routes.some((r) => r.windowMs === 300_000), {
    timeoutMs: 3000,
    what: 'a poll with the 5m window long before the 60 s interval',
  });
  store.dispatch({ type: 'move', delta: 1, page: 10 });
  store.dispatch({ type: 'focus-selected' });
  const focused = store.getState().ui.focus?.route;
  assert.equal(focused, 'GET /search');
  await waitFor(() => cp.requests.watch.some((w) => w.match?.http?.route === 'GET /search'), {
    what: 'a watch for the focused route',
  });
  await waitFor(() => cp.openWatches() === 1, { what: 'the old watch cancelled' });
  const seen = store.getState().live.tap.nextSeq;
  await waitFor(() => store.getState().live.tap.nextSeq > seen + 30, { what: 'focused tap lines' });
  const fresh = store.getState().live.tap.lines.filter((l) => l.seq >= seen + 3);
  assert.ok(
    fresh.every((l) => l.route === 'GET /search'),
    'only the focused route is tapped now',
  );
  store.dispatch({ type: 'mode-toggle' });
  await waitFor(() => cp.requests.stat.some((r) => r.selector?.type === 'workload'), {
    what: 'workload poll',
  });
  await waitFor(() => selectRows(store.getState()).length === 3, { what: 'three workloads' });
  const stat = cp.requests.stat.find((r) => r.selector?.type === 'workload');
  assert.deepEqual(stat?.selector, { type: 'workload', namespace: 'demo', name: '' });
});

test('a lost control plane: reconnecting, stale data kept, then connected again on the same address', async (t) => {
  const cp = await startFixtureControlPlane(t, { tapIntervalMs: 50 });
  const store = startController(t, cp.address);
  await waitFor(
    () => store.getState().tapStatus.status === 'streaming' && selectRows(store.getState()).length === 5,
    {
      what: 'connected',
    },
  );
  await cp.stop();
  await waitFor(() => store.getState().connection.status === 'reconnecting', { what: 'reconnecting' });
  let s = store.getState();
  assert.equal(isStale(s), true);
  assert.equal(selectRows(s).length, 5, 'the last rows stay');
  assert.equal(s.connection.error?.code, 'MESH_CONTROL_UNREACHABLE');
  assert.match(
    s.connection.error?.message ?? '',
    /no control plane reachable at 127\.0\.0\.1:\d+ — start one/,
  );
  await waitFor(() => store.getState().tapStatus.status === 'reconnecting', { what: 'tap reconnecting' });
  await cp.start();
  await waitFor(() => store.getState().connection.status === 'connected', {
    timeoutMs: 15_000,
    what: 'connected again',
  });
  await waitFor(() => store.getState().tapStatus.status === 'streaming', {
    timeoutMs: 15_000,
    what: 'tap again',
  });
  s = store.getState();
  assert.equal(isStale(s), false);
  assert.equal(s.connection.error, null);
});

test('no control plane at all: connecting, with the reason, and retries', async (t) => {
  const port = await freePort();
  const store = startController(t, `127.0.0.1:${port}`);
  await waitFor(() => store.getState().connection.failures >= 3, { what: 'three failed polls' });
  const s = store.getState();
  assert.equal(s.connection.status, 'connecting');
  assert.equal(
    s.connection.error?.message.startsWith(`no control plane reachable at 127.0.0.1:${port}`),
    true,
  );
  assert.ok(s.connection.retryAt !== null);
});
