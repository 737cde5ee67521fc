import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../../../src/tui/components/App.js';
import { Screen } from '../../../src/tui/components/Screen.js';
import { asciiChart } from '../../../src/tui/chart/chart.js';
import { createStore, type TopStore } from '../../../src/tui/state/store.js';
import { reduce } from '../../../src/tui/state/reducer.js';
import type { TopState } from '../../../src/tui/state/state.js';
import { buildScreen } from '../../../src/tui/view-model.js';
import { waitFor } from '../../helpers/wait.js';
import {
  demoRoutes,
  exchange,
  namespace,
  routeSnapshot,
  state,
  T0,
  workload,
  workloadSnapshot,
} from './data.js';

test.afterEach(() => cleanup());

function withData(): TopState {
  let s = state();
  for (let i = 0; i < 5; i++) {
    s = reduce(s, {
      type: 'snapshot',
      at: T0 + i * 1000,
      snapshot: routeSnapshot(demoRoutes(), [
        namespace('demo', { successRate: 0.9712, rps: 42.5, latencyP99Ms: 87, requests: 2550 }),
        namespace('ops', { successRate: 1, rps: 1, latencyP99Ms: 5, requests: 60 }),
      ]),
    });
  }
  return reduce(s, {
    type: 'tap-records',
    at: T0 + 5000,
    records: [...exchange(1), ...exchange(2, { status: 503 })],
    dropped: 0,
  });
}

function drawn(s: TopState, columns: number, rows: number): string {
  const { lastFrame } = render(<Screen model={buildScreen(s, columns, rows)} chart={asciiChart} />);
  return lastFrame() ?? '';
}

/** The frame's line that contains `text`. */
function lineWith(frame: string, text: string): string {
  return frame.split('\n').find((l) => l.includes(text)) ?? '';
}

test('the screen shows header, routes with their values, trend and tap at 80×24', () => {
  const frame = drawn(withData(), 80, 24);
  const lines = frame.split('\n');
  assert.equal(lines.length, 24, frame);
  assert.ok(
    lines.every((l) => [...l].length <= 80),
    frame,
  );
  assert.match(
    lines[0] ?? '',
    /meshctl top {2}namespace\/demo {2}window 1m {2}● connected 127\.0\.0\.1:8086/,
  );
  assert.match(lines[1] ?? '', /mesh {2}success 97\.\d\d% {2}rps 43\.5 .* p99 ≤87ms/);
  assert.match(lines[2] ?? '', /demo 97\.12% 42\.5rps p99 87ms .*ops 100\.00% 1\.0rps/);
  assert.match(lineWith(frame, 'ROUTE'), /ROUTE +SERVICE +SUCCESS +RPS▼ +P50 +P95 +P99/);
  assert.match(
    lineWith(frame, 'GET /users/{id}'),
    /▶ GET \/users\/\{id\} +web\.demo:80 +99\.90% +20\.0 +3\.0ms +9\.0ms +14ms/,
  );
  assert.match(lineWith(frame, 'POST /orders'), /90\.00%✗ +5\.5 +12ms +80ms +180ms/);
  assert.match(lineWith(frame, 'GET /search'), /97\.00%! +15\.0/);
  assert.match(lineWith(frame, '[DEFAULT]'), /db\.demo:5432 +- +0 +- +- +-/);
  assert.match(frame, /TREND GET \/users\/\{id\} · window 1m · 5 points/);
  assert.match(frame, /20\.0┼/);
  assert.match(frame, /TAP all requests · connecting…/);
  assert.match(frame, /end 503 ✗ GET api\.demo:8080\/items\/2/);
  assert.match(lines[23] ?? '', /q quit/);
});

test('at 100×30 the same data gets more room and every line stays inside the width', () => {
  const frame = drawn(withData(), 100, 30);
  const lines = frame.split('\n');
  assert.equal(lines.length, 30);
  assert.ok(lines.every((l) => [...l].length <= 100));
  assert.match(frame, /req {7}GET api\.demo:8080\/items\/1/);
});

test('a lost control plane: reconnecting, the reason and what to do, and stale data', () => {
  const s = reduce(reduce(withData(), { type: 'tick', at: T0 + 9000 }), {
    type: 'poll-failed',
    at: T0 + 9000,
    error: {
      code: 'MESH_CONTROL_UNREACHABLE',
      message:
        'no control plane reachable at 127.0.0.1:8086 — start one with `meshctl demo` or pass --control-plane ADDR',
      hint: undefined,
    },
    retryAt: T0 + 11_000,
  });
  const frame = drawn(s, 100, 30);
  assert.match(frame, /○ reconnecting… 127\.0\.0\.1:8086 · retry in 2s/);
  assert.match(frame, /STALE 5s/);
  assert.match(frame, /no control plane reachable at 127\.0\.0\.1:8086 — start one with `meshctl demo`/);
  assert.match(frame, /GET \/users\/\{id\}/, 'the last rows stay on screen');
});

test('before any data: connecting, and an empty table that says why', () => {
  const frame = drawn(state(), 80, 24);
  assert.match(frame, /○ connecting to 127\.0\.0\.1:8086…/);
  assert.match(frame, /waiting for the metrics API…/);
});

test('below the minimum size the screen says so', () => {
  const frame = drawn(withData(), 50, 12);
  assert.match(frame, /terminal too small: 50×12 \(need 60×16\)/);
});

test('workload rows show meshed pods', () => {
  const s = reduce(state({ mode: 'workload' }), {
    type: 'snapshot',
    at: T0,
    snapshot: workloadSnapshot([workload('web', { meshedPods: 2, runningPods: 3, rps: 7 })]),
  });
  const frame = drawn(s, 80, 24);
  assert.match(lineWith(frame, 'WORKLOAD'), /WORKLOAD +NAMESPACE +MESHED +SUCCESS/);
  assert.match(lineWith(frame, 'web'), /web +demo +2\/3 +100\.00% +7\.0/);
});

interface Harness {
  store: TopStore;
  frame: () => string;
  press: (input: string) => void;
  until: (pattern: RegExp, what?: string) => Promise<string>;
  quits: number[];
}

function startApp(s: TopState = withData(), size = { columns: 100, rows: 30 }): Harness {
  const store = createStore(s);
  const quits: number[] = [];
  const { lastFrame, stdin } = render(
    <App store={store} onQuit={(code) => quits.push(code)} size={size} now={() => T0 + 10_000} />,
  );
  const frame = (): string => lastFrame() ?? '';
  return {
    store,
    frame,
    quits,
    press: (input) => stdin.write(input),
    // Ink 8 draws the frame for a key press on a later tick: wait for it rather than sleeping.
    until: (pattern, what) =>
      waitFor(() => (pattern.test(frame()) ? frame() : undefined), {
        timeoutMs: 5000,
        what: what ?? `frame matching ${pattern}\n${frame()}`,
      }),
  };
}

test('keys: s changes the sorted column, S inverts it', async () => {
  const app = startApp();
  await app.until(/RPS▼/);
  app.press('s');
  let frame = await app.until(/P50▼/);
  assert.ok(lineWith(frame, 'POST /orders').indexOf('POST') < lineWith(frame, 'GET /users').length);
  assert.match(frame.split('\n')[4] ?? '', /POST \/orders/, 'slowest p50 first');
  app.press('S');
  frame = await app.until(/P50▲/);
  assert.match(frame.split('\n')[4] ?? '', /GET \/users/, 'fastest p50 first');
});

test('keys: j/k and arrows move the selection; Enter focuses the route and narrows the tap tail', async () => {
  const app = startApp();
  await app.until(/▶ GET \/users/);
  app.press('j');
  await app.until(/▶ GET \/search/);
  app.press('\u001B[B');
  await app.until(/▶ POST \/orders/);
  app.press('k');
  await app.until(/▶ GET \/search/);
  app.press('\r');
  const frame = await app.until(/TAP focus GET \/search \(api\.demo:8080\)/);
  assert.match(frame, /▶\*GET \/search/);
  assert.match(frame, /TREND GET \/search/);
  assert.match(frame, /no requests match/, 'the tapped requests were all for another route');
  assert.equal(app.store.getState().ui.focus?.route, 'GET /search');
});

test('keys: p pauses (new data is counted, not shown) and resumes', async () => {
  const app = startApp();
  app.press('p');
  await app.until(/PAUSED \+0/);
  app.store.dispatch({ type: 'snapshot', at: T0 + 20_000, snapshot: routeSnapshot([]) });
  await app.until(/PAUSED \+1/);
  assert.match(app.frame(), /GET \/users/);
  app.press('p');
  const frame = await app.until(/no routes with traffic/);
  assert.doesNotMatch(frame, /PAUSED/);
});

test('keys: / filters by text as it is typed; Esc clears', async () => {
  const app = startApp();
  app.press('/');
  await app.until(/filter: /);
  for (const ch of 'orders') app.press(ch);
  await app.until(/filter: orders/);
  assert.doesNotMatch(await app.until(/POST \/orders/), /GET \/users/);
  app.press('\r');
  const frame = await app.until(/q quit/);
  assert.match(frame, /TAP all requests · filter "orders"/);
  app.press('/');
  await app.until(/filter: orders/);
  app.press('\u001B');
  await app.until(/GET \/users/);
  assert.equal(app.store.getState().ui.filter, '');
});

test('keys: ? shows the help, Esc closes it, q quits with 0 and Ctrl-C with 130', async () => {
  const app = startApp();
  app.press('?');
  const help = await app.until(/Keys — press \? or Esc to close/);
  assert.match(help, /s +sort by the next column/);
  assert.match(help, /Enter +focus the selected route/);
  app.press('\u001B');
  await app.until(/ROUTE +SERVICE/);
  assert.deepEqual(app.quits, [], 'Esc closed the help instead of quitting');
  app.press('q');
  await waitFor(() => app.quits.length === 1, { what: 'quit' });
  assert.deepEqual(app.quits, [0]);
  app.press('\u0003');
  await waitFor(() => app.quits.length === 2, { what: 'ctrl-c' });
  assert.equal(app.quits[1], 130);
});

test('keys: t changes the window, w switches to workloads, tab moves the pane focus', async () => {
  const app = startApp(withData(), { columns: 80, rows: 24 });
  app.press('t');
  await app.until(/window 5m/);
  app.press('w');
  await waitFor(() => app.store.getState().ui.mode === 'workload', {
    what: 'mode ' + app.store.getState().ui.mode,
  });
  await app.until(/loading per-workload rows…/);
  assert.equal(app.store.getState().ui.mode, 'workload');
  app.press('\t');
  await app.until(/▶ TREND/);
  app.press('\t');
  await app.until(/▶ TAP/);
});

test('a burst of tap records becomes one store update and a bounded tail', async () => {
  const app = startApp();
  const records = Array.from({ length: 2000 }, (_, n) => exchange(100 + n)).flat();
  app.store.dispatch({ type: 'tap-records', at: T0 + 11_000, records, dropped: 0 });
  const frame = await app.until(/items\/2099/);
  assert.equal(app.store.getState().live.tap.lines.length, 200);
  assert.doesNotMatch(frame, /items\/100 /);
});
