// The live app: reads the store, follows the terminal size, and turns keys into actions through the key
// map. All drawing is done by Screen; all state changes by the reducer.
import { useMemo, useSyncExternalStore, type ReactElement } from 'react';
import { useInput, useWindowSize } from 'ink';
import { asciiChart, type ChartRenderer } from '../chart/chart.js';
import { keyToAction } from '../keymap.js';
import type { TopStore } from '../state/store.js';
import { buildScreen } from '../view-model.js';
import { Screen } from './Screen.js';

export interface AppProps {
  readonly store: TopStore;
  /** Called once when the user quits, with the exit code (0, or 130 for Ctrl-C). */
  readonly onQuit: (code: number) => void;
  /** Fixed size instead of the terminal's (tests). */
  readonly size?: { readonly columns: number; readonly rows: number };
  readonly chart?: ChartRenderer;
  /** The clock for actions that need the time (pause). */
  readonly now?: () => number;
}

export function App({ store, onQuit, size, chart = asciiChart, now = Date.now }: AppProps): ReactElement {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const terminal = useWindowSize();
  const columns = size?.columns ?? terminal.columns;
  const rows = size?.rows ?? terminal.rows;
  const model = useMemo(() => buildScreen(state, columns, rows), [state, columns, rows]);
  useInput((input, key) => {
    const current = store.getState();
    const page = Math.max(1, buildScreen(current, columns, rows).table.capacity);
    const action = keyToAction(input, key, current, page, now());
    if (action === undefined) return;
    if (action.type === 'quit') onQuit(action.code);
    else store.dispatch(action);
  });
  return <Screen model={model} chart={chart} />;
}
