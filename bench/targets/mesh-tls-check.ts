// Proof that the sidecar pair runs the way its label says: one request per protocol through the client
// proxy, then the proxies' own request_total series must carry tls="true" (with the peer's identity) for
// mTLS, or tls="false" for the plaintext pair. A pair that silently fell back would measure the wrong thing.
import { http } from '../../src/common/node-http.js';
import http2 from 'node:http2';
import { grpcFrame } from '../loadgen/h2-transport.js';
import { GRPC_ECHO_PATH, SMALL_PATH } from '../origin/contract.js';
import { AUTHORITY } from './target.js';

type PairProtocol = 'h1' | 'h2' | 'grpc';

export interface RequestSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** request_total series from Prometheus text (label values here never contain quotes or commas). */
export function requestTotals(metricsText: string): RequestSeries[] {
  const out: RequestSeries[] = [];
  for (const line of metricsText.split('\n')) {
    const m = /^request_total\{(.*)\} (\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[k as string] = v as string;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

function probeH1(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: SMALL_PATH, headers: { host: AUTHORITY.h1 }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function probeH2(port: number, grpc: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const headers = grpc
      ? {
          ':method': 'POST',
          ':path': GRPC_ECHO_PATH,
          ':authority': AUTHORITY.grpc,
          'content-type': 'application/grpc',
          te: 'trailers',
        }
      : { ':method': 'GET', ':path': SMALL_PATH, ':authority': AUTHORITY.h2 };
    const stream = session.request(headers, { endStream: !grpc });
    stream.setTimeout(10_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    let status = 0;
    let grpcStatus: string | undefined;
    stream.on('response', (h) => {
      status = Number(h[':status']);
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
    });
    stream.on('trailers', (t: http2.IncomingHttpHeaders) => (grpcStatus = String(t['grpc-status'])));
    stream.on('error', reject);
    stream.resume();
    stream.on('close', () => {
      session.close();
      resolve(grpc && grpcStatus !== '0' ? -1 : status);
    });
    if (grpc) stream.end(grpcFrame(Buffer.from('probe')));
  });
}

async function metrics(admin: string): Promise<RequestSeries[]> {
  const res = await fetch(`http://${admin}/metrics`, { signal: AbortSignal.timeout(5000) });
  return requestTotals(await res.text());
}

export interface PairProxies {
  readonly clientOutboundPort: number;
  readonly clientAdmin: string;
  /** Admin address of the server proxy for each protocol. */
  readonly serverAdmins: Readonly<Record<PairProtocol, string>>;
  /** Expected identities when mTLS is on. */
  readonly clientId?: string;
  readonly serverIds?: Readonly<Record<PairProtocol, string>>;
}

/**
 * Sends one request per protocol through the pair and checks both sides' request_total series. Throws with
 * the offending series when a request fails or a series has the wrong tls label or peer identity. Returns a
 * one-line summary for the report.
 */
export async function confirmPairTls(pair: PairProxies, mtls: boolean): Promise<string> {
  const protocols: readonly PairProtocol[] = ['h1', 'h2', 'grpc'];
  for (const proto of protocols) {
    const status =
      proto === 'h1'
        ? await probeH1(pair.clientOutboundPort)
        : await probeH2(pair.clientOutboundPort, proto === 'grpc');
    if (status !== 200) throw new Error(`sidecar pair: a probe ${proto} request failed (status ${status})`);
  }
  const want = mtls ? 'true' : 'false';
  const problems: string[] = [];
  const show = (s: RequestSeries): string =>
    `{${Object.entries(s.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}} ${s.value}`;
  const outbound = (await metrics(pair.clientAdmin)).filter((s) => s.labels['direction'] === 'outbound');
  for (const proto of protocols) {
    const authority = `${AUTHORITY[proto]}:80`;
    const mine = outbound.filter((s) => s.labels['authority'] === authority && s.value > 0);
    if (mine.length === 0) problems.push(`client proxy: no outbound request_total for ${authority}`);
    for (const s of mine) {
      if (s.labels['tls'] !== want)
        problems.push(`client proxy: outbound series with tls≠"${want}": ${show(s)}`);
      const serverId = pair.serverIds?.[proto];
      if (mtls && serverId !== undefined && s.labels['server_id'] !== serverId)
        problems.push(`client proxy: outbound series without server_id="${serverId}": ${show(s)}`);
    }
    const inbound = (await metrics(pair.serverAdmins[proto])).filter(
      (s) => s.labels['direction'] === 'inbound' && s.value > 0,
    );
    if (inbound.length === 0) problems.push(`server proxy (${proto}): no inbound request_total`);
    for (const s of inbound) {
      if (s.labels['tls'] !== want)
        problems.push(`server proxy (${proto}): inbound series with tls≠"${want}": ${show(s)}`);
      if (mtls && pair.clientId !== undefined && s.labels['client_id'] !== pair.clientId)
        problems.push(
          `server proxy (${proto}): inbound series without client_id="${pair.clientId}": ${show(s)}`,
        );
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `sidecar pair is not running ${mtls ? 'with mesh mTLS' : 'in plaintext'} as its label would claim:\n  ${problems.join('\n  ')}`,
    );
  }
  return mtls
    ? `checked before the runs: h1, h2 and gRPC probes crossed the pair with tls="true" on both sides (server_id and client_id verified)`
    : `checked before the runs: h1, h2 and gRPC probes crossed the pair with tls="false" (plaintext, --no-mtls)`;
}
