// A minimal store around the reducer: holds the state, applies actions, tells subscribers. No React in
// here, so the controller, batch mode and tests use it directly; the app reads it with useSyncExternalStore.
import type { TopAction } from './actions.js';
import { reduce } from './reducer.js';
import type { TopState } from './state.js';

// Function properties rather than methods: React calls getState and subscribe detached from the store.
export interface TopStore {
  readonly getState: () => TopState;
  readonly dispatch: (action: TopAction) => void;
  /** Returns the unsubscribe function. */
  readonly subscribe: (listener: () => void) => () => void;
}

export function createStore(initial: TopState): TopStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const next = reduce(state, action);
      if (next === state) return;
      state = next;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
