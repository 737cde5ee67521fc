// User strings in logs: quoted, escaped and bounded, so they cannot forge lines or flood the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteForLog } from '../../../src/common/log-quote.js';

test('newlines, quotes, ANSI escapes and bidi controls come out escaped inside quotes', () => {
  assert.equal(quoteForLog('web'), '"web"');
  const forged = 'x"\n{"level":50,"msg":"pwned"}\u001b[31m\u202e';
  const q = quoteForLog(forged);
  for (const c of ['\n', '\r', '\u001b', '\u202e']) assert.ok(!q.includes(c), JSON.stringify(q));
  assert.equal(q, '"x\\"\\n{\\"level\\":50,\\"msg\\":\\"pwned\\"}\\u001b[31m\\u202e"');
  assert.equal(JSON.parse(q), forged, 'still readable: it is a JSON string');
});

test('long values are cut and marked', () => {
  const q = quoteForLog('a'.repeat(1000), 10);
  assert.equal(q, `"${'a'.repeat(10)}"…`);
});
