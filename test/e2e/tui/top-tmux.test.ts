// `meshctl top` in a real terminal (tmux): drawn from a fixture control plane speaking the real gRPC
// protocols, at 80×24 and after a resize to 120×40; keys work; q restores the shell's screen and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureControlPlane } from '../../fixtures/control-plane-fixture.js';
import { MESHCTL_BIN } from '../../helpers/processes.js';
import { ensureTmux, startTmux } from '../../helpers/tmux.js';

const tmux = ensureTmux();

// SGR sequences as capture-pane -e writes them (built from strings: the linter rejects control characters
// in regular expression literals).
const ESC = String.fromCharCode(27);
const FOREGROUND_RED_OR_GREEN = new RegExp(`${ESC}\\[[0-9;]*3[12]m`);
const FOREGROUND_COLOUR = new RegExp(`${ESC}\\[[0-9;]*3[0-7]m`);

/** Single-quotes a word for the pane's shell. */
const sh = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

test(
  'meshctl top in tmux: routes and values, sort, help, resize, q restores the screen',
  { skip: tmux.ok ? false : tmux.reason },
  async (t) => {
    const cp = await startFixtureControlPlane(t, { tapIntervalMs: 100 });
    const pane = await startTmux(t, { columns: 80, rows: 24 });
    await pane.type(
      `clear; echo BEFORE-TOP; ${sh(process.execPath)} ${sh(MESHCTL_BIN)} top ns/demo --interval 250ms --control-plane ${cp.address}; echo EXIT=$?`,
    );
    await pane.keys('Enter');

    let screen = await pane.waitForScreen(
      (s) =>
        /● connected/.test(s) &&
        /GET \/users\/\{id\} +web\.demo:80 +99\.90% +20\.0/.test(s) &&
        /TAP all requests · live/.test(s) &&
        /req +GET/.test(s) &&
        /20\.0┼/.test(s),
      'the route table, a trend chart and a live tap tail',
    );
    t.diagnostic(`80x24:\n${screen}`);
    let lines = screen.split('\n');
    assert.match(
      lines[0] ?? '',
      /^meshctl top {2}namespace\/demo {2}window 1m {2}● connected 127\.0\.0\.1:\d+$/,
    );
    assert.match(lines[1] ?? '', /^mesh {2}success 97\.19% {2}rps 43\.5/);
    assert.match(lines[3] ?? '', /ROUTE +SERVICE +SUCCESS +RPS▼ +P50 +P95 +P99/);
    assert.match(lines[4] ?? '', /^▶ GET \/users\/\{id\}/, 'busiest route first, selected');
    assert.match(screen, /POST \/orders +api\.demo:8080 +90\.00%✗ +5\.5 +12ms +80ms +180ms/);
    assert.match(screen, /TREND GET \/users\/\{id\}/);
    assert.ok(lines.every((l) => [...l].length <= 80));

    await pane.keys('s');
    screen = await pane.waitForScreen(/P50▼/, 's sorts by the next column');
    assert.match(screen.split('\n')[4] ?? '', /^▶ POST \/orders/, 'slowest p50 first');

    await pane.resize(120, 40);
    screen = await pane.waitForScreen(
      (s) => s.split('\n').length >= 38 && /P99 ms/.test(s) && /SUCCESS %/.test(s),
      'the 120×40 layout with three trend charts',
    );
    t.diagnostic(`120x40:\n${screen}`);
    lines = screen.split('\n');
    assert.ok(
      lines.some((l) => [...l].length > 80),
      'the wider terminal is used',
    );
    assert.ok(lines.every((l) => [...l].length <= 120));
    assert.match(screen, /routes\/workloads {2}tab pane {2}\? help/, 'the whole footer fits');

    await pane.keys('?');
    screen = await pane.waitForScreen(/Keys — press \? or Esc to close/, 'the help overlay');
    assert.match(screen, /S {2}I +invert the sort order/);
    await pane.keys('?');
    await pane.waitForScreen((s) => !/Keys — press/.test(s) && /ROUTE/.test(s), 'help closed');

    await pane.keys('q');
    screen = await pane.waitForScreen(/EXIT=\d+/, 'the shell after top exits');
    t.diagnostic(`after q:\n${screen}`);
    assert.match(screen, /EXIT=0/);
    assert.match(screen, /^BEFORE-TOP$/m, 'the screen from before top is back');
    assert.doesNotMatch(
      screen,
      /ROUTE|● connected|TREND|TAP /,
      'nothing of the full-screen UI is left behind',
    );
  },
);

test(
  'meshctl top in tmux with NO_COLOR: no colours, the glyphs still tell good from bad',
  { skip: tmux.ok ? false : tmux.reason },
  async (t) => {
    const cp = await startFixtureControlPlane(t);
    const pane = await startTmux(t, { columns: 80, rows: 24 });
    const run = `${sh(process.execPath)} ${sh(MESHCTL_BIN)} top ns/demo --control-plane ${cp.address}`;
    await pane.type(`clear; ${run}; echo FIRST=$?`);
    await pane.keys('Enter');
    await pane.waitForScreen(/POST \/orders +api\.demo:8080 +90\.00%✗/, 'the first run');
    const coloured = await pane.captureStyled();
    assert.match(coloured, FOREGROUND_RED_OR_GREEN, 'red or green without NO_COLOR');
    await pane.keys('q');
    await pane.waitForScreen(/FIRST=0/, 'the first run ended');
    await pane.type(`clear; NO_COLOR=1 ${run}; echo EXIT=$?`);
    await pane.keys('Enter');
    const screen = await pane.waitForScreen(/POST \/orders +api\.demo:8080 +90\.00%✗/, 'the NO_COLOR run');
    assert.match(screen, /97\.00%!/);
    const plain = await pane.captureStyled();
    assert.doesNotMatch(plain, FOREGROUND_COLOUR, 'no foreground colours with NO_COLOR');
    await pane.keys('q');
    await pane.waitForScreen(/EXIT=0/, 'exit');
  },
);
