// Output renderers shared by every command: aligned tables for people, JSON/JSON lines/YAML for scripts.
// Machine output goes to stdout only; nothing else is ever written there.
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

/** Renders rows as a table with columns separated by three spaces, like kubectl and linkerd. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const w = widths[i] ?? 0;
        const last = i === values.length - 1;
        if (columns[i]?.align === 'right') return v.padStart(w);
        return last ? v : v.padEnd(w);
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
