// The whole state of `meshctl top` as one immutable value: what the data sources said (live), what the view
// shows while paused (frozen), the connection to the control plane, and the UI's own choices.
import type { StatsSnapshot, ViewMode } from '../model.js';
import { DEFAULT_TAP_LIMITS, EMPTY_TAP_LOG, type TapLog, type TapLogLimits } from './tap-log.js';
import { DEFAULT_TREND_LIMITS, EMPTY_TRENDS, type TrendLimits, type Trends } from './trends.js';

export const SORT_COLUMNS = ['name', 'secondary', 'success', 'rps', 'p50', 'p95', 'p99'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export const PANES = ['table', 'trend', 'tap'] as const;
export type Pane = (typeof PANES)[number];

export const TREND_METRICS = ['rps', 'p99', 'success'] as const;
export type TrendMetric = (typeof TREND_METRICS)[number];

export interface TopConfig {
  /** What is shown, as the user wrote it (`namespace/demo`, `deploy/web`). */
  readonly targetLabel: string;
  readonly controlPlane: string;
  /** Windows `t` cycles through, in ms; the first one shown is `windows[initialWindow]`. */
  readonly windows: readonly number[];
  readonly intervalMs: number;
  /** Data older than this (with no successful poll since) is marked stale. */
  readonly staleAfterMs: number;
  readonly tapLimits: TapLogLimits;
  readonly trendLimits: TrendLimits;
}

export interface ConnectionError {
  readonly code: string;
  readonly message: string;
  readonly hint: string | undefined;
}

export interface Connection {
  readonly status: 'connecting' | 'connected' | 'reconnecting';
  /** Consecutive failed polls. */
  readonly failures: number;
  /** When the next attempt is due, while reconnecting. */
  readonly retryAt: number | null;
  readonly error: ConnectionError | null;
  readonly lastSuccessAt: number | null;
}

export interface TapStatus {
  readonly status: 'connecting' | 'streaming' | 'reconnecting' | 'unavailable';
  readonly error: ConnectionError | null;
  readonly retryAt: number | null;
}

/** Data as received; `frozen` holds a copy of it while paused. */
export interface TopData {
  readonly snapshot: StatsSnapshot | null;
  /** When `snapshot` arrived. */
  readonly snapshotAt: number | null;
  readonly tap: TapLog;
  readonly trends: Trends;
}

/** The route (or workload) whose traffic the tap tail is narrowed to. */
export interface Focus {
  readonly key: string;
  readonly mode: ViewMode;
  readonly label: string;
  readonly route: string | null;
  readonly authority: string | null;
  readonly workload: string | null;
  readonly namespace: string;
}

export interface UiState {
  readonly sort: { readonly column: SortColumn; readonly descending: boolean };
  readonly filter: string;
  readonly editingFilter: boolean;
  readonly selectedKey: string | null;
  /** First table row shown; kept so the view only scrolls when the selection leaves it. */
  readonly tableOffset: number;
  readonly focus: Focus | null;
  readonly windowIndex: number;
  readonly mode: ViewMode;
  readonly pane: Pane;
  /** The lower pane shown when only one fits (the last of trend/tap that had focus). */
  readonly lowerPane: 'trend' | 'tap';
  readonly trendMetric: TrendMetric;
  /** Lines scrolled back from the newest in the tap tail. */
  readonly tapScroll: number;
  readonly help: boolean;
}

export interface TopState {
  readonly config: TopConfig;
  /** The latest time any action carried: selectors measure ages against it, never against a clock. */
  readonly now: number;
  readonly connection: Connection;
  readonly tapStatus: TapStatus;
  readonly live: TopData;
  readonly frozen: TopData | null;
  /** Snapshots and tap records that arrived while paused (shown as "+N"). */
  readonly arrivedWhilePaused: number;
  readonly ui: UiState;
}

export interface TopOptions {
  readonly targetLabel: string;
  readonly controlPlane: string;
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly mode: ViewMode;
  readonly now: number;
  readonly tapLimits?: TapLogLimits;
  readonly trendLimits?: TrendLimits;
}

/** The windows `t` offers: the usual ones plus whatever the user asked for, ascending. */
export const STANDARD_WINDOWS = [10_000, 60_000, 300_000, 900_000] as const;

export function initialState(o: TopOptions): TopState {
  const windows = [...new Set<number>([...STANDARD_WINDOWS, o.windowMs])].sort((a, b) => a - b);
  return {
    config: {
      targetLabel: o.targetLabel,
      controlPlane: o.controlPlane,
      windows,
      intervalMs: o.intervalMs,
      // Two missed polls (and at least 3 s) before numbers are called stale: one slow answer is not an outage.
      staleAfterMs: Math.max(3000, 2 * o.intervalMs),
      tapLimits: o.tapLimits ?? DEFAULT_TAP_LIMITS,
      trendLimits: o.trendLimits ?? DEFAULT_TREND_LIMITS,
    },
    now: o.now,
    connection: { status: 'connecting', failures: 0, retryAt: null, error: null, lastSuccessAt: null },
    tapStatus: { status: 'connecting', error: null, retryAt: null },
    live: { snapshot: null, snapshotAt: null, tap: EMPTY_TAP_LOG, trends: EMPTY_TRENDS },
    frozen: null,
    arrivedWhilePaused: 0,
    ui: {
      sort: { column: 'rps', descending: true },
      filter: '',
      editingFilter: false,
      selectedKey: null,
      tableOffset: 0,
      focus: null,
      windowIndex: windows.indexOf(o.windowMs),
      mode: o.mode,
      pane: 'table',
      lowerPane: 'trend',
      trendMetric: 'rps',
      tapScroll: 0,
      help: false,
    },
  };
}
