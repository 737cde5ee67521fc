// `stat` rows: the Metrics API's answer as documented JSON (camelCase, numbers, null for no data), and the
// linkerd-style table drawn from that same JSON, so that the two can never disagree.
import type { StatResponse } from '../../api/gen/metrics.js';
import {
  formatBytesRate,
  formatCount,
  formatLatency,
  formatPercent,
  formatRps,
  formatShare,
  NO_DATA,
} from '../metric-format.js';
import { type Column, renderTable } from '../output.js';
import { kindOf } from '../resource.js';

export interface StatJsonRow {
  namespace: string;
  kind: string;
  name: string;
  /** Meshed and running instances; null for services and authorities, which have none of their own. */
  meshedPods: number | null;
  runningPods: number | null;
  /** Responses completed in the window. */
  requests: number;
  /** 0..1; null without responses in the window. */
  successRate: number | null;
  rps: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  tcpOpenConnections: number;
  /** 0..1 of requests over mesh mTLS; null without requests. */
  tlsShare: number | null;
  readBytesPerSecond: number;
  writeBytesPerSecond: number;
}

const orNull = (x: number | undefined): number | null => (x === undefined ? null : x);
const PODLESS = new Set(['service', 'authority']);

export function statJsonRows(res: StatResponse): StatJsonRow[] {
  return res.rows
    .map((r): StatJsonRow => {
      const kind = kindOf(r.resource?.type ?? '');
      const podless = PODLESS.has(kind);
      return {
        namespace: r.resource?.namespace ?? '',
        kind,
        name: r.resource?.name ?? '',
        meshedPods: podless ? null : r.meshedPods,
        runningPods: podless ? null : r.runningPods,
        requests: r.requests,
        successRate: orNull(r.successRate),
        rps: r.rps,
        latencyP50Ms: orNull(r.latencyP50Ms),
        latencyP95Ms: orNull(r.latencyP95Ms),
        latencyP99Ms: orNull(r.latencyP99Ms),
        tcpOpenConnections: r.tcpOpenConnections,
        tlsShare: orNull(r.tlsShare),
        readBytesPerSecond: r.readBytesPerSecond,
        writeBytesPerSecond: r.writeBytesPerSecond,
      };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** True when the resource saw nothing in the window: every metric cell of its row prints `-`. */
export function noTraffic(row: StatJsonRow): boolean {
  return row.requests === 0 && row.successRate === null && row.rps === 0 && row.tcpOpenConnections === 0;
}

export function statTable(
  rows: readonly StatJsonRow[],
  options: { wide?: boolean; allNamespaces?: boolean } = {},
): string {
  const idle = (f: (r: StatJsonRow) => string) => (r: StatJsonRow) => (noTraffic(r) ? NO_DATA : f(r));
  const columns: Column<StatJsonRow>[] = [
    ...(options.allNamespaces ? [{ header: 'NAMESPACE', value: (r: StatJsonRow) => r.namespace }] : []),
    { header: 'NAME', value: (r) => r.name },
    {
      header: 'MESHED',
      align: 'right',
      value: (r) => (r.meshedPods === null ? NO_DATA : `${r.meshedPods}/${r.runningPods ?? 0}`),
    },
    { header: 'SUCCESS', align: 'right', value: (r) => formatPercent(r.successRate) },
    { header: 'RPS', align: 'right', value: idle((r) => formatRps(r.rps)) },
    { header: 'LATENCY_P50', align: 'right', value: (r) => formatLatency(r.latencyP50Ms) },
    { header: 'LATENCY_P95', align: 'right', value: (r) => formatLatency(r.latencyP95Ms) },
    { header: 'LATENCY_P99', align: 'right', value: (r) => formatLatency(r.latencyP99Ms) },
    { header: 'TCP_CONN', align: 'right', value: idle((r) => formatCount(r.tcpOpenConnections)) },
  ];
  if (options.wide) {
    columns.push(
      { header: 'TLS', align: 'right', value: (r) => formatShare(r.tlsShare) },
      { header: 'READ_BYTES/SEC', align: 'right', value: idle((r) => formatBytesRate(r.readBytesPerSecond)) },
      {
        header: 'WRITE_BYTES/SEC',
        align: 'right',
        value: idle((r) => formatBytesRate(r.writeBytesPerSecond)),
      },
    );
  }
  return renderTable(columns, rows);
}
