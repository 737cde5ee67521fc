// `meshctl top` without a terminal: one table snapshot (`-b`, or stdout/stdin not a TTY), or one JSON
// document per interval (`-o jsonl`) until interrupted. Loads no React or Ink.
import { renderJsonLine, renderTable, type Column } from '../cli/output.js';
import { MeshError, errorMessage } from '../common/errors.js';
import { backoffDelay } from '../proxy/balance/backoff.js';
import type { ResourceRef, StatsSnapshot } from './model.js';
import { formatLatency, formatPercent, formatRps, formatWindow } from './format.js';
import { toTableRows, type TableRow } from './state/rows.js';
import { meshTotals, sortRows } from './state/selectors.js';
import { snapshotDocument } from './snapshot-json.js';
import type { StatsQuery, StatsSource } from './sources/source.js';
import { resourceLabel } from './target.js';

export interface BatchOptions {
  readonly stats: StatsSource;
  readonly query: StatsQuery;
  readonly controlPlane: string;
  readonly format: 'table' | 'jsonl';
  /** Print one snapshot and stop (table always does). */
  readonly once: boolean;
  readonly intervalMs: number;
  readonly out: (text: string) => void;
  readonly warn: (text: string) => void;
  /** Aborted on SIGINT. */
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

export const EXIT_INTERRUPTED = 130;

class Interrupted extends Error {}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return abortable(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}

/** Runs batch mode; resolves with the exit code (0, or 130 when interrupted); rejects with a MeshError. */
export async function runBatch(o: BatchOptions): Promise<number> {
  const now = o.now ?? Date.now;
  const context = {
    controlPlane: o.controlPlane,
    target: o.query.target,
    from: o.query.from,
    to: o.query.to,
  };
  try {
    // The first answer decides: a control plane that is not there is an error for a script, not a wait.
    let snapshot = await abortable(o.stats.fetch(o.query), o.signal);
    if (o.format === 'table') {
      o.out(renderSnapshotTable(snapshot, { ...context, at: now() }));
      return 0;
    }
    o.out(renderJsonLine(snapshotDocument(snapshot, { ...context, at: now() })));
    if (o.once) return 0;
    let failures = 0;
    let next = now() + o.intervalMs;
    for (;;) {
      await sleep(Math.max(0, next - now()), o.signal);
      next += o.intervalMs;
      try {
        snapshot = await abortable(o.stats.fetch(o.query), o.signal);
      } catch (err) {
        if (err instanceof Interrupted) throw err;
        // Later failures are outages to ride out: a monitoring pipe should survive a control-plane restart.
        const delay = backoffDelay(failures++, { minMs: 500, maxMs: 10_000, jitter: 0.2 }, Math.random);
        o.warn(`warning: ${errorMessage(err)}; retrying in ${(delay / 1000).toFixed(1)}s\n`);
        next = now() + delay;
        continue;
      }
      if (failures > 0) o.warn('warning: control plane reachable again\n');
      failures = 0;
      o.out(renderJsonLine(snapshotDocument(snapshot, { ...context, at: now() })));
    }
  } catch (err) {
    if (err instanceof Interrupted) return EXIT_INTERRUPTED;
    if (err instanceof MeshError) throw err;
    throw new MeshError('MESH_CONTROL_ERROR', errorMessage(err));
  }
}

const metricColumns: Column<TableRow>[] = [
  { header: 'SUCCESS', value: (r) => formatPercent(r.successRate), align: 'right' },
  { header: 'RPS', value: (r) => formatRps(r.rps), align: 'right' },
  { header: 'LATENCY_P50', value: (r) => formatLatency(r.latencyP50Ms), align: 'right' },
  { header: 'LATENCY_P95', value: (r) => formatLatency(r.latencyP95Ms), align: 'right' },
  { header: 'LATENCY_P99', value: (r) => formatLatency(r.latencyP99Ms), align: 'right' },
];

const ROUTE_COLUMNS: Column<TableRow>[] = [
  { header: 'ROUTE', value: (r) => r.name },
  { header: 'SERVICE', value: (r) => r.secondary },
  ...metricColumns,
];

const WORKLOAD_COLUMNS: Column<TableRow>[] = [
  { header: 'NAMESPACE', value: (r) => r.namespace },
  { header: 'WORKLOAD', value: (r) => r.name },
  { header: 'MESHED', value: (r) => r.meshed ?? '-', align: 'right' },
  ...metricColumns,
];

/** A summary line for the mesh, then the rows (busiest first), as `meshctl top -b` prints them. */
export function renderSnapshotTable(
  snapshot: StatsSnapshot,
  context: { at: number; controlPlane: string; target: ResourceRef },
): string {
  const m = meshTotals(snapshot.namespaces);
  const summary =
    `${resourceLabel(context.target)}  window ${formatWindow(snapshot.windowMs)}  ` +
    `mesh: success ${formatPercent(m.successRate)}  rps ${formatRps(m.rps)}  ` +
    `p50 ≤${formatLatency(m.latencyP50MsAtMost)}  p99 ≤${formatLatency(m.latencyP99MsAtMost)}  ` +
    `tls ${formatPercent(m.tlsShare)}  meshed ${m.meshedPods}/${m.runningPods}\n\n`;
  const rows = sortRows(toTableRows(snapshot), { column: 'rps', descending: true });
  return summary + renderTable(snapshot.mode === 'route' ? ROUTE_COLUMNS : WORKLOAD_COLUMNS, rows);
}
