// Pure views of the state for the components: sorted and filtered rows, the visible slice of the table,
// mesh-wide totals, the tap lines for the current focus and filter, the selected row's trend, staleness.
import type { NamespaceStats } from '../model.js';
import { toTableRows, type TableRow } from './rows.js';
import type { SortColumn, TopData, TopState, Focus } from './state.js';
import type { TapLine } from './tap-log.js';
import type { TrendPoint } from './trends.js';

/** What the view shows: the frozen copy while paused, else the live data. */
export function viewData(state: TopState): TopData {
  return state.frozen ?? state.live;
}

export function windowMs(state: TopState): number {
  return state.config.windows[state.ui.windowIndex] ?? state.config.windows[0] ?? 60_000;
}

/** True when the numbers on screen may no longer describe the mesh: the control plane is lost or quiet. */
export function isStale(state: TopState): boolean {
  const { lastSuccessAt, status } = state.connection;
  if (lastSuccessAt === null) return false;
  return status !== 'connected' || state.now - lastSuccessAt > state.config.staleAfterMs;
}

/** Age of the newest data, in ms (null before any). */
export function dataAge(state: TopState): number | null {
  const at = state.connection.lastSuccessAt;
  return at === null ? null : Math.max(0, state.now - at);
}

type SortValue = string | number | null;

function sortValue(row: TableRow, column: SortColumn): SortValue {
  switch (column) {
    case 'name':
      return row.name;
    case 'secondary':
      return row.secondary;
    case 'success':
      return row.successRate;
    case 'rps':
      return row.rps;
    case 'p50':
      return row.latencyP50Ms;
    case 'p95':
      return row.latencyP95Ms;
    case 'p99':
      return row.latencyP99Ms;
  }
}

/**
 * Sorts by a column; rows without data for it (null) go last in both directions, because "no data" is
 * neither the best nor the worst. Ties fall back to the key so the order never flickers between refreshes.
 */
export function sortRows(
  rows: readonly TableRow[],
  sort: { column: SortColumn; descending: boolean },
): TableRow[] {
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, sort.column);
    const vb = sortValue(b, sort.column);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      const c =
        typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      if (c !== 0) return c * dir;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/** Case-insensitive substring match on the row's name and its service/namespace. */
export function filterRows(rows: readonly TableRow[], text: string): TableRow[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') return [...rows];
  return rows.filter(
    (r) => r.name.toLowerCase().includes(needle) || r.secondary.toLowerCase().includes(needle),
  );
}

export function selectRows(state: TopState): TableRow[] {
  const snapshot = viewData(state).snapshot;
  // Rows of the other mode (just toggled, not yet fetched) would be mislabelled: show none until they come.
  if (snapshot?.mode !== state.ui.mode) return [];
  const rows = toTableRows(snapshot);
  return sortRows(filterRows(rows, state.ui.filter), state.ui.sort);
}

/** Index of the selected row; the first row when nothing (or something gone) is selected. */
export function selectedIndex(rows: readonly TableRow[], key: string | null): number {
  if (rows.length === 0) return -1;
  const i = key === null ? -1 : rows.findIndex((r) => r.key === key);
  return i < 0 ? 0 : i;
}

export function selectedRow(state: TopState): TableRow | undefined {
  const rows = selectRows(state);
  return rows[selectedIndex(rows, state.ui.selectedKey)];
}

/** The first row to show so that the selection is visible, moving the previous offset as little as possible. */
export function tableStart(total: number, selected: number, offset: number, capacity: number): number {
  if (capacity <= 0 || total <= capacity) return 0;
  let start = Math.min(Math.max(offset, 0), total - capacity);
  if (selected >= 0 && selected < start) start = selected;
  if (selected >= start + capacity) start = selected - capacity + 1;
  return start;
}

export interface MeshTotals {
  readonly successRate: number | null;
  readonly rps: number;
  /** Upper bounds: a mixture's quantile never exceeds the largest of its parts' quantiles. */
  readonly latencyP50MsAtMost: number | null;
  readonly latencyP99MsAtMost: number | null;
  readonly tlsShare: number | null;
  readonly meshedPods: number;
  readonly runningPods: number;
  readonly requests: number;
}

/** Mesh-wide golden metrics from per-namespace ones: sums, and rates weighted by request counts. */
export function meshTotals(namespaces: readonly NamespaceStats[]): MeshTotals {
  let rps = 0;
  let requests = 0;
  let meshedPods = 0;
  let runningPods = 0;
  let srWeight = 0;
  let srSum = 0;
  let tlsWeight = 0;
  let tlsSum = 0;
  let p50: number | null = null;
  let p99: number | null = null;
  for (const n of namespaces) {
    rps += n.rps;
    requests += n.requests;
    meshedPods += n.meshedPods;
    runningPods += n.runningPods;
    // Weigh by requests when the API counts them, else by rate: both are proportional within one window.
    const w = n.requests > 0 ? n.requests : n.rps;
    if (n.successRate !== null && w > 0) {
      srWeight += w;
      srSum += n.successRate * w;
    }
    if (n.tlsShare !== null && w > 0) {
      tlsWeight += w;
      tlsSum += n.tlsShare * w;
    }
    if (n.latencyP50Ms !== null) p50 = Math.max(p50 ?? 0, n.latencyP50Ms);
    if (n.latencyP99Ms !== null) p99 = Math.max(p99 ?? 0, n.latencyP99Ms);
  }
  return {
    successRate: srWeight > 0 ? srSum / srWeight : null,
    rps,
    latencyP50MsAtMost: p50,
    latencyP99MsAtMost: p99,
    tlsShare: tlsWeight > 0 ? tlsSum / tlsWeight : null,
    meshedPods,
    runningPods,
    requests,
  };
}

function hostOf(authority: string): string {
  const i = authority.lastIndexOf(':');
  return (i > 0 && !authority.endsWith(']') ? authority.slice(0, i) : authority).toLowerCase();
}

/** Authorities name the same service when hosts agree, or one is a shorter form (`web.demo` of `web.demo.svc…`). */
export function sameService(a: string, b: string): boolean {
  if (a === b) return true;
  const ha = hostOf(a);
  const hb = hostOf(b);
  return ha === hb || ha.startsWith(hb + '.') || hb.startsWith(ha + '.');
}

export function lineMatchesFocus(line: TapLine, focus: Focus | null): boolean {
  if (focus === null) return true;
  if (focus.mode === 'route') {
    return (
      line.route === focus.route && (focus.authority === null || sameService(line.authority, focus.authority))
    );
  }
  return line.destinationWorkload === focus.workload || line.sourceWorkload === focus.workload;
}

function lineMatchesText(line: TapLine, needle: string): boolean {
  if (needle === '') return true;
  return [line.route, line.path, line.authority, line.destinationWorkload, line.sourceWorkload].some((s) =>
    s.toLowerCase().includes(needle),
  );
}

export interface TapView {
  /** Oldest first, at most `max`. */
  readonly lines: readonly TapLine[];
  /** Matching lines newer than the last shown (when scrolled back). */
  readonly newerHidden: number;
  readonly matching: number;
}

/** The tap lines for the current focus and filter, scrolled back `ui.tapScroll` lines from the newest. */
export function selectTapView(state: TopState, max: number): TapView {
  const needle = state.ui.filter.trim().toLowerCase();
  const { focus } = state.ui;
  const matching = viewData(state).tap.lines.filter(
    (l) => lineMatchesFocus(l, focus) && lineMatchesText(l, needle),
  );
  const scroll = Math.min(state.ui.tapScroll, Math.max(0, matching.length - max));
  const end = matching.length - scroll;
  return {
    lines: matching.slice(Math.max(0, end - max), end),
    newerHidden: scroll,
    matching: matching.length,
  };
}

export interface TrendView {
  readonly key: string;
  readonly label: string;
  readonly points: readonly TrendPoint[];
}

/** The selected row's history, or undefined when nothing is selected. */
export function selectTrend(state: TopState): TrendView | undefined {
  const row = selectedRow(state);
  if (!row) return undefined;
  const series = viewData(state).trends.get(row.key);
  return { key: row.key, label: row.name, points: series?.points ?? [] };
}

/** What the controller must ask the sources for; a change means "poll / re-subscribe now". */
export interface SourceQuery {
  readonly windowMs: number;
  readonly mode: TopState['ui']['mode'];
  readonly focusRoute: string | undefined;
}

export function selectSourceQuery(state: TopState): SourceQuery {
  const f = state.ui.focus;
  return {
    windowMs: windowMs(state),
    mode: state.ui.mode,
    focusRoute: f?.mode === 'route' && f.route !== null ? f.route : undefined,
  };
}
