import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyToAction, type KeyPress } from '../../../src/tui/keymap.js';
import type { TopState } from '../../../src/tui/state/state.js';
import { state, T0 } from './data.js';

const NONE: KeyPress = {
  upArrow: false,
  downArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  meta: false,
  tab: false,
  backspace: false,
  delete: false,
};
const key = (k: Partial<KeyPress> = {}): KeyPress => ({ ...NONE, ...k });
const press = (s: TopState, input: string, k: Partial<KeyPress> = {}) =>
  keyToAction(input, key(k), s, 10, T0);

test('the main keys', () => {
  const s = state();
  assert.deepEqual(press(s, 'q'), { type: 'quit', code: 0 });
  assert.deepEqual(press(s, '', { escape: true }), { type: 'quit', code: 0 });
  assert.deepEqual(press(s, 'c', { ctrl: true }), { type: 'quit', code: 130 });
  assert.deepEqual(press(s, 'j'), { type: 'move', delta: 1, page: 10 });
  assert.deepEqual(press(s, '', { upArrow: true }), { type: 'move', delta: -1, page: 10 });
  assert.deepEqual(press(s, '', { pageDown: true }), { type: 'move', delta: 10, page: 10 });
  assert.deepEqual(press(s, 'G'), { type: 'move-to', where: 'last', page: 10 });
  assert.deepEqual(press(s, '', { return: true }), { type: 'focus-selected' });
  assert.deepEqual(press(s, '/'), { type: 'filter-start' });
  assert.deepEqual(press(s, 's'), { type: 'sort-next' });
  assert.deepEqual(press(s, 'S'), { type: 'sort-invert' });
  assert.deepEqual(press(s, 'I'), { type: 'sort-invert' });
  assert.deepEqual(press(s, 'p'), { type: 'pause-toggle', at: T0 });
  assert.deepEqual(press(s, 't'), { type: 'window-next' });
  assert.deepEqual(press(s, 'w'), { type: 'mode-toggle' });
  assert.deepEqual(press(s, '', { tab: true }), { type: 'pane-next' });
  assert.deepEqual(press(s, '?'), { type: 'help-toggle' });
  assert.equal(press(s, 'x'), undefined);
});

test('with help open, only ?, Esc, q and Ctrl-C do anything; Esc closes help instead of quitting', () => {
  const s = { ...state(), ui: { ...state().ui, help: true } };
  assert.deepEqual(press(s, '', { escape: true }), { type: 'help-toggle' });
  assert.deepEqual(press(s, '?'), { type: 'help-toggle' });
  assert.deepEqual(press(s, 'q'), { type: 'quit', code: 0 });
  assert.deepEqual(press(s, 'c', { ctrl: true }), { type: 'quit', code: 130 });
  assert.equal(press(s, 's'), undefined);
  assert.equal(press(s, 'j'), undefined);
});

test('while typing a filter, letters are text; arrows still move; Esc clears instead of quitting', () => {
  const s = { ...state(), ui: { ...state().ui, editingFilter: true } };
  assert.deepEqual(press(s, 'q'), { type: 'filter-input', text: 'q' });
  assert.deepEqual(press(s, 'j'), { type: 'filter-input', text: 'j' });
  assert.deepEqual(press(s, '', { downArrow: true }), { type: 'move', delta: 1, page: 10 });
  assert.deepEqual(press(s, '', { backspace: true }), { type: 'filter-backspace' });
  assert.deepEqual(press(s, '', { return: true }), { type: 'filter-commit' });
  assert.deepEqual(press(s, '', { escape: true }), { type: 'filter-cancel' });
  assert.deepEqual(press(s, 'c', { ctrl: true }), { type: 'quit', code: 130 });
  assert.equal(press(s, 'x', { meta: true }), undefined);
});
