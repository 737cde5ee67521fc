// Output renderers shared by every command: aligned tables for people, JSON/JSON lines/YAML for scripts.
// Machine output goes to stdout only; nothing else is ever written there.
import { stripVTControlCharacters } from 'node:util';
import { Option } from '@commander-js/extra-typings';

type FormatOption = Option<
  '-o, --output <format>',
  undefined,
  OutputFormat,
  OutputFormat,
  false,
  OutputFormat
>;

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'jsonl', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputOption(
  formats: readonly OutputFormat[] = OUTPUT_FORMATS,
  def: OutputFormat = 'table',
): FormatOption {
  return new Option('-o, --output <format>', `output format: ${formats.join(', ')}`)
    .choices(formats)
    .default(def);
}

export type Align = 'left' | 'right';

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  align?: Align;
}

/** Width on screen: colour escapes take no columns. */
const visibleLength = (s: string): number => stripVTControlCharacters(s).length;

/**
 * Renders rows as a table with columns separated by three spaces, like kubectl and linkerd. Cells may be
 * coloured: widths count only what is visible.
 */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => visibleLength(r[i] ?? ''))),
  );
  const pad = (v: string, w: number, right: boolean): string => {
    const fill = ' '.repeat(Math.max(0, w - visibleLength(v)));
    return right ? fill + v : v + fill;
  };
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const w = widths[i] ?? 0;
        const last = i === values.length - 1;
        if (columns[i]?.align === 'right') return pad(v, w, true);
        return last ? v : pad(v, w, false);
      })
      .join('   ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export function renderJsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/** Async so that yaml loads only for -o yaml: `meshctl proxy` imports this module through the CLI. */
export async function renderYaml(value: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(value);
}

export function writeOut(text: string): void {
  process.stdout.write(text);
}

/**
 * Renders a list of rows in a machine format (a JSON array, one JSON object per line, a YAML list), or,
 * for table and wide, with `table`.
 */
export async function renderRows<Row>(
  format: OutputFormat,
  rows: readonly Row[],
  table: () => string,
): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(rows);
    case 'jsonl':
      return rows.map((r) => renderJsonLine(r)).join('');
    case 'yaml':
      return rows.length === 0 ? '[]\n' : renderYaml(rows);
    default:
      return table();
  }
}
