// Keys → intents, as one pure function of the key and the state (overlays and the filter editor change
// what a key means). The app dispatches the result; tests call it directly.
import type { TopAction } from './state/actions.js';
import type { TopState } from './state/state.js';

/** The parts of Ink's `Key` the map reads. */
export interface KeyPress {
  readonly upArrow: boolean;
  readonly downArrow: boolean;
  readonly pageUp: boolean;
  readonly pageDown: boolean;
  readonly home: boolean;
  readonly end: boolean;
  readonly return: boolean;
  readonly escape: boolean;
  readonly ctrl: boolean;
  readonly meta: boolean;
  readonly tab: boolean;
  readonly backspace: boolean;
  readonly delete: boolean;
}

/** Leave the TUI with this exit code (0 for q/Esc, 130 for Ctrl-C, as for an interrupted command). */
export interface QuitIntent {
  readonly type: 'quit';
  readonly code: number;
}

export function keyToAction(
  input: string,
  key: KeyPress,
  state: TopState,
  page: number,
  now: number,
): TopAction | QuitIntent | undefined {
  if (key.ctrl && input === 'c') return { type: 'quit', code: 130 };
  const { ui } = state;
  if (ui.help) {
    if (input === '?' || key.escape) return { type: 'help-toggle' };
    if (input === 'q') return { type: 'quit', code: 0 };
    return undefined;
  }
  // Arrows move the selection in every mode, so a filter can be refined while watching its effect.
  const moved = movement(input, key, page, !ui.editingFilter);
  if (moved) return moved;
  if (ui.editingFilter) {
    if (key.return) return { type: 'filter-commit' };
    if (key.escape) return { type: 'filter-cancel' };
    if (key.backspace || key.delete) return { type: 'filter-backspace' };
    if (key.ctrl || key.meta || key.tab) return undefined;
    return input ? { type: 'filter-input', text: input } : undefined;
  }
  if (key.escape || input === 'q') return { type: 'quit', code: 0 };
  if (key.return) return { type: 'focus-selected' };
  if (key.tab) return { type: 'pane-next' };
  switch (input) {
    case '/':
      return { type: 'filter-start' };
    case 's':
      return { type: 'sort-next' };
    case 'S':
    case 'I':
      return { type: 'sort-invert' };
    case 'p':
      return { type: 'pause-toggle', at: now };
    case 't':
      return { type: 'window-next' };
    case 'w':
      return { type: 'mode-toggle' };
    case '?':
      return { type: 'help-toggle' };
    default:
      return undefined;
  }
}

function movement(input: string, key: KeyPress, page: number, letters: boolean): TopAction | undefined {
  const rows = Math.max(1, page);
  if (key.upArrow || (letters && input === 'k')) return { type: 'move', delta: -1, page: rows };
  if (key.downArrow || (letters && input === 'j')) return { type: 'move', delta: 1, page: rows };
  if (key.pageUp) return { type: 'move', delta: -rows, page: rows };
  if (key.pageDown) return { type: 'move', delta: rows, page: rows };
  if (key.home || (letters && input === 'g')) return { type: 'move-to', where: 'first', page: rows };
  if (key.end || (letters && input === 'G')) return { type: 'move-to', where: 'last', page: rows };
  return undefined;
}

/** The key help, in display order: the overlay and the footer read it, so they cannot disagree with the map. */
export const KEY_HELP: readonly { readonly keys: string; readonly what: string; readonly short?: string }[] =
  [
    { keys: 'q  Esc  Ctrl-C', what: 'quit (Esc closes help or the filter first)', short: 'quit' },
    {
      keys: '↑ ↓  j k',
      what: 'move the selection (scroll the tap tail / switch the chart when focused)',
      short: 'move',
    },
    { keys: 'PgUp PgDn  g G', what: 'page / first / last row' },
    {
      keys: 'Enter',
      what: 'focus the selected route: the tap tail shows only its requests (again to clear)',
      short: 'focus',
    },
    { keys: '/', what: 'filter rows and tap lines by text (Enter keeps it, Esc clears it)', short: 'filter' },
    { keys: 's', what: 'sort by the next column', short: 'sort' },
    { keys: 'S  I', what: 'invert the sort order', short: 'invert' },
    { keys: 'p', what: 'pause / resume the display (data keeps arriving)', short: 'pause' },
    { keys: 't', what: 'next time window (10s, 1m, 5m, 15m)', short: 'window' },
    { keys: 'w', what: 'per-route / per-workload rows', short: 'routes/workloads' },
    { keys: 'Tab', what: 'next pane: table, trend, tap', short: 'pane' },
    { keys: '?', what: 'this help', short: 'help' },
  ];
