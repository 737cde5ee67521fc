// A strict reader for Prometheus text format 0.0.4, so tests assert on what a scraper would see rather than
// on substrings. It rejects what Prometheus rejects: undeclared or interleaved families, repeated HELP/TYPE,
// duplicate series, malformed labels or values.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const seriesSeen = new Set<string>();
  const finished = new Set<string>();
  let current: Family | undefined;
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.startsWith('# HELP ')) {
      const [name, ...rest] = line.slice(7).split(' ');
      if (name === undefined || !NAME.test(name)) throw new Error(`bad HELP line: ${line}`);
      if (helps.has(name)) throw new Error(`HELP repeated for ${name}`);
      helps.set(name, unescapeHelp(rest.join(' ')));
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type, ...rest] = line.slice(7).split(' ');
      if (name === undefined || !NAME.test(name) || rest.length > 0)
        throw new Error(`bad TYPE line: ${line}`);
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? '')) {
        throw new Error(`bad type in: ${line}`);
      }
      if (families.has(name)) throw new Error(`TYPE repeated for ${name}`);
      if (current !== undefined) finished.add(current.name);
      current = { name, type: type!, help: helps.get(name) ?? '', samples: [] };
      families.set(name, current);
      continue;
    }
    if (line.startsWith('#') || line === '') throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    const sample = parseSample(line);
    const family = familyOf(sample.name, families);
    if (family === undefined) throw new Error(`sample before its TYPE: ${line}`);
    if (family !== current || finished.has(family.name))
      throw new Error(`family ${family.name} is interleaved`);
    const id = sample.name + JSON.stringify(Object.entries(sample.labels).sort());
    if (seriesSeen.has(id)) throw new Error(`duplicate series: ${line}`);
    seriesSeen.add(id);
    family.samples.push(sample);
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sampleName);
  if (direct !== undefined) return direct;
  const m = /^(.*)_(bucket|sum|count)$/.exec(sampleName);
  const f = m ? families.get(m[1]!) : undefined;
  return f?.type === 'histogram' ? f : undefined;
}

function parseSample(line: string): Sample {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      const labelName = line.slice(i, eq);
      if (eq < 0 || !LABEL_NAME.test(labelName)) throw new Error(`bad label name in: ${line}`);
      if (labelName in labels) throw new Error(`repeated label ${labelName} in: ${line}`);
      if (line[eq + 1] !== '"') throw new Error(`unquoted label value in: ${line}`);
      let value = '';
      let j = eq + 2;
      for (;;) {
        const c = line[j];
        if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
        if (c === '"') break;
        if (c === '\\') {
          const e = line[j + 1];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new Error(`bad escape in: ${line}`);
          j += 2;
        } else {
          value += c;
          j++;
        }
      }
      labels[labelName] = value;
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`expected , or } in: ${line}`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error(`expected a space before the value in: ${line}`);
  const text = line.slice(i + 1);
  if (!/^(?:[+-]?Inf|NaN|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.test(text))
    throw new Error(`bad value in: ${line}`);
  const value = text === '+Inf' || text === 'Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  return { name, labels, value };
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(n|\\)/g, (_m, e: string) => (e === 'n' ? '\n' : '\\'));
}

/** Buckets must be cumulative, end with +Inf, and _count must equal the +Inf bucket. */
function checkHistogram(f: Family): void {
  const bySeries = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest));
    let entry = bySeries.get(key);
    if (entry === undefined) bySeries.set(key, (entry = { buckets: [] }));
    if (s.name === f.name + '_bucket') {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      entry.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name === f.name + '_count') entry.count = s.value;
    else if (s.name === f.name + '_sum') entry.sum = s.value;
    else throw new Error(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, e] of bySeries) {
    const last = e.buckets.at(-1);
    if (last?.[0] !== Infinity) throw new Error(`${f.name}${key}: last bucket is not +Inf`);
    for (let i = 1; i < e.buckets.length; i++) {
      if (!(e.buckets[i]![0] > e.buckets[i - 1]![0])) throw new Error(`${f.name}${key}: le not increasing`);
      if (e.buckets[i]![1] < e.buckets[i - 1]![1]) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
    if (e.count !== last[1]) throw new Error(`${f.name}${key}: _count ${e.count} != +Inf bucket ${last[1]}`);
    if (e.sum === undefined) throw new Error(`${f.name}${key}: no _sum`);
  }
}

/** Samples of `name` whose labels include every label in `match`. */
export function samples(
  families: Map<string, Family>,
  name: string,
  match: Readonly<Record<string, string>> = {},
): Sample[] {
  const out: Sample[] = [];
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)) out.push(s);
    }
  }
  return out;
}

/** The value of the one sample of `name` with exactly these labels; throws when there is none. */
export function valueOf(
  families: Map<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const want = JSON.stringify(Object.entries(labels).sort());
  const hit = samples(families, name).find((s) => JSON.stringify(Object.entries(s.labels).sort()) === want);
  if (hit === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return hit.value;
}

/** The bucket counts (le → cumulative count) of one histogram series. */
export function bucketsOf(
  families: Map<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>>,
): Map<string, number> {
  const want = JSON.stringify(Object.entries(labels).sort());
  const out = new Map<string, number>();
  for (const s of samples(families, name + '_bucket')) {
    const { le, ...rest } = s.labels;
    if (JSON.stringify(Object.entries(rest).sort()) === want) out.set(le!, s.value);
  }
  return out;
}
