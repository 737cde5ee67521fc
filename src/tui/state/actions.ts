// Everything that can happen to `meshctl top`: data arriving or failing (from the controller) and the user's
// intents (from the key map). Every action that depends on time carries it, so reducers stay pure.
import type { StatsSnapshot, TapRecord } from '../model.js';
import type { ConnectionError, SortColumn } from './state.js';

export type DataAction =
  | { readonly type: 'snapshot'; readonly at: number; readonly snapshot: StatsSnapshot }
  | {
      readonly type: 'poll-failed';
      readonly at: number;
      readonly error: ConnectionError;
      readonly retryAt: number;
    }
  | {
      readonly type: 'tap-records';
      readonly at: number;
      readonly records: readonly TapRecord[];
      /** Records the feeder dropped because it fell behind. */
      readonly dropped: number;
    }
  | {
      readonly type: 'tap-status';
      readonly at: number;
      readonly status: 'connecting' | 'streaming' | 'reconnecting' | 'unavailable';
      readonly error?: ConnectionError;
      readonly retryAt?: number;
    }
  | { readonly type: 'tick'; readonly at: number };

export type UiAction =
  /** Move the selection (table), scroll (tap) or switch metric (trend), by `delta` rows; `page` rows fit. */
  | { readonly type: 'move'; readonly delta: number; readonly page: number }
  | { readonly type: 'move-to'; readonly where: 'first' | 'last'; readonly page: number }
  | { readonly type: 'focus-selected' }
  | { readonly type: 'filter-start' }
  | { readonly type: 'filter-input'; readonly text: string }
  | { readonly type: 'filter-backspace' }
  | { readonly type: 'filter-commit' }
  | { readonly type: 'filter-cancel' }
  | { readonly type: 'sort-next' }
  | { readonly type: 'sort-by'; readonly column: SortColumn }
  | { readonly type: 'sort-invert' }
  | { readonly type: 'pause-toggle'; readonly at: number }
  | { readonly type: 'window-next' }
  | { readonly type: 'mode-toggle' }
  | { readonly type: 'pane-next' }
  | { readonly type: 'help-toggle' };

export type TopAction = DataAction | UiAction;
