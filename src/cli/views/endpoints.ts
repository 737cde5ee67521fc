// `endpoints` rows: what the Destination API says serves each authority, as documented JSON and the
// linkerd-style table drawn from it.
import { ProtocolHint, type WeightedAddr } from '../../api/gen/destination.js';
import { NO_DATA } from '../metric-format.js';
import { type Column, renderTable } from '../output.js';

export type ProtocolName = 'detect' | 'h2' | 'opaque';

export interface EndpointJsonRow {
  /** The authority asked about, normalised (host:port). */
  authority: string;
  namespace: string;
  ip: string;
  port: number;
  pod: string;
  workload: string;
  service: string;
  /** The identity the endpoint's proxy presents in mTLS; null for an unmeshed endpoint. */
  identity: string | null;
  weight: number;
  /** How callers treat its traffic: detect the protocol, HTTP/2 between proxies, or opaque TCP. */
  protocolHint: ProtocolName;
}

const PROTOCOLS: Readonly<Record<number, ProtocolName>> = {
  [ProtocolHint.PROTOCOL_HINT_UNKNOWN]: 'detect',
  [ProtocolHint.PROTOCOL_HINT_H2]: 'h2',
  [ProtocolHint.PROTOCOL_HINT_OPAQUE]: 'opaque',
};

export function endpointJsonRow(authority: string, a: WeightedAddr): EndpointJsonRow {
  const labels = a.metricLabels;
  return {
    authority,
    namespace: labels['namespace'] ?? '',
    ip: a.addr?.ip ?? '',
    port: a.addr?.port ?? 0,
    pod: labels['pod'] ?? '',
    workload: labels['workload'] ?? '',
    service: labels['service'] ?? '',
    identity: a.tlsIdentity?.dnsLikeIdentity || null,
    // The API treats 0 as 1.
    weight: a.weight === 0 ? 1 : a.weight,
    protocolHint: PROTOCOLS[a.protocolHint] ?? 'detect',
  };
}

export function sortEndpoints(rows: EndpointJsonRow[]): EndpointJsonRow[] {
  return rows.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      a.authority.localeCompare(b.authority) ||
      a.pod.localeCompare(b.pod) ||
      a.ip.localeCompare(b.ip) ||
      a.port - b.port,
  );
}

export function endpointsTable(rows: readonly EndpointJsonRow[], options: { wide?: boolean } = {}): string {
  const columns: Column<EndpointJsonRow>[] = [
    { header: 'NAMESPACE', value: (r) => r.namespace },
    { header: 'IP', value: (r) => r.ip },
    { header: 'PORT', align: 'right', value: (r) => String(r.port) },
    { header: 'POD', value: (r) => r.pod || NO_DATA },
    // linkerd's form: service.namespace.
    { header: 'SERVICE', value: (r) => (r.service ? `${r.service}.${r.namespace}` : NO_DATA) },
    { header: 'IDENTITY', value: (r) => r.identity ?? NO_DATA },
  ];
  if (options.wide) {
    columns.push(
      { header: 'AUTHORITY', value: (r) => r.authority },
      { header: 'WORKLOAD', value: (r) => r.workload || NO_DATA },
      { header: 'WEIGHT', align: 'right', value: (r) => String(r.weight) },
      { header: 'PROTOCOL', value: (r) => r.protocolHint },
    );
  }
  return renderTable(columns, rows);
}
