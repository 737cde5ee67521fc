// The rules of the tap contract that both sides enforce: what makes a Match or a list of header names valid,
// the bounds on their size, and which headers are always redacted. The proxy evaluates matches and the
// TapAPI rejects bad ones before fanning out; both read the rules from here so they cannot disagree.
import net from 'node:net';
import type { Match } from './gen/tap.js';

/** Nesting depth and node count a match may have: it runs on every tapped request, so its cost is bounded. */
export const MAX_MATCH_DEPTH = 16;
export const MAX_MATCH_NODES = 256;
export const MAX_MATCH_TEXT = 2048;
export const MAX_REDACT_HEADERS = 64;

/** Headers whose values never leave the proxy, whatever the caller asks. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
];
export const REDACTED_VALUE = '[REDACTED]';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Describes what is wrong with `match` (with the path to the bad part), or undefined when it is valid. */
export function matchProblem(match: Match | undefined): string | undefined {
  if (match === undefined || isEmpty(match)) return undefined;
  const budget = { nodes: 0 };
  return check(match, 'match', 1, budget);
}

function isEmpty(m: Match): boolean {
  return (
    m.all === undefined &&
    m.any === undefined &&
    m.not === undefined &&
    m.source === undefined &&
    m.destination === undefined &&
    m.http === undefined &&
    m.destinationLabel === undefined &&
    m.response === undefined
  );
}

function check(m: Match, path: string, depth: number, budget: { nodes: number }): string | undefined {
  if (depth > MAX_MATCH_DEPTH) return `${path}: nested deeper than ${MAX_MATCH_DEPTH} levels`;
  if (++budget.nodes > MAX_MATCH_NODES) return `${path}: more than ${MAX_MATCH_NODES} match terms`;
  const set = [
    m.all && 'all',
    m.any && 'any',
    m.not && 'not',
    m.source && 'source',
    m.destination && 'destination',
    m.http && 'http',
    m.destinationLabel && 'destination_label',
    m.response && 'response',
  ].filter((k): k is string => typeof k === 'string');
  if (set.length === 0)
    return `${path}: empty match (set one of all, any, not, source, destination, http, …)`;
  if (set.length > 1) return `${path}: sets ${set.join(' and ')}; a match is exactly one of them`;
  const seq = m.all ?? m.any;
  if (seq !== undefined) {
    const key = m.all ? 'all' : 'any';
    for (const [i, sub] of seq.matches.entries()) {
      const problem = check(sub, `${path}.${key}[${i}]`, depth + 1, budget);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (m.not !== undefined) return check(m.not, `${path}.not`, depth + 1, budget);
  const tcp = m.source ?? m.destination;
  if (tcp !== undefined) {
    const where = `${path}.${m.source ? 'source' : 'destination'}`;
    if (tcp.ip !== '' && net.isIP(tcp.ip) === 0) return `${where}.ip: not an IP address`;
    if (!Number.isInteger(tcp.port) || tcp.port < 0 || tcp.port > 65535) return `${where}.port: out of range`;
    return undefined;
  }
  if (m.http !== undefined) return httpProblem(m.http, `${path}.http`);
  if (m.destinationLabel !== undefined) {
    const { key, value } = m.destinationLabel;
    if (key === '') return `${path}.destination_label.key: empty`;
    if (key.length > MAX_MATCH_TEXT || value.length > MAX_MATCH_TEXT) {
      return `${path}.destination_label: longer than ${MAX_MATCH_TEXT} characters`;
    }
    return undefined;
  }
  const r = m.response;
  if (r !== undefined) {
    const where = `${path}.response`;
    if (r.statusMin > 999 || r.statusMax > 999) return `${where}: HTTP status above 999`;
    if (r.statusMax !== 0 && r.statusMin > r.statusMax) return `${where}: status_min above status_max`;
    if (!Number.isSafeInteger(r.minLatencyMs) || r.minLatencyMs < 0)
      return `${where}.min_latency_ms: bad value`;
    if (r.hasGrpcStatus && r.grpcStatus > 1000) return `${where}.grpc_status: above 1000`;
  }
  return undefined;
}

function httpProblem(h: NonNullable<Match['http']>, where: string): string | undefined {
  const set = (['scheme', 'method', 'authority', 'pathPrefix', 'route'] as const).filter(
    (k) => h[k] !== undefined,
  );
  if (set.length !== 1) return `${where}: set exactly one of scheme, method, authority, path_prefix, route`;
  const key = set[0] as (typeof set)[number];
  const value = h[key] as string;
  if (value === '') return `${where}.${key}: empty`;
  if (value.length > MAX_MATCH_TEXT) return `${where}.${key}: longer than ${MAX_MATCH_TEXT} characters`;
  if (key === 'method' && !TOKEN.test(value)) return `${where}.method: not an HTTP method`;
  if (key === 'authority' && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/.test(value)) {
    return `${where}.authority: expected host or host:port`;
  }
  return undefined;
}

/**
 * The header names whose values are redacted: the defaults plus `extra`, lower-cased. Throws a RangeError
 * naming the bad entry when one is not a header name or there are too many.
 */
export function redactedHeaderSet(extra: readonly string[]): ReadonlySet<string> {
  if (extra.length > MAX_REDACT_HEADERS) {
    throw new RangeError(`redact_headers: more than ${MAX_REDACT_HEADERS} names`);
  }
  const names = new Set(DEFAULT_REDACTED_HEADERS);
  for (const [i, name] of extra.entries()) {
    if (name.length > 256 || !TOKEN.test(name)) {
      throw new RangeError(`redact_headers[${i}]: not a header name`);
    }
    names.add(name.toLowerCase());
  }
  return names;
}
