// Manifests in and out: reads files, directories and stdin; parses YAML or JSON streams into `yaml`
// Documents with errors that name the file, the document and the line; and prints them back — documents
// nobody changed byte for byte, changed ones in the style they were written in.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Document, LineCounter, parseAllDocuments, isMap, isScalar } from 'yaml';
import { MeshError, errorCode } from '../../common/errors.js';

export interface ManifestSource {
  /** A file path, or `-` for standard input. */
  readonly name: string;
  readonly text: string;
}

export type ManifestFormat = 'yaml' | 'json';

export interface ParsedDocument {
  /** 1-based position in its file, as people count documents. */
  readonly index: number;
  readonly doc: Document;
  /** 1-based line where the document starts. */
  readonly line: number;
  /** The document's original text, including its `---` line and the comments before it. */
  readonly text: string;
}

export interface ParsedManifest {
  readonly source: ManifestSource;
  readonly format: ManifestFormat;
  readonly docs: readonly ParsedDocument[];
}

export class ManifestError extends MeshError {
  constructor(message: string, hint?: string) {
    super('MESH_BAD_MANIFEST', message, hint);
    this.name = 'ManifestError';
  }
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function listDirectory(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) return listDirectory(p);
      return MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) ? [p] : [];
    });
}

/** Reads each argument: a file, a directory (its .yaml/.yml/.json files, recursively, sorted) or `-`. */
export async function readSources(
  args: readonly string[],
  stdin: NodeJS.ReadableStream,
): Promise<ManifestSource[]> {
  const sources: ManifestSource[] = [];
  for (const arg of args) {
    if (arg === '-') {
      sources.push({ name: '-', text: await readStream(stdin) });
      continue;
    }
    let files: string[];
    try {
      files = statSync(arg).isDirectory() ? listDirectory(arg) : [arg];
    } catch (err) {
      throw new ManifestError(`cannot read ${arg}: ${describeFsError(err)}`);
    }
    for (const file of files) {
      try {
        sources.push({ name: file, text: readFileSync(file, 'utf8') });
      } catch (err) {
        throw new ManifestError(`cannot read ${file}: ${describeFsError(err)}`);
      }
    }
  }
  return sources;
}

function describeFsError(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON when the first meaningful character opens an object or array; YAML otherwise. */
export function detectFormat(text: string): ManifestFormat {
  const first = /\S/.exec(text.replace(/^\uFEFF/, ''));
  return first && (first[0] === '{' || first[0] === '[') ? 'json' : 'yaml';
}

/** Parses every document; throws ManifestError naming file, document and line for invalid input. */
export function parseManifest(source: ManifestSource): ParsedManifest {
  const format = detectFormat(source.text);
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source.text, { lineCounter, prettyErrors: false });
  const list: Document[] = Array.isArray(parsed) ? parsed : [];
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const docs: ParsedDocument[] = [];
  list.forEach((doc, i) => {
    const index = i + 1;
    const start = i === 0 ? 0 : startOf(doc);
    const next = list[i + 1];
    const end = next === undefined ? source.text.length : startOf(next);
    const where = (offset: number): string => `${source.name}: document ${index} (line ${lineOf(offset)})`;
    const err = doc.errors[0];
    if (err) {
      const message = err.message.split('\n')[0] ?? 'parse error';
      throw new ManifestError(
        `${where(err.pos[0])}: invalid ${format === 'json' ? 'JSON' : 'YAML'}: ${message}`,
      );
    }
    const contents = isEmptyDocument(doc) ? null : doc.contents;
    if (contents !== null && !isMap(contents)) {
      const kind = Array.isArray(contents.toJSON()) ? 'a list' : `${JSON.stringify(contents.toJSON())}`;
      throw new ManifestError(
        `${where(contents.range?.[0] ?? startOf(doc))}: the document is ${kind}, not a Kubernetes object`,
        'each document must be a mapping with apiVersion, kind and metadata',
      );
    }
    docs.push({
      index,
      doc,
      line: lineOf(contents?.range?.[0] ?? startOf(doc)),
      text: source.text.slice(start, end),
    });
  });
  return { source, format, docs };
}

/** A document with nothing in it but comments (or `---` alone): kept, but holds no object. */
export function isEmptyDocument(doc: Document): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && (c.value === null || c.value === undefined));
}

function startOf(doc: Document): number {
  return doc.range?.[0] ?? 0;
}

interface YamlStyle {
  indent: number;
  indentSeq: boolean;
  flowCollectionPadding: boolean;
}

/** Guesses how a document was written, so a changed one is printed back the same way. */
function detectStyle(text: string): YamlStyle {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  let indent = Infinity;
  for (const l of lines) {
    const n = l.length - l.trimStart().length;
    if (n > 0 && n < indent) indent = n;
  }
  // `key:` followed by `- item` at the key's own indentation: kubectl's style, sequences not indented.
  const compactSeq = /^( *)[^\s#-][^\n]*:[ \t]*(#[^\n]*)?\n\1- /m.test(text);
  const tightFlow = /(^|[:,\s])[{[][^\s}\]]/m.test(text);
  return {
    indent: Number.isFinite(indent) && indent <= 8 ? indent : 2,
    indentSeq: !compactSeq,
    flowCollectionPadding: !tightFlow,
  };
}

function jsonIndent(text: string): number | string {
  const m = /\n([ \t]+)\S/.exec(text);
  if (!m?.[1]) return 2;
  return m[1].startsWith('\t') ? '\t' : m[1].length;
}

/**
 * Prints a manifest back. Unchanged documents are copied from the input; changed ones are re-printed from
 * the edited Document (comments kept). `format` converts between YAML and JSON when it differs from the input.
 */
export function renderManifest(
  m: ParsedManifest,
  changed: ReadonlySet<number>,
  format: ManifestFormat,
): string {
  if (format === 'json') {
    if (m.format === 'json' && changed.size === 0) return ensureNewline(m.source.text);
    const indent = m.format === 'json' ? jsonIndent(m.source.text) : 2;
    return m.docs
      .filter((d) => !isEmptyDocument(d.doc))
      .map((d) => JSON.stringify(d.doc.toJS(), null, indent) + '\n')
      .join('');
  }
  if (m.format === 'json') {
    // JSON parses as flow-style YAML; rebuild the documents so they print in block style.
    return m.docs
      .filter((d) => !isEmptyDocument(d.doc))
      .map((d) => new Document(d.doc.toJS()).toString({ lineWidth: 0 }))
      .join('---\n');
  }
  return m.docs
    .map((d) => {
      if (!changed.has(d.index)) return d.text;
      const style = detectStyle(d.text);
      return d.doc.toString({ ...style, lineWidth: 0, minContentWidth: 0 });
    })
    .join('');
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : text + '\n';
}

/** Joins rendered files into one stream that `kubectl apply -f -` reads as a whole. */
export function joinRendered(parts: readonly string[], format: ManifestFormat): string {
  if (format === 'json') return parts.join('');
  let out = '';
  for (const part of parts) {
    if (part.trim() === '') continue;
    if (out !== '') {
      out = ensureNewline(out);
      if (!/^(\s*#[^\n]*\n)*\s*---/.test(part)) out += '---\n';
    }
    out += part;
  }
  return out === '' ? '' : ensureNewline(out);
}
