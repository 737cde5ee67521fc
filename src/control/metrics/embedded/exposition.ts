// Reads Prometheus text exposition (format 0.0.4) as scraped from a proxy: one sample per line, a line that
// cannot be read is counted and skipped rather than failing the whole scrape, as a scraper must.

export interface ExpositionSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  /** Milliseconds since the epoch, when the line carries a timestamp. */
  readonly timestampMs?: number;
}

export interface ExpositionResult {
  readonly samples: ExpositionSample[];
  /** Lines that are neither samples, comments nor blank. */
  readonly errors: number;
  /** The first such line (shortened) and why, for the scrape's error report. */
  readonly firstError?: string;
}

export interface ExpositionOptions {
  /** Keeps only samples whose metric name passes; others are skipped before their labels are read. */
  readonly accept?: (name: string) => boolean;
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

/** Parses a sample value as Prometheus does: decimals, exponents, NaN and ±Inf (any letter case). */
export function parseSampleValue(token: string): number | undefined {
  if (NUMBER.test(token)) return Number(token);
  switch (token.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

class LineError extends Error {}

/** Parses a whole exposition. Never throws: unreadable lines are counted in `errors`. */
export function parseExposition(text: string, options: ExpositionOptions = {}): ExpositionResult {
  const samples: ExpositionSample[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let pos = 0;
  const end = text.length;
  while (pos < end) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = end;
    let lineEnd = eol;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
    try {
      const sample = parseLine(text, pos, lineEnd, options.accept);
      if (sample !== undefined) samples.push(sample);
    } catch (err) {
      errors++;
      if (firstError === undefined) {
        const line = text.slice(pos, Math.min(lineEnd, pos + 120));
        firstError = `${(err as Error).message}: ${JSON.stringify(line)}`;
      }
    }
    pos = eol + 1;
  }
  return firstError === undefined ? { samples, errors } : { samples, errors, firstError };
}

function parseLine(
  text: string,
  start: number,
  end: number,
  accept: ((name: string) => boolean) | undefined,
): ExpositionSample | undefined {
  let i = skipSpace(text, start, end);
  if (i === end) return undefined;
  if (text.charCodeAt(i) === 0x23 /* # */) return undefined; // HELP, TYPE and plain comments
  if (!isNameStart(text.charCodeAt(i))) throw new LineError('expected a metric name');
  const nameStart = i;
  while (i < end && isNameChar(text.charCodeAt(i))) i++;
  const name = text.slice(nameStart, i);
  if (accept !== undefined && !accept(name)) return undefined;
  // No prototype: a label named __proto__ must be data, not a way to change the object.
  const labels = Object.create(null) as Record<string, string>;
  const brace = skipSpace(text, i, end);
  if (brace < end && text.charCodeAt(brace) === 0x7b /* { */) i = parseLabels(text, brace + 1, end, labels);
  // The value must be separated by white space: `m-1 2` or `m{a="x"}9` are not samples.
  if (i < end && !isSpace(text.charCodeAt(i))) throw new LineError('expected a space before the value');
  i = skipSpace(text, i, end);
  const valueStart = i;
  while (i < end && !isSpace(text.charCodeAt(i))) i++;
  if (valueStart === i) throw new LineError('missing value');
  const value = parseSampleValue(text.slice(valueStart, i));
  if (value === undefined) throw new LineError('bad value');
  i = skipSpace(text, i, end);
  if (i === end) return { name, labels, value };
  const tsStart = i;
  while (i < end && !isSpace(text.charCodeAt(i))) i++;
  const ts = text.slice(tsStart, i);
  if (!INTEGER.test(ts)) throw new LineError('bad timestamp');
  if (skipSpace(text, i, end) !== end) throw new LineError('unexpected text after the timestamp');
  return { name, labels, value, timestampMs: Number(ts) };
}

/** Reads `name="value",…}` (after the `{`) into `labels`; returns the position after the `}`. */
function parseLabels(text: string, i: number, end: number, labels: Record<string, string>): number {
  for (;;) {
    i = skipSpace(text, i, end);
    if (i >= end) throw new LineError('unterminated label set');
    if (text.charCodeAt(i) === 0x7d /* } */) return i + 1;
    if (!isNameStart(text.charCodeAt(i)) || text.charCodeAt(i) === 0x3a) {
      throw new LineError('expected a label name');
    }
    const nameStart = i;
    while (i < end && isNameChar(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3a) i++;
    const labelName = text.slice(nameStart, i);
    i = skipSpace(text, i, end);
    if (text.charCodeAt(i) !== 0x3d /* = */) throw new LineError(`expected = after label ${labelName}`);
    i = skipSpace(text, i + 1, end);
    if (text.charCodeAt(i) !== 0x22 /* " */) throw new LineError(`expected a quoted value for ${labelName}`);
    i++;
    let value = '';
    let chunk = i;
    for (;;) {
      if (i >= end) throw new LineError(`unterminated value for ${labelName}`);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c /* \ */) {
        value += text.slice(chunk, i);
        const next = text.charCodeAt(i + 1);
        if (i + 1 >= end) throw new LineError(`unterminated value for ${labelName}`);
        // The format escapes only \\, \" and \n; any other escape is kept as written.
        if (next === 0x6e /* n */) value += '\n';
        else if (next === 0x5c || next === 0x22) value += String.fromCharCode(next);
        else value += '\\' + String.fromCharCode(next);
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    value += text.slice(chunk, i);
    i++;
    if (Object.hasOwn(labels, labelName)) throw new LineError(`label ${labelName} repeated`);
    labels[labelName] = value;
    i = skipSpace(text, i, end);
    const sep = text.charCodeAt(i);
    if (sep === 0x2c /* , */) i++;
    else if (sep !== 0x7d) throw new LineError('expected , or } after a label');
  }
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB;
}

function skipSpace(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}
