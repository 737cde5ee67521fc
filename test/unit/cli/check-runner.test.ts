// The check runner and renderer without a cluster: fatal failures stop the run, warnings do not fail it,
// retryable checks are retried until the deadline, and the glyphs follow the locale and the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckProblem, type CategorySpec } from '../../../src/cli/check/model.js';
import { glyph, renderTable, terminalStyle } from '../../../src/cli/check/render.js';
import { runChecks } from '../../../src/cli/check/runner.js';

test('fatal failures stop the run; warnings keep it successful; retries run until the deadline', async () => {
  let tries = 0;
  const categories: CategorySpec<null>[] = [
    {
      name: 'a',
      checks: [
        { description: 'ok', hint: 'h', run: async () => undefined },
        {
          description: 'warns',
          hint: 'h',
          warningOnly: true,
          run: async () => Promise.reject(new Error('soon')),
        },
        {
          description: 'eventually',
          hint: 'h',
          retry: true,
          run: async () => {
            if (++tries < 3) throw new CheckProblem('not yet', 'error', 'wait');
          },
        },
      ],
    },
    {
      name: 'b',
      checks: [
        {
          description: 'fatal',
          hint: 'fix it',
          fatal: true,
          run: async () => Promise.reject(new CheckProblem('broken')),
        },
      ],
    },
    { name: 'c', checks: [{ description: 'never', hint: 'h', run: async () => undefined }] },
  ];
  const retried: string[] = [];
  const report = await runChecks(categories, null, {
    deadline: Date.now() + 5000,
    retryEveryMs: 5,
    hooks: { onRetry: (d) => retried.push(d) },
  });
  assert.equal(tries, 3);
  assert.deepEqual(retried, ['eventually', 'eventually']);
  assert.equal(report.success, false);
  assert.deepEqual(
    report.categories.map((c) => c.categoryName),
    ['a', 'b'],
  );
  assert.deepEqual(report.categories[0]?.checks[1], {
    description: 'warns',
    hint: 'h',
    error: 'soon',
    result: 'warning',
  });
  assert.deepEqual(report.categories[1]?.checks[0], {
    description: 'fatal',
    hint: 'fix it',
    error: 'broken',
    result: 'error',
  });
  const warnOnly = await runChecks(
    [categories[0]!].map((c) => ({ ...c, checks: c.checks.slice(0, 2) })),
    null,
    { deadline: 0, retryEveryMs: 5 },
  );
  assert.equal(warnOnly.success, true, 'warnings do not fail');
  assert.equal(
    renderTable(warnOnly, { unicode: true, color: false }),
    'a\n-\n√ ok\n‼ warns\n    soon\n    hint: h\n\nStatus check results are √\n',
  );
});

test('glyphs: UTF-8 only for a UTF-8 locale, colour only on a terminal without NO_COLOR', () => {
  assert.deepEqual(terminalStyle({ LANG: 'en_US.UTF-8' }, true), { unicode: true, color: true });
  assert.deepEqual(terminalStyle({ LANG: 'en_US.UTF-8', NO_COLOR: '1' }, true), {
    unicode: true,
    color: false,
  });
  assert.deepEqual(terminalStyle({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }, false), {
    unicode: false,
    color: false,
  });
  assert.equal(terminalStyle({ LANG: 'C.utf8', TERM: 'dumb' }, true).color, false);
  assert.equal(glyph('error', { unicode: false, color: false }), '[FAIL]');
  assert.equal(glyph('warning', { unicode: true, color: true }), '\x1b[33m‼\x1b[0m');
});
