import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asciiChart, resample, sparkline } from '../../../src/tui/chart/chart.js';

const fmt = (v: number) => v.toFixed(1);

test('resample keeps short series and averages long ones into buckets', () => {
  assert.deepEqual(resample([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(resample([1, 1, 3, 3, 5, 5], 3), [1, 3, 5]);
  assert.equal(
    resample(
      Array.from({ length: 1000 }, (_, i) => i),
      37,
    ).length,
    37,
  );
  assert.deepEqual(resample([1, 2], 0), []);
});

test('the chart fills exactly the given box, for any size and series length', () => {
  for (const [width, height] of [
    [30, 5],
    [70, 12],
    [12, 3],
  ] as const) {
    for (const n of [2, 10, 500]) {
      const values = Array.from({ length: n }, (_, i) => Math.sin(i / 5) * 10 + 20);
      const lines = asciiChart(values, { width, height, format: fmt, labelWidth: 6, floor: 0 });
      assert.equal(lines.length, height, `${width}x${height} n=${n}`);
      for (const l of lines) assert.ok([...l].length <= width, `line too wide: "${l}"`);
    }
  }
});

test('rescaling to a wider box shows more of a long history', () => {
  const values = Array.from({ length: 300 }, (_, i) => i);
  const narrow = asciiChart(values, { width: 30, height: 5, format: fmt, labelWidth: 6 });
  const wide = asciiChart(values, { width: 100, height: 5, format: fmt, labelWidth: 6 });
  assert.ok(
    Math.max(...wide.map((l) => l.trimEnd().length)) > Math.max(...narrow.map((l) => l.trimEnd().length)),
  );
});

test('a flat series still gets an axis, and a percentage never passes its ceiling', () => {
  const lines = asciiChart([97, 97, 97], { width: 30, height: 5, format: fmt, labelWidth: 6, ceiling: 100 });
  assert.equal(lines.length, 5);
  assert.match(lines[0] ?? '', /100\.0/);
  assert.ok(!lines.join('\n').includes('101'));
  const rates = asciiChart([5, 5, 5], { width: 30, height: 5, format: fmt, labelWidth: 6, floor: 0 });
  assert.match(rates.at(-1) ?? '', /0\.0/);
});

test('the sparkline is a drop-in renderer', () => {
  const lines = sparkline([0, 1, 2, 3, 4, 5, 6, 7], { width: 8, height: 2, format: fmt });
  assert.equal(lines.length, 2);
  assert.equal(lines[1], '▁▂▃▄▅▆▇█');
});
