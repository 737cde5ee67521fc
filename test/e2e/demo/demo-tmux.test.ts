// The newcomer's view: `meshctl demo` in a real terminal opens `meshctl top` on the live mesh — routes with
// plausible rates and success — and `q` stops everything and gives the terminal back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MESHCTL_BIN } from '../../helpers/processes.js';
import { ensureTmux, startTmux } from '../../helpers/tmux.js';

const tmux = ensureTmux();
const sh = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

test(
  'meshctl demo in a terminal shows the live mesh in top; q stops it',
  { skip: tmux.ok ? false : tmux.reason },
  async (t) => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'meshctl-home-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const pane = await startTmux(t, { columns: 120, rows: 40, env: { MESHCTL_HOME: home } });
    await pane.type(`clear; echo BEFORE-DEMO; ${sh(process.execPath)} ${sh(MESHCTL_BIN)} demo; echo EXIT=$?`);
    await pane.keys('Enter');
    // top on namespace/demo: the demo's routes with rates and success rates, over mTLS.
    const screen = await pane.waitForScreen(
      (s) =>
        /meshctl top +namespace\/demo/.test(s) &&
        /GET \/api\/books\/\{id\} +web\.demo:80 +\d+\.\d+%/.test(s) &&
        /GET \/authors\/\{id\} +authors\.demo:80 +\d+\.\d+%/.test(s) &&
        /\/mesh\.demo\.v1\.Books\/GetBook/.test(s),
      'the demo routes in top',
      90_000,
    );
    t.diagnostic(`\n${screen}`);
    assert.match(screen, /tls 100\.00%/);
    assert.match(screen, /meshed 5\/5/);
    await pane.keys('q');
    const after = await pane.waitForScreen(/EXIT=\d+/, 'the demo to stop', 30_000);
    assert.match(after, /BEFORE-DEMO/);
    assert.match(after, /EXIT=0/);
    assert.doesNotMatch(after, /meshctl top/);
    assert.equal(existsSync(path.join(home, 'control-plane.json')), false);
  },
);
