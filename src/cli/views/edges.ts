// `edges` rows: who talks to whom, with the identities on each side and whether the edge is mTLS, as
// documented JSON and the linkerd-style table drawn from it.
import type { EdgesResponse } from '../../api/gen/metrics.js';
import type { Paint } from '../colour.js';
import { plain } from '../colour.js';
import { NO_DATA } from '../metric-format.js';
import { type Column, renderTable } from '../output.js';
import { kindOf } from '../resource.js';

export interface EdgeJsonRow {
  /** The kind of both ends (workload or pod). */
  kind: string;
  src: string;
  srcNamespace: string;
  dst: string;
  dstNamespace: string;
  /** The client's mesh identity; null when it has none (unmeshed, or no mTLS). */
  clientId: string | null;
  serverId: string | null;
  secured: boolean;
  /** Why the edge is not mTLS (e.g. "not_meshed"); null when it is. */
  noTlsReason: string | null;
}

const orNull = (s: string): string | null => (s === '' ? null : s);

export function edgeJsonRows(res: EdgesResponse): EdgeJsonRow[] {
  return res.edges
    .map((e): EdgeJsonRow => ({
      kind: kindOf(e.src?.type || e.dst?.type || ''),
      src: e.src?.name ?? '',
      srcNamespace: e.src?.namespace ?? '',
      dst: e.dst?.name ?? '',
      dstNamespace: e.dst?.namespace ?? '',
      clientId: orNull(e.clientId),
      serverId: orNull(e.serverId),
      secured: e.secured,
      noTlsReason: e.secured ? null : (orNull(e.noTlsReason) ?? 'unknown'),
    }))
    .sort(
      (a, b) =>
        a.srcNamespace.localeCompare(b.srcNamespace) ||
        a.src.localeCompare(b.src) ||
        a.dstNamespace.localeCompare(b.dstNamespace) ||
        a.dst.localeCompare(b.dst),
    );
}

export const SECURED_MARK = '√';
export const UNSECURED_MARK = '×';

export function edgesTable(
  rows: readonly EdgeJsonRow[],
  options: { wide?: boolean; paint?: Paint } = {},
): string {
  const paint = options.paint ?? plain;
  const columns: Column<EdgeJsonRow>[] = [
    { header: 'SRC', value: (r) => r.src },
    { header: 'DST', value: (r) => r.dst },
    { header: 'SRC_NS', value: (r) => r.srcNamespace },
    { header: 'DST_NS', value: (r) => r.dstNamespace },
  ];
  if (options.wide) {
    columns.push(
      { header: 'CLIENT_ID', value: (r) => r.clientId ?? NO_DATA },
      { header: 'SERVER_ID', value: (r) => r.serverId ?? NO_DATA },
    );
  }
  columns.push({
    header: 'SECURED',
    value: (r) =>
      r.secured
        ? paint('green', SECURED_MARK)
        : paint('red', `${UNSECURED_MARK} ${r.noTlsReason ?? 'unknown'}`),
  });
  return renderTable(columns, rows);
}
