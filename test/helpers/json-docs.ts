// Reads docs/cli-json.md — per command an example (`<!-- example: NAME -->` then a json/jsonl block) and a
// field table (`<!-- fields: NAME -->`) — and compares the shape of real output with it: same keys, same
// JSON types, null only where the table allows it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './processes.js';

export interface DocumentedCommand {
  /** The example's objects: the array's rows, or one per line for jsonl. */
  readonly examples: Record<string, unknown>[];
  /** Field path (`successRate`, `end.grpcStatus`) → the types the table allows ('number', 'null', …). */
  readonly fields: ReadonlyMap<string, ReadonlySet<string>>;
}

export function readJsonDocs(
  file = path.join(REPO_ROOT, 'docs', 'cli-json.md'),
): Map<string, DocumentedCommand> {
  const text = readFileSync(file, 'utf8');
  const out = new Map<string, DocumentedCommand>();
  const exampleRe = /<!-- example: (\w+) -->\s*```(json|jsonl)\n([\s\S]*?)```/g;
  for (const m of text.matchAll(exampleRe)) {
    const [, name, kind, body] = m as unknown as [string, string, string, string];
    const examples =
      kind === 'json'
        ? (JSON.parse(body) as Record<string, unknown>[])
        : body
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Record<string, unknown>);
    const marker = text.indexOf(`<!-- fields: ${name} -->`);
    if (marker < 0) throw new Error(`docs/cli-json.md: no field table for ${name}`);
    const after = text.slice(marker).split('\n').slice(1);
    const start = after.findIndex((l) => l.startsWith('|'));
    const rows = after.slice(start);
    const table = rows
      .slice(
        0,
        rows.findIndex((l) => !l.startsWith('|')),
      )
      .join('\n');
    const fields = new Map<string, Set<string>>();
    for (const row of table.matchAll(/^\| `([\w.]+)`\s*\|((?:[^|\\]|\\\|)+)\|/gm)) {
      const [, field, types] = row as unknown as [string, string, string];
      fields.set(field, new Set(types.split('\\|').map((s) => s.trim())));
    }
    out.set(name, { examples, fields });
  }
  return out;
}

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Differences between a real object and the documented example of the same kind: keys missing on either
 * side, and values whose type differs where the field table does not allow the real type. Free-form maps
 * (`labels`) are compared as objects only; arrays by their first elements when both have one.
 */
export function shapeProblems(
  doc: DocumentedCommand,
  example: unknown,
  actual: unknown,
  prefix = '',
): string[] {
  const problems: string[] = [];
  const allowed = doc.fields.get(prefix);
  const te = jsonType(example);
  const ta = jsonType(actual);
  if (prefix !== '' && te !== ta) {
    const ok = allowed ? allowed.has(ta) : false;
    if (!ok)
      problems.push(`${prefix}: documented ${te}${allowed ? ` (${[...allowed].join('|')})` : ''}, got ${ta}`);
    return problems;
  }
  if (prefix !== '' && allowed !== undefined && !allowed.has(ta)) {
    problems.push(`${prefix}: the field table says ${[...allowed].join('|')}, got ${ta}`);
  }
  if (ta === 'object' && !prefix.endsWith('labels')) {
    const e = example as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of Object.keys(e))
      if (!(k in a)) problems.push(`${prefix}${prefix ? '.' : ''}${k}: documented, missing`);
    for (const k of Object.keys(a)) {
      const p = `${prefix}${prefix ? '.' : ''}${k}`;
      if (!(k in e)) problems.push(`${p}: present, not documented`);
      else problems.push(...shapeProblems(doc, e[k], a[k], p));
    }
  }
  if (ta === 'array') {
    const [e0] = example as unknown[];
    const [a0] = actual as unknown[];
    if (e0 !== undefined && a0 !== undefined) problems.push(...shapeProblems(doc, e0, a0, `${prefix}[]`));
  }
  return problems;
}
