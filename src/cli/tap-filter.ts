// Turns `meshctl tap`'s filter flags into one tap Match expression (all of the given terms), checking
// each flag here so that a bad value is reported with the flag's name rather than as a wire path.
import { UsageError } from '../common/errors.js';
import { parseDuration } from '../common/duration.js';
import { matchProblem } from '../api/tap-rules.js';
import type { Match } from '../api/gen/tap.js';
import type { ResourceRef } from './resource.js';

export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

/** `5xx` (any class 1xx–5xx), `503`, or an inclusive range `500-504`. */
export function parseStatusFilter(text: string): StatusRange {
  const t = text.trim().toLowerCase();
  const cls = /^([1-5])xx$/.exec(t);
  if (cls) {
    const base = Number(cls[1]) * 100;
    return { min: base, max: base + 99 };
  }
  const range = /^(\d{3})(?:-(\d{3}))?$/.exec(t);
  if (range) {
    const min = Number(range[1]);
    const max = range[2] === undefined ? min : Number(range[2]);
    if (min >= 100 && max <= 599 && min <= max) return { min, max };
  }
  throw new UsageError(
    'MESH_BAD_STATUS',
    `invalid --status "${text}"`,
    'expected a class (5xx, 4xx), a code (503) or a range (500-504)',
  );
}

export function parseMinLatency(text: string): number {
  const ms = parseDuration(text, '--min-latency');
  if (ms < 0 || ms > 3_600_000) {
    throw new UsageError('MESH_BAD_LATENCY', `invalid --min-latency "${text}": expected 0 to 1h`);
  }
  return Math.round(ms);
}

/** Most requests per second a tap may ask for (the TapAPI's own bound). */
export const MAX_TAP_RPS = 10_000;

export function parseMaxRps(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_TAP_RPS) {
    throw new UsageError(
      'MESH_BAD_NUMBER',
      `invalid --max-rps "${text}": expected a number above 0, at most ${MAX_TAP_RPS}`,
    );
  }
  return n;
}

export interface TapFilter {
  readonly to?: ResourceRef | undefined;
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  readonly authority?: string | undefined;
  readonly scheme?: string | undefined;
  readonly status?: StatusRange | undefined;
  readonly minLatencyMs?: number | undefined;
}

const label = (key: string, value: string): Match => ({ destinationLabel: { key, value } });
const http = (h: NonNullable<Match['http']>): Match => ({ http: h });

/** Where `--to` points, as destination terms: labels of the endpoint (or the request's authority). */
function destinationTerms(to: ResourceRef): Match[] {
  switch (to.kind) {
    case 'namespace':
      return [label('namespace', to.name)];
    case 'authority':
      return to.name === '' ? [] : [http({ authority: to.name })];
    default: {
      const terms = [label('namespace', to.namespace)];
      if (to.name !== '') terms.push(label(to.kind, to.name));
      return terms;
    }
  }
}

/** The Match for the flags, or undefined when no flag filters (every request of the target). */
export function buildTapMatch(f: TapFilter): Match | undefined {
  const terms: Match[] = [];
  if (f.to !== undefined) terms.push(...destinationTerms(f.to));
  if (f.scheme !== undefined) terms.push(http({ scheme: f.scheme }));
  if (f.method !== undefined) terms.push(http({ method: f.method.toUpperCase() }));
  if (f.authority !== undefined) terms.push(http({ authority: f.authority }));
  if (f.path !== undefined) {
    if (!f.path.startsWith('/')) {
      throw new UsageError('MESH_BAD_PATH', `invalid --path "${f.path}": a path prefix starts with /`);
    }
    terms.push(http({ pathPrefix: f.path }));
  }
  if (f.status !== undefined || f.minLatencyMs !== undefined) {
    terms.push({
      response: {
        statusMin: f.status?.min ?? 0,
        statusMax: f.status?.max ?? 0,
        minLatencyMs: f.minLatencyMs ?? 0,
        hasGrpcStatus: false,
        grpcStatus: 0,
      },
    });
  }
  if (terms.length === 0) return undefined;
  const match: Match = terms.length === 1 ? (terms[0] as Match) : { all: { matches: terms } };
  const problem = matchProblem(match);
  if (problem !== undefined) {
    // The wire path names the part; map it back to the flag that set it.
    const flag = /\.method/.test(problem)
      ? '--method'
      : /\.authority/.test(problem)
        ? '--authority'
        : /\.path_prefix/.test(problem)
          ? '--path'
          : 'filter';
    throw new UsageError('MESH_BAD_FILTER', `invalid ${flag}: ${problem}`);
  }
  return match;
}
