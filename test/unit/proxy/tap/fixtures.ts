// Request descriptions for tap unit tests: a plausible outbound GET that each test varies.
import type { TapRequestInfo } from '../../../../src/proxy/tap/hook.js';

export function requestInfo(over: Partial<TapRequestInfo> = {}): TapRequestInfo {
  return {
    direction: 'outbound',
    sourceIp: '127.0.0.1',
    sourcePort: 50000,
    destinationIp: '10.0.0.2',
    destinationPort: 4143,
    destinationLabels: { dst_workload: 'web', dst_namespace: 'demo', dst_pod: 'web-0' },
    tls: false,
    clientIdentity: undefined,
    serverIdentity: undefined,
    method: 'GET',
    scheme: 'http',
    authority: 'web.demo:80',
    path: '/books/12?x=1',
    route: 'GET /books/{id}',
    headers: { accept: '*/*' },
    ...over,
  };
}
