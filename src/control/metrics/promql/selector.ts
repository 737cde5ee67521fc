// Label matchers and vector selectors: the small piece of PromQL both back ends share. The embedded store
// evaluates them directly; the Prometheus back end renders them as PromQL text.

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** A metric name and label matchers, like `response_total{direction="inbound"}`. */
export interface VectorSelector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

export type Labels = Readonly<Record<string, string>>;

export const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });
export const neq = (name: string, value: string): Matcher => ({ name, op: '!=', value });
export const re = (name: string, value: string): Matcher => ({ name, op: '=~', value });

/** Escapes a literal for use inside a regular expression (RE2 and JavaScript agree on these). */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

// PromQL regexes are fully anchored; compiled once per distinct pattern.
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1000;

function anchored(pattern: string): RegExp {
  let r = compiled.get(pattern);
  if (r === undefined) {
    r = new RegExp(`^(?:${pattern})$`, 's');
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, r);
  }
  return r;
}

/** True when `labels` satisfy every matcher; an absent label matches as the empty string, as in PromQL. */
export function matchesAll(labels: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        if (v !== m.value) return false;
        break;
      case '!=':
        if (v === m.value) return false;
        break;
      case '=~':
        if (!anchored(m.value).test(v)) return false;
        break;
      case '!~':
        if (anchored(m.value).test(v)) return false;
        break;
    }
  }
  return true;
}

/** The values of the `by` labels ('' when absent), as a key and as labels. */
export function groupKey(labels: Labels, by: readonly string[]): string {
  let key = '';
  for (const name of by) key += (labels[name] ?? '') + '\u0000';
  return key;
}

export function groupLabels(labels: Labels, by: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of by) out[name] = labels[name] ?? '';
  return out;
}
