import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourEnabled, painterFor } from '../../../src/cli/colour.js';

test('colour only on a terminal, never with NO_COLOR or TERM=dumb, forced by FORCE_COLOR', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  assert.equal(colourEnabled(tty, {}), true);
  assert.equal(colourEnabled(pipe, {}), false);
  assert.equal(colourEnabled(tty, { NO_COLOR: '1' }), false);
  assert.equal(colourEnabled(tty, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
  // no-color.org: an empty NO_COLOR does not count.
  assert.equal(colourEnabled(tty, { NO_COLOR: '' }), true);
  assert.equal(colourEnabled(tty, { TERM: 'dumb' }), false);
  assert.equal(colourEnabled(pipe, { FORCE_COLOR: '1' }), true);
  assert.equal(colourEnabled(tty, { FORCE_COLOR: '0' }), false);
  assert.equal(painterFor(pipe, {})('red', 'x'), 'x');
  assert.equal(painterFor(tty, {})('red', 'x'), '\u001b[31mx\u001b[39m');
});
