// Screen geometry, as pure functions of the terminal size: which panes fit and how tall they are, and
// which table columns fit and how wide. Components receive the results; they never measure anything.
import type { ViewMode } from './model.js';
import type { SortColumn, UiState } from './state/state.js';

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;
export const HEADER_LINES = 3;
export const FOOTER_LINES = 1;
/** Below this many lines under the table only one of the trend and tap panes is shown (tab picks which). */
const BOTH_LOWER_PANES_MIN_LINES = 12;
/** The table keeps at least this many lines even when it has fewer rows (room for "no routes…"). */
const MIN_TABLE_ROWS = 3;
/** From this width the trend pane shows RPS, p99 and success side by side. */
export const ALL_TRENDS_MIN_COLUMNS = 120;

export interface ScreenLayout {
  readonly tooSmall: boolean;
  readonly columns: number;
  readonly rows: number;
  /** Table data rows (its header line not included). */
  readonly tableRows: number;
  /** Chart lines in the trend pane (its title line not included); 0 when the pane is hidden. */
  readonly trendLines: number;
  /** Tap lines (its title line not included); 0 when the pane is hidden. */
  readonly tapLines: number;
  readonly allTrends: boolean;
}

/**
 * Pane heights for a terminal of `columns` × `rows`. `tableRowCount` is how many rows the table has: lines
 * it cannot use go to the lower panes, so a mesh with five routes gets a taller tap tail, not blank lines.
 * Trend and tap are both shown when they get enough lines; otherwise the one `lowerPane` names.
 */
export function screenLayout(
  columns: number,
  rows: number,
  ui: Pick<UiState, 'lowerPane'>,
  tableRowCount = Infinity,
): ScreenLayout {
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const body = rows - HEADER_LINES - FOOTER_LINES;
  const allTrends = columns >= ALL_TRENDS_MIN_COLUMNS;
  if (tooSmall) return { tooSmall, columns, rows, tableRows: 0, trendLines: 0, tapLines: 0, allTrends };
  // The table may take about half a tall body, or about 55 % of a short one (lower panes keep ≥ 6 lines).
  const tableMax =
    body >= 30 ? body - Math.floor(body / 2) - 1 : body - Math.max(6, Math.floor(body * 0.45)) - 1;
  const tableRows = Math.min(tableMax, Math.max(MIN_TABLE_ROWS, tableRowCount));
  const lower = body - tableRows - 1;
  if (lower >= BOTH_LOWER_PANES_MIN_LINES) {
    const trendLines = Math.min(12, Math.floor(lower / 2) - 1);
    return { tooSmall, columns, rows, tableRows, trendLines, tapLines: lower - trendLines - 2, allTrends };
  }
  return ui.lowerPane === 'trend'
    ? { tooSmall, columns, rows, tableRows, trendLines: lower - 1, tapLines: 0, allTrends }
    : { tooSmall, columns, rows, tableRows, trendLines: 0, tapLines: lower - 1, allTrends };
}

export type ColumnId = 'name' | 'secondary' | 'meshed' | 'success' | 'rps' | 'p50' | 'p95' | 'p99';

interface ColumnSpec {
  readonly id: ColumnId;
  readonly header: string;
  readonly align: 'left' | 'right';
  /** Fixed width, or the minimum width of a flexible column. */
  readonly width: number;
  readonly flex: boolean;
  /** Columns with the lowest priority are dropped first when the width runs out; 0 = never dropped. */
  readonly dropPriority: number;
  readonly sort: SortColumn | null;
}

export interface FittedColumn {
  readonly id: ColumnId;
  readonly header: string;
  readonly align: 'left' | 'right';
  readonly width: number;
  readonly sort: SortColumn | null;
}

function columnSpecs(mode: ViewMode): ColumnSpec[] {
  const metric = (id: ColumnId, header: string, sort: SortColumn, dropPriority: number): ColumnSpec => ({
    id,
    header,
    align: 'right',
    width: id === 'success' ? 9 : 8,
    flex: false,
    dropPriority,
    sort,
  });
  const tail = [
    metric('success', 'SUCCESS', 'success', 0),
    metric('rps', 'RPS', 'rps', 0),
    metric('p50', 'P50', 'p50', 3),
    metric('p95', 'P95', 'p95', 1),
    metric('p99', 'P99', 'p99', 0),
  ];
  if (mode === 'route') {
    return [
      { id: 'name', header: 'ROUTE', align: 'left', width: 12, flex: true, dropPriority: 0, sort: 'name' },
      {
        id: 'secondary',
        header: 'SERVICE',
        align: 'left',
        width: 10,
        flex: true,
        dropPriority: 2,
        sort: 'secondary',
      },
      ...tail,
    ];
  }
  return [
    { id: 'name', header: 'WORKLOAD', align: 'left', width: 12, flex: true, dropPriority: 0, sort: 'name' },
    {
      id: 'secondary',
      header: 'NAMESPACE',
      align: 'left',
      width: 10,
      flex: true,
      dropPriority: 2,
      sort: 'secondary',
    },
    { id: 'meshed', header: 'MESHED', align: 'right', width: 6, flex: false, dropPriority: 4, sort: null },
    ...tail,
  ];
}

/**
 * Fits the table's columns to `width` (one space between columns): drops the least important columns
 * until the rest fit, then grows the flexible ones (name, service) toward their widest content.
 * `content` gives the widest value of each flexible column.
 */
export function fitColumns(
  mode: ViewMode,
  width: number,
  content: Partial<Record<ColumnId, number>>,
): FittedColumn[] {
  let specs = columnSpecs(mode);
  const needed = (cols: ColumnSpec[]): number =>
    cols.reduce((sum, c) => sum + c.width, 0) + (cols.length - 1);
  while (needed(specs) > width) {
    const droppable = specs.filter((c) => c.dropPriority > 0);
    if (droppable.length === 0) break;
    const victim = droppable.reduce((a, b) => (b.dropPriority < a.dropPriority ? b : a));
    specs = specs.filter((c) => c !== victim);
  }
  let spare = Math.max(0, width - needed(specs));
  const widths = new Map<ColumnId, number>(specs.map((c) => [c.id, c.width]));
  // The service column grows first, to at most 30 % of the width, so long route names cannot squeeze it to
  // nothing; the name column then takes what it needs of the rest.
  for (const c of specs.filter((s) => s.flex).reverse()) {
    const want = Math.max(c.width, content[c.id] ?? c.width);
    const cap = c.id === 'name' ? want : Math.min(want, Math.max(c.width, Math.floor(width * 0.3)));
    const grow = Math.min(spare, cap - c.width);
    widths.set(c.id, c.width + grow);
    spare -= grow;
  }
  return specs.map((c) => ({
    id: c.id,
    header: c.header,
    align: c.align,
    width: widths.get(c.id) ?? c.width,
    sort: c.sort,
  }));
}
