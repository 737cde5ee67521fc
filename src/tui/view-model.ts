// Everything one frame shows, computed from the state and the terminal size by pure functions: the
// components receive these models as props and only draw them.
import type { NamespaceStats, ViewMode } from './model.js';
import { formatWindow } from './format.js';
import { fitColumns, screenLayout, type FittedColumn, type ScreenLayout } from './layout.js';
import type { TableRow } from './state/rows.js';
import {
  dataAge,
  isStale,
  meshTotals,
  selectRows,
  selectTapView,
  selectTrend,
  selectedIndex,
  tableStart,
  viewData,
  windowMs,
  type MeshTotals,
  type TapView,
  type TrendView,
} from './state/selectors.js';
import type { Connection, Focus, SortColumn, TapStatus, TopState, TrendMetric } from './state/state.js';

export interface HeaderModel {
  readonly target: string;
  readonly controlPlane: string;
  readonly window: string;
  readonly connection: Connection;
  /** Milliseconds until the next attempt, while not connected. */
  readonly retryInMs: number | null;
  readonly stale: boolean;
  readonly ageMs: number | null;
  readonly mesh: MeshTotals | null;
  readonly namespaces: readonly NamespaceStats[];
  readonly paused: boolean;
  readonly arrivedWhilePaused: number;
}

export interface TableModel {
  readonly mode: ViewMode;
  readonly columns: readonly FittedColumn[];
  /** The visible slice. */
  readonly rows: readonly TableRow[];
  readonly start: number;
  readonly total: number;
  readonly capacity: number;
  readonly selectedKey: string | null;
  readonly focusKey: string | null;
  readonly sort: { readonly column: SortColumn; readonly descending: boolean };
  readonly stale: boolean;
  readonly active: boolean;
  /** Shown instead of rows when there are none. */
  readonly empty: string;
}

export interface TrendModel {
  readonly view: TrendView | undefined;
  readonly metrics: readonly TrendMetric[];
  readonly width: number;
  readonly lines: number;
  readonly window: string;
  readonly active: boolean;
}

export interface TapModel {
  readonly view: TapView;
  readonly status: TapStatus;
  readonly focus: Focus | null;
  readonly filter: string;
  readonly width: number;
  readonly lines: number;
  readonly active: boolean;
  readonly received: number;
}

export interface FooterModel {
  readonly editingFilter: boolean;
  readonly filter: string;
  readonly width: number;
}

export interface ScreenModel {
  readonly layout: ScreenLayout;
  readonly help: boolean;
  readonly header: HeaderModel;
  readonly table: TableModel;
  readonly trend: TrendModel | null;
  readonly tap: TapModel | null;
  readonly footer: FooterModel;
}

function emptyMessage(state: TopState): string {
  const snapshot = viewData(state).snapshot;
  if (snapshot === null) {
    return state.connection.error
      ? 'no data yet: waiting for the control plane'
      : 'waiting for the metrics API…';
  }
  if (snapshot.mode !== state.ui.mode) return `loading per-${state.ui.mode} rows…`;
  const count = snapshot.mode === 'route' ? snapshot.routes.length : snapshot.workloads.length;
  if (count > 0 && state.ui.filter.trim() !== '') return `nothing matches "${state.ui.filter}"`;
  const what = state.ui.mode === 'route' ? 'routes' : 'workloads';
  return `no ${what} with traffic in the last ${formatWindow(windowMs(state))}`;
}

/** The model of one frame at `columns` × `rows`. */
export function buildScreen(state: TopState, columns: number, rows: number): ScreenModel {
  const { ui } = state;
  const data = viewData(state);
  const stale = isStale(state);
  const all = selectRows(state);
  const layout = screenLayout(columns, rows, ui, all.length);
  const selected = selectedIndex(all, ui.selectedKey);
  const start = tableStart(all.length, selected, ui.tableOffset, layout.tableRows);
  const visible = all.slice(start, start + layout.tableRows);
  const mode = ui.mode;
  // Two columns go to the selection/focus marker in front of each row.
  const tableWidth = columns - 2;
  const widest = (f: (r: TableRow) => string): number =>
    all.reduce((m, r) => Math.max(m, [...f(r)].length), 0);
  const fitted = fitColumns(mode, tableWidth, {
    name: widest((r) => r.name),
    secondary: widest((r) => r.secondary),
  });
  const retryAt = state.connection.retryAt;
  const namespaces = data.snapshot?.namespaces ?? [];
  return {
    layout,
    help: ui.help,
    header: {
      target: state.config.targetLabel,
      controlPlane: state.config.controlPlane,
      window: formatWindow(windowMs(state)),
      connection: state.connection,
      retryInMs: retryAt === null ? null : Math.max(0, retryAt - state.now),
      stale,
      ageMs: dataAge(state),
      mesh: data.snapshot ? meshTotals(namespaces) : null,
      namespaces,
      paused: state.frozen !== null,
      arrivedWhilePaused: state.arrivedWhilePaused,
    },
    table: {
      mode,
      columns: fitted,
      rows: visible,
      start,
      total: all.length,
      capacity: layout.tableRows,
      selectedKey: all[selected]?.key ?? null,
      focusKey: ui.focus?.key ?? null,
      sort: ui.sort,
      stale,
      active: ui.pane === 'table',
      empty: emptyMessage(state),
    },
    trend:
      layout.trendLines > 0
        ? {
            view: selectTrend(state),
            metrics: layout.allTrends ? ['rps', 'p99', 'success'] : [ui.trendMetric],
            width: columns,
            lines: layout.trendLines,
            window: formatWindow(windowMs(state)),
            active: ui.pane === 'trend',
          }
        : null,
    tap:
      layout.tapLines > 0
        ? {
            view: selectTapView(state, layout.tapLines),
            status: state.tapStatus,
            focus: ui.focus,
            filter: ui.filter,
            width: columns,
            lines: layout.tapLines,
            active: ui.pane === 'tap',
            received: data.tap.received,
          }
        : null,
    footer: { editingFilter: ui.editingFilter, filter: ui.filter, width: columns },
  };
}
