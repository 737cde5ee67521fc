// The tap tail as pure data: tap records folded into display lines, kept in a ring of fixed capacity, with a
// bounded table of requests in flight so response lines can name the request they answer. Folding takes a
// batch (one per render tick), so memory and work stay bounded however fast events arrive.
import type { TapDirection, TapRecord } from '../model.js';

export type TapLineKind = 'req' | 'rsp' | 'end';

export interface TapLine {
  /** Position in the stream since the tail started; increases by one per line. */
  readonly seq: number;
  readonly at: number;
  readonly kind: TapLineKind;
  readonly id: string;
  readonly proxy: string;
  readonly direction: TapDirection;
  readonly tls: boolean;
  readonly sourceWorkload: string;
  readonly destinationWorkload: string;
  /** Request facts; empty when the request started before the tap did (or was evicted from the table). */
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly route: string;
  /** HTTP status, on rsp and end lines once known. */
  readonly status: number | null;
  /** rsp: time to the response's start; end: time to its end. */
  readonly latencyMs: number | null;
  readonly grpcStatus: number | null;
  /** Only on end lines: whether the request counts as failed (5xx, failing gRPC status, reset). */
  readonly failure: boolean | null;
}

interface RequestFacts {
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly route: string;
  readonly status: number | null;
}

export interface TapLog {
  readonly lines: readonly TapLine[];
  /** Requests started but not yet ended, by record id (insertion order = age). */
  readonly inflight: ReadonlyMap<string, RequestFacts>;
  readonly nextSeq: number;
  /** Records folded since the tail started. */
  readonly received: number;
  /** Records the feeder had to drop before folding (it fell behind). */
  readonly dropped: number;
}

export interface TapLogLimits {
  /** Lines kept for display. */
  readonly capacity: number;
  /** Requests in flight remembered; the oldest are forgotten first. */
  readonly inflightCapacity: number;
}

export const DEFAULT_TAP_LIMITS: TapLogLimits = { capacity: 200, inflightCapacity: 2048 };

export const EMPTY_TAP_LOG: TapLog = { lines: [], inflight: new Map(), nextSeq: 0, received: 0, dropped: 0 };

// Linkerd's classification: these gRPC statuses are failures whatever the HTTP status.
const FAILING_GRPC = new Set([2, 4, 13, 14, 15]);

const UNKNOWN_REQUEST: RequestFacts = { method: '', authority: '', path: '', route: '', status: null };

/** Folds a batch of records into the log; returns a new log and leaves the old one untouched. */
export function foldTapRecords(
  log: TapLog,
  records: readonly TapRecord[],
  limits: TapLogLimits = DEFAULT_TAP_LIMITS,
  dropped = 0,
): TapLog {
  if (records.length === 0 && dropped === 0) return log;
  const inflight = new Map(log.inflight);
  // Only the newest `capacity` records can still be visible, but every record must pass through the
  // in-flight table so that later responses find their request.
  const firstShown = Math.max(0, records.length - limits.capacity);
  const fresh: TapLine[] = [];
  let seq = log.nextSeq;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as TapRecord;
    const line = foldOne(inflight, r, seq, limits.inflightCapacity);
    seq++;
    if (i >= firstShown) fresh.push(line);
  }
  const keep = Math.max(0, limits.capacity - fresh.length);
  const lines = keep === 0 ? fresh : [...log.lines.slice(Math.max(0, log.lines.length - keep)), ...fresh];
  return {
    lines,
    inflight,
    nextSeq: seq,
    received: log.received + records.length,
    dropped: log.dropped + dropped,
  };
}

function foldOne(
  inflight: Map<string, RequestFacts>,
  r: TapRecord,
  seq: number,
  maxInflight: number,
): TapLine {
  const common = {
    seq,
    at: r.at,
    id: r.id,
    proxy: r.proxy,
    direction: r.direction,
    tls: r.tls,
    sourceWorkload: r.sourceWorkload,
    destinationWorkload: r.destinationWorkload,
  };
  switch (r.kind) {
    case 'request': {
      const facts: RequestFacts = {
        method: r.method,
        authority: r.authority,
        path: r.path,
        route: r.route,
        status: null,
      };
      inflight.delete(r.id);
      inflight.set(r.id, facts);
      // A request whose end never arrives (tap closed, proxy died) must not stay forever.
      while (inflight.size > maxInflight) {
        const oldest = inflight.keys().next();
        if (oldest.done === true) break;
        inflight.delete(oldest.value);
      }
      return { ...common, kind: 'req', ...facts, latencyMs: null, grpcStatus: null, failure: null };
    }
    case 'response': {
      const facts = inflight.get(r.id);
      if (facts) inflight.set(r.id, { ...facts, status: r.status });
      return {
        ...common,
        kind: 'rsp',
        ...(facts ?? UNKNOWN_REQUEST),
        status: r.status,
        latencyMs: r.sinceRequestMs,
        grpcStatus: null,
        failure: null,
      };
    }
    case 'end': {
      const facts = inflight.get(r.id) ?? UNKNOWN_REQUEST;
      inflight.delete(r.id);
      const failure =
        r.resetErrorCode !== 0 ||
        (facts.status !== null && facts.status >= 500) ||
        (r.grpcStatus !== null && FAILING_GRPC.has(r.grpcStatus));
      return {
        ...common,
        kind: 'end',
        ...facts,
        latencyMs: r.durationMs,
        grpcStatus: r.grpcStatus,
        failure,
      };
    }
  }
}
