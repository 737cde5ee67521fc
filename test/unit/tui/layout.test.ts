import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitColumns, screenLayout, HEADER_LINES, FOOTER_LINES } from '../../../src/tui/layout.js';

const width = (cols: { width: number }[]) => cols.reduce((s, c) => s + c.width, 0) + cols.length - 1;

test('columns fit the width: flexible ones grow toward their content, the least useful drop first', () => {
  const wide = fitColumns('route', 118, { name: 30, secondary: 20 });
  assert.deepEqual(
    wide.map((c) => c.id),
    ['name', 'secondary', 'success', 'rps', 'p50', 'p95', 'p99'],
  );
  assert.equal(wide.find((c) => c.id === 'name')?.width, 30);
  assert.equal(wide.find((c) => c.id === 'secondary')?.width, 20);
  assert.ok(width(wide) <= 118);
  const at78 = fitColumns('route', 78, { name: 60, secondary: 40 });
  assert.ok(width(at78) <= 78);
  assert.equal(at78.length, 7, 'every column fits at 80 columns');
  const narrow = fitColumns('route', 58, { name: 60, secondary: 40 });
  assert.ok(width(narrow) <= 58);
  assert.deepEqual(
    narrow.map((c) => c.id),
    ['name', 'success', 'rps', 'p50', 'p99'],
  );
  const workloads = fitColumns('workload', 78, {});
  assert.ok(workloads.some((c) => c.id === 'meshed'));
  assert.ok(width(workloads) <= 78);
});

test('below 60×16 the screen says it is too small', () => {
  assert.equal(screenLayout(59, 30, { lowerPane: 'trend' }).tooSmall, true);
  assert.equal(screenLayout(80, 15, { lowerPane: 'trend' }).tooSmall, true);
  assert.equal(screenLayout(60, 16, { lowerPane: 'trend' }).tooSmall, false);
});

test('pane heights always add up to the terminal height', () => {
  for (const [cols, rows] of [
    [80, 24],
    [120, 40],
    [60, 16],
    [200, 60],
  ] as const) {
    for (const count of [0, 5, 100]) {
      for (const lowerPane of ['trend', 'tap'] as const) {
        const l = screenLayout(cols, rows, { lowerPane }, count);
        const used =
          HEADER_LINES +
          FOOTER_LINES +
          l.tableRows +
          1 +
          (l.trendLines > 0 ? l.trendLines + 1 : 0) +
          (l.tapLines > 0 ? l.tapLines + 1 : 0);
        assert.equal(used, rows, `${cols}x${rows} rows=${count} ${lowerPane}`);
        assert.ok(l.tableRows >= 3);
      }
    }
  }
});

test('at 80×24 a short table leaves room for both trend and tap; a long one shows the chosen pane', () => {
  const short = screenLayout(80, 24, { lowerPane: 'trend' }, 5);
  assert.ok(short.trendLines > 0 && short.tapLines > 0);
  const long = screenLayout(80, 24, { lowerPane: 'tap' }, 100);
  assert.equal(long.trendLines, 0);
  assert.ok(long.tapLines >= 5);
  assert.ok(long.tableRows >= 9);
  assert.equal(screenLayout(120, 40, { lowerPane: 'trend' }, 100).allTrends, true);
});
