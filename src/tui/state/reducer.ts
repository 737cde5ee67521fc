// The reducer of `meshctl top`: (state, action) → state, with no clock, no I/O and no mutation of its
// input. Data actions fold snapshots and tap batches; UI actions change what is shown and how.
import type { TopAction, UiAction } from './actions.js';
import { trendSamples } from './rows.js';
import { selectRows, selectedIndex, selectedRow, tableStart, viewData } from './selectors.js';
import {
  PANES,
  SORT_COLUMNS,
  TREND_METRICS,
  type Focus,
  type SortColumn,
  type TopState,
  type UiState,
} from './state.js';
import { foldTapRecords } from './tap-log.js';
import { EMPTY_TRENDS, recordTrends } from './trends.js';

export function reduce(state: TopState, action: TopAction): TopState {
  switch (action.type) {
    case 'snapshot': {
      const { config, live } = state;
      return {
        ...state,
        now: Math.max(state.now, action.at),
        connection: {
          status: 'connected',
          failures: 0,
          retryAt: null,
          error: null,
          lastSuccessAt: action.at,
        },
        live: {
          ...live,
          snapshot: action.snapshot,
          snapshotAt: action.at,
          trends: recordTrends(live.trends, action.at, trendSamples(action.snapshot), config.trendLimits),
        },
        arrivedWhilePaused: state.frozen ? state.arrivedWhilePaused + 1 : 0,
      };
    }
    case 'poll-failed':
      return {
        ...state,
        now: Math.max(state.now, action.at),
        connection: {
          ...state.connection,
          // Never connected yet: still "connecting"; lost after a success: "reconnecting", data kept as stale.
          status: state.connection.lastSuccessAt === null ? 'connecting' : 'reconnecting',
          failures: state.connection.failures + 1,
          retryAt: action.retryAt,
          error: action.error,
        },
      };
    case 'tap-records':
      return {
        ...state,
        now: Math.max(state.now, action.at),
        live: {
          ...state.live,
          tap: foldTapRecords(state.live.tap, action.records, state.config.tapLimits, action.dropped),
        },
        arrivedWhilePaused: state.frozen ? state.arrivedWhilePaused + action.records.length : 0,
      };
    case 'tap-status':
      return {
        ...state,
        now: Math.max(state.now, action.at),
        tapStatus: { status: action.status, error: action.error ?? null, retryAt: action.retryAt ?? null },
      };
    case 'tick':
      return action.at > state.now ? { ...state, now: action.at } : state;
    case 'pause-toggle':
      if (state.frozen)
        return { ...state, now: Math.max(state.now, action.at), frozen: null, arrivedWhilePaused: 0 };
      return { ...state, now: Math.max(state.now, action.at), frozen: state.live, arrivedWhilePaused: 0 };
    case 'window-next':
      return {
        ...state,
        // A trend mixes badly across windows (a 10 s rate is not a 15 m rate): start the history afresh.
        live: { ...state.live, trends: EMPTY_TRENDS },
        ui: { ...state.ui, windowIndex: (state.ui.windowIndex + 1) % state.config.windows.length },
      };
    default:
      return reduceUi(state, action);
  }
}

/** Sorting direction a column starts with: worst first for success, biggest first for rates and latencies. */
export function defaultDescending(column: SortColumn): boolean {
  return column !== 'name' && column !== 'secondary' && column !== 'success';
}

function withUi(state: TopState, ui: Partial<UiState>): TopState {
  return { ...state, ui: { ...state.ui, ...ui } };
}

function reduceUi(
  state: TopState,
  action: Exclude<UiAction, { type: 'pause-toggle' | 'window-next' }>,
): TopState {
  const { ui } = state;
  switch (action.type) {
    case 'move':
      return move(state, action.delta, action.page);
    case 'move-to':
      return move(state, action.where === 'first' ? -Infinity : Infinity, action.page);
    case 'focus-selected': {
      const row = selectedRow(state);
      if (!row) return state;
      if (ui.focus?.key === row.key) return withUi(state, { focus: null, tapScroll: 0 });
      const focus: Focus = {
        key: row.key,
        mode: row.mode,
        label: row.mode === 'route' ? `${row.name} (${row.secondary})` : `${row.namespace}/${row.name}`,
        route: row.route,
        authority: row.authority,
        workload: row.workload,
        namespace: row.namespace,
      };
      return withUi(state, { focus, selectedKey: row.key, tapScroll: 0 });
    }
    case 'filter-start':
      return withUi(state, { editingFilter: true, help: false });
    case 'filter-input': {
      // Keys arrive raw: keep printable text only, so escape sequences never end up in the filter.
      const text = [...action.text].filter(isPrintable).join('');
      if (text === '') return state;
      return withUi(state, { filter: (ui.filter + text).slice(0, 200), tableOffset: 0, tapScroll: 0 });
    }
    case 'filter-backspace':
      return withUi(state, { filter: [...ui.filter].slice(0, -1).join(''), tableOffset: 0 });
    case 'filter-commit':
      return withUi(state, { editingFilter: false });
    case 'filter-cancel':
      return withUi(state, { editingFilter: false, filter: '', tableOffset: 0 });
    case 'sort-next': {
      const next = SORT_COLUMNS[
        (SORT_COLUMNS.indexOf(ui.sort.column) + 1) % SORT_COLUMNS.length
      ] as SortColumn;
      return withUi(state, { sort: { column: next, descending: defaultDescending(next) } });
    }
    case 'sort-by':
      return withUi(state, {
        sort:
          ui.sort.column === action.column
            ? { column: action.column, descending: !ui.sort.descending }
            : { column: action.column, descending: defaultDescending(action.column) },
      });
    case 'sort-invert':
      return withUi(state, { sort: { ...ui.sort, descending: !ui.sort.descending } });
    case 'mode-toggle':
      // Keys, focus and offsets belong to one mode's rows; the other mode starts from the top.
      return withUi(state, {
        mode: ui.mode === 'route' ? 'workload' : 'route',
        selectedKey: null,
        tableOffset: 0,
        focus: null,
        tapScroll: 0,
      });
    case 'pane-next': {
      const pane = PANES[(PANES.indexOf(ui.pane) + 1) % PANES.length] ?? 'table';
      return withUi(state, { pane, lowerPane: pane === 'table' ? ui.lowerPane : pane });
    }
    case 'help-toggle':
      return withUi(state, { help: !ui.help });
  }
}

function isPrintable(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code >= 0x20 && code !== 0x7f;
}

function move(state: TopState, delta: number, page: number): TopState {
  const { ui } = state;
  switch (ui.pane) {
    case 'table': {
      const rows = selectRows(state);
      if (rows.length === 0) return state;
      const from = selectedIndex(rows, ui.selectedKey);
      const to = Math.min(Math.max(from + delta, 0), rows.length - 1);
      const key = rows[to]?.key ?? null;
      return withUi(state, {
        selectedKey: key,
        tableOffset: tableStart(rows.length, to, ui.tableOffset, page),
      });
    }
    case 'tap': {
      // Up (negative delta) scrolls back to older lines.
      const max = viewData(state).tap.lines.length;
      const scroll = Math.min(Math.max(ui.tapScroll - delta, 0), max);
      return scroll === ui.tapScroll ? state : withUi(state, { tapScroll: scroll });
    }
    case 'trend': {
      if (!Number.isFinite(delta) || delta === 0) return state;
      const n = TREND_METRICS.length;
      const i = (TREND_METRICS.indexOf(ui.trendMetric) + Math.sign(delta) + n) % n;
      return withUi(state, { trendMetric: TREND_METRICS[i] ?? 'rps' });
    }
  }
}
