// Tap match expressions: compiled once per Observe stream from the wire form, then evaluated per request in
// three-valued logic, so that a request can be decided when it starts if its response cannot change the
// answer, and is otherwise held until the response is known.
//
// Semantics (also documented on `Match` in tap.proto):
// - Request terms (source, destination, http, destination_label) are known when the request starts;
//   `response` terms only when it ends. Before that a response term is UNKNOWN.
// - `all`, `any` and `not` follow Kleene's logic: all = no if any term is no, yes if every term is yes, else
//   unknown; any = yes if any term is yes, no if every term is no, else unknown; not swaps yes and no and
//   keeps unknown. `all []` is yes, `any []` is no. A missing or empty top-level match is yes.
// - At request start: no → the request is not reported; yes → it is reported live (request_init now,
//   response_init and response_end as they happen); unknown → its events are held and the whole expression
//   is evaluated again when the response has ended, with every fact known; the request is reported, all
//   events at once, only if the answer is then yes. So a response term inside `not` or `any` defers exactly
//   the requests whose outcome depends on it, and the final answer always equals evaluating the expression
//   with full knowledge.
import { matchProblem } from '../../api/tap-rules.js';
import type { Match } from '../../api/gen/tap.js';
import type { TapRequestInfo } from './hook.js';

export type Verdict = 'yes' | 'no' | 'unknown';

/** What is known about a response once it has ended. */
export interface ResponseFacts {
  /** HTTP status, 0 when no response headers were seen (reset, proxy error before a response). */
  readonly status: number;
  /** Request start to response end. */
  readonly latencyMs: number;
  readonly grpcStatus: number | undefined;
}

/** The proxy's own labels (namespace, workload, pod): for inbound requests, the destination is this proxy. */
export type ProxyLabels = Readonly<Record<string, string>>;

type Term =
  | { readonly kind: 'all' | 'any'; readonly terms: readonly Term[] }
  | { readonly kind: 'not'; readonly term: Term }
  | { readonly kind: 'source' | 'destination'; readonly ip: string; readonly port: number }
  | { readonly kind: 'scheme' | 'method' | 'path' | 'route'; readonly value: string }
  | { readonly kind: 'authority'; readonly value: string; readonly hasPort: boolean }
  | { readonly kind: 'label'; readonly key: string; readonly dstKey: string; readonly value: string }
  | {
      readonly kind: 'response';
      readonly statusMin: number;
      readonly statusMax: number;
      readonly minLatencyMs: number;
      readonly grpcStatus: number | undefined;
    };

export class MatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatchError';
  }
}

export class CompiledMatch {
  /** True when some term needs the response: only then can a request's verdict be 'unknown' at start. */
  readonly needsResponse: boolean;

  private constructor(
    private readonly root: Term | undefined,
    private readonly self: ProxyLabels,
  ) {
    this.needsResponse = root !== undefined && hasResponseTerm(root);
  }

  /** Validates and compiles a wire match; throws MatchError naming the bad part. */
  static compile(match: Match | undefined, self: ProxyLabels = {}): CompiledMatch {
    const problem = matchProblem(match);
    if (problem !== undefined) throw new MatchError(problem);
    return new CompiledMatch(match === undefined ? undefined : compileTerm(match), self);
  }

  /** The verdict with what is known: request facts always, response facts once the response has ended. */
  evaluate(req: TapRequestInfo, res?: ResponseFacts): Verdict {
    return this.root === undefined ? 'yes' : this.term(this.root, req, res);
  }

  private term(t: Term, req: TapRequestInfo, res: ResponseFacts | undefined): Verdict {
    switch (t.kind) {
      case 'all': {
        let verdict: Verdict = 'yes';
        for (const sub of t.terms) {
          const v = this.term(sub, req, res);
          if (v === 'no') return 'no';
          if (v === 'unknown') verdict = 'unknown';
        }
        return verdict;
      }
      case 'any': {
        let verdict: Verdict = 'no';
        for (const sub of t.terms) {
          const v = this.term(sub, req, res);
          if (v === 'yes') return 'yes';
          if (v === 'unknown') verdict = 'unknown';
        }
        return verdict;
      }
      case 'not': {
        const v = this.term(t.term, req, res);
        return v === 'yes' ? 'no' : v === 'no' ? 'yes' : 'unknown';
      }
      case 'source':
        return yesNo(addressMatches(t.ip, t.port, req.sourceIp, req.sourcePort));
      case 'destination':
        return yesNo(addressMatches(t.ip, t.port, req.destinationIp, req.destinationPort));
      case 'scheme':
        return yesNo(req.scheme.toLowerCase() === t.value);
      case 'method':
        return yesNo(req.method === t.value || req.method.toUpperCase() === t.value);
      case 'path':
        return yesNo(req.path.startsWith(t.value));
      case 'route':
        return yesNo(req.route === t.value);
      case 'authority':
        return yesNo(
          t.hasPort
            ? req.authority === t.value
            : req.authority.slice(0, req.authority.lastIndexOf(':')) === t.value,
        );
      case 'label': {
        const labels = req.destinationLabels;
        const v =
          labels[t.dstKey] ?? labels[t.key] ?? (req.direction === 'inbound' ? this.self[t.key] : undefined);
        return yesNo(v === t.value);
      }
      case 'response':
        return res === undefined ? 'unknown' : yesNo(responseMatches(t, res));
    }
  }
}

function yesNo(b: boolean): Verdict {
  return b ? 'yes' : 'no';
}

function compileTerm(m: Match): Term {
  if (m.all !== undefined) return { kind: 'all', terms: m.all.matches.map(compileTerm) };
  if (m.any !== undefined) return { kind: 'any', terms: m.any.matches.map(compileTerm) };
  if (m.not !== undefined) return { kind: 'not', term: compileTerm(m.not) };
  if (m.source !== undefined) return { kind: 'source', ip: normalizeIp(m.source.ip), port: m.source.port };
  if (m.destination !== undefined) {
    return { kind: 'destination', ip: normalizeIp(m.destination.ip), port: m.destination.port };
  }
  if (m.destinationLabel !== undefined) {
    const { key, value } = m.destinationLabel;
    return { kind: 'label', key, dstKey: `dst_${key}`, value };
  }
  if (m.response !== undefined) {
    const r = m.response;
    return {
      kind: 'response',
      statusMin: r.statusMin,
      statusMax: r.statusMax,
      minLatencyMs: r.minLatencyMs,
      grpcStatus: r.hasGrpcStatus ? r.grpcStatus : undefined,
    };
  }
  const h = m.http;
  if (h?.scheme !== undefined) return { kind: 'scheme', value: h.scheme.toLowerCase() };
  if (h?.method !== undefined) return { kind: 'method', value: h.method.toUpperCase() };
  if (h?.pathPrefix !== undefined) return { kind: 'path', value: h.pathPrefix };
  if (h?.route !== undefined) return { kind: 'route', value: h.route };
  if (h?.authority !== undefined) {
    const value = h.authority.toLowerCase();
    return { kind: 'authority', value, hasPort: /:\d+$/.test(value) };
  }
  // An empty top-level match (the only kind validation lets through) matches everything.
  return { kind: 'all', terms: [] };
}

function hasResponseTerm(t: Term): boolean {
  switch (t.kind) {
    case 'all':
    case 'any':
      return t.terms.some(hasResponseTerm);
    case 'not':
      return hasResponseTerm(t.term);
    case 'response':
      return true;
    default:
      return false;
  }
}

function responseMatches(t: Extract<Term, { kind: 'response' }>, res: ResponseFacts): boolean {
  if (t.statusMin !== 0 && res.status < t.statusMin) return false;
  // A response with no status (reset, proxy error) never falls inside a bounded range.
  if (t.statusMax !== 0 && (res.status === 0 || res.status > t.statusMax)) return false;
  if (res.latencyMs < t.minLatencyMs) return false;
  if (t.grpcStatus !== undefined && res.grpcStatus !== t.grpcStatus) return false;
  return true;
}

function addressMatches(ip: string, port: number, actualIp: string, actualPort: number): boolean {
  if (port !== 0 && port !== actualPort) return false;
  return ip === '' || ip === normalizeIp(actualIp);
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as dual-stack sockets report IPv4 peers) → plain IPv4; lower case. */
export function normalizeIp(ip: string): string {
  const lower = ip.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}
