// The views turn API answers into the documented JSON and draw tables from that JSON only: these tests pin
// both, including how "no data" reads in each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { ProtocolHint } from '../../../src/api/gen/destination.js';
import { ProxyDirection, type TapEvent } from '../../../src/api/gen/tap.js';
import { edgeJsonRows, edgesTable } from '../../../src/cli/views/edges.js';
import { endpointJsonRow, endpointsTable } from '../../../src/cli/views/endpoints.js';
import { routeJsonRows, routesTable } from '../../../src/cli/views/routes.js';
import { statJsonRows, statTable } from '../../../src/cli/views/stat.js';
import { tapEventJson, tapEventLine } from '../../../src/cli/views/tap.js';
import { renderRows } from '../../../src/cli/output.js';

const row = (name: string, extra: Record<string, unknown> = {}) => ({
  resource: { type: 'workload', namespace: 'demo', name },
  meshedPods: 1,
  runningPods: 2,
  rps: 0,
  tcpOpenConnections: 0,
  readBytesPerSecond: 0,
  writeBytesPerSecond: 0,
  requests: 0,
  ...extra,
});

test('stat: numbers in JSON, linkerd formats in the table, "-" (not 0%) without traffic', () => {
  const res = {
    windowMs: 60_000,
    source: 'embedded',
    rows: [
      row('web', {
        successRate: 0.9,
        rps: 2,
        requests: 120,
        latencyP50Ms: 0.42,
        latencyP95Ms: 12.4,
        latencyP99Ms: 1500,
        tcpOpenConnections: 3,
        tlsShare: 1,
        readBytesPerSecond: 1500,
        writeBytesPerSecond: 12,
      }),
      row('idle'),
    ],
  };
  const rows = statJsonRows(res);
  assert.deepEqual(rows[0], {
    namespace: 'demo',
    kind: 'workload',
    name: 'idle',
    meshedPods: 1,
    runningPods: 2,
    requests: 0,
    successRate: null,
    rps: 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    latencyP99Ms: null,
    tcpOpenConnections: 0,
    tlsShare: null,
    readBytesPerSecond: 0,
    writeBytesPerSecond: 0,
  });
  assert.equal(rows[1]?.successRate, 0.9);
  assert.equal(
    statTable(rows),
    [
      'NAME   MESHED   SUCCESS      RPS   LATENCY_P50   LATENCY_P95   LATENCY_P99   TCP_CONN',
      'idle      1/2         -        -             -             -             -          -',
      'web       1/2    90.00%   2.0rps         0.4ms          12ms        1500ms          3',
      '',
    ].join('\n'),
  );
  const wide = statTable(rows, { wide: true, allNamespaces: true }).split('\n');
  assert.match(wide[0] ?? '', /^NAMESPACE {3}NAME .* TCP_CONN +TLS {3}READ_BYTES\/SEC {3}WRITE_BYTES\/SEC$/);
  assert.match(wide[2] ?? '', /^demo +web .* 3 +100% +1\.5KB\/s +12\.0B\/s$/);
  // Services have no instances of their own.
  const svc = statJsonRows({
    ...res,
    rows: [{ ...row('books'), resource: { type: 'svc', namespace: 'demo', name: 'books' } }],
  });
  assert.equal(svc[0]?.kind, 'service');
  assert.equal(svc[0]?.meshedPods, null);
  assert.match(statTable(svc), /\nbooks +- +- /);
});

test('rows render as a JSON array, JSON lines or YAML', async () => {
  const rows = [
    { a: 1, b: null },
    { a: 2, b: 'x' },
  ];
  assert.deepEqual(JSON.parse(await renderRows('json', rows, () => 'table')), rows);
  assert.deepEqual(
    (await renderRows('jsonl', rows, () => ''))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
    rows,
  );
  assert.equal(await renderRows('yaml', rows, () => ''), '- a: 1\n  b: null\n- a: 2\n  b: x\n');
  assert.equal(await renderRows('wide', rows, () => 'table'), 'table');
});

test('routes: one table, or one per resource with a heading', () => {
  const r = (name: string, route: string, extra: Record<string, unknown> = {}) => ({
    route,
    authority: 'web.demo:80',
    resource: { type: 'workload', namespace: 'demo', name },
    rps: 1,
    requests: 60,
    retriesPerSecond: 0,
    successRate: 1,
    latencyP50Ms: 5,
    latencyP95Ms: 9,
    latencyP99Ms: 10,
    ...extra,
  });
  const rows = routeJsonRows({
    windowMs: 60_000,
    source: 'embedded',
    rows: [r('web', 'GET /b'), r('web', 'GET /a')],
  });
  assert.deepEqual(
    rows.map((x) => x.route),
    ['GET /a', 'GET /b'],
  );
  assert.equal(
    routesTable(rows),
    [
      'ROUTE        SERVICE   SUCCESS      RPS   LATENCY_P50   LATENCY_P95   LATENCY_P99',
      'GET /a   web.demo:80   100.00%   1.0rps         5.0ms         9.0ms          10ms',
      'GET /b   web.demo:80   100.00%   1.0rps         5.0ms         9.0ms          10ms',
      '',
    ].join('\n'),
  );
  const two = routeJsonRows({
    windowMs: 60_000,
    source: 'embedded',
    rows: [
      r('web', 'GET /a'),
      r('books', '/books.Books/Get', {
        successRate: undefined,
        latencyP50Ms: undefined,
        latencyP95Ms: undefined,
        latencyP99Ms: undefined,
        requests: 0,
        rps: 0,
      }),
    ],
  });
  const text = routesTable(two, { wide: true });
  assert.match(
    text,
    /^==> workload\/books \(demo\) <==\nROUTE .* RETRIES\n\/books\.Books\/Get +web\.demo:80 +- +- +- +- +- +0\.0rps\n/,
  );
  assert.match(text, /\n\n==> workload\/web \(demo\) <==\n/);
  assert.equal(two[0]?.successRate, null);
});

test('edges: boolean secured in JSON, √ or × reason in the table, identities with -o wide', () => {
  const rows = edgeJsonRows({
    edges: [
      {
        src: { type: 'workload', namespace: 'demo', name: 'web' },
        dst: { type: 'workload', namespace: 'demo', name: 'books' },
        clientId: 'web.demo.serviceaccount.identity.mesh.cluster.local',
        serverId: 'books.demo.serviceaccount.identity.mesh.cluster.local',
        secured: true,
        noTlsReason: '',
      },
      {
        src: { type: 'workload', namespace: 'demo', name: 'traffic' },
        dst: { type: 'workload', namespace: 'legacy', name: 'db' },
        clientId: '',
        serverId: '',
        secured: false,
        noTlsReason: 'not_meshed',
      },
    ],
  });
  assert.deepEqual(rows[1], {
    kind: 'workload',
    src: 'web',
    srcNamespace: 'demo',
    dst: 'books',
    dstNamespace: 'demo',
    clientId: 'web.demo.serviceaccount.identity.mesh.cluster.local',
    serverId: 'books.demo.serviceaccount.identity.mesh.cluster.local',
    secured: true,
    noTlsReason: null,
  });
  assert.equal(rows[0]?.clientId, null);
  assert.equal(
    edgesTable(rows),
    [
      'SRC       DST     SRC_NS   DST_NS   SECURED',
      'traffic   db      demo     legacy   × not_meshed',
      'web       books   demo     demo     √',
      '',
    ].join('\n'),
  );
  assert.match(edgesTable(rows, { wide: true }), /CLIENT_ID +SERVER_ID +SECURED\n.* - +- +× not_meshed\n/);
  // Colour escapes do not shift the columns.
  const coloured = edgesTable(rows, { paint: (_s, t) => `\u001b[32m${t}\u001b[39m` });
  assert.equal(stripVTControlCharacters(coloured), edgesTable(rows));
  assert.notEqual(coloured, edgesTable(rows));
});

test('endpoints: identity null for unmeshed endpoints, weight 0 read as 1, protocol names', () => {
  const meshed = endpointJsonRow('web.demo:80', {
    addr: { ip: '127.0.0.1', port: 4143 },
    weight: 0,
    metricLabels: { namespace: 'demo', workload: 'web', pod: 'web-0', service: 'web', serviceaccount: 'web' },
    tlsIdentity: { dnsLikeIdentity: 'web.demo.serviceaccount.identity.mesh.cluster.local' },
    protocolHint: ProtocolHint.PROTOCOL_HINT_OPAQUE,
  });
  const plain = endpointJsonRow('web.demo:80', {
    addr: { ip: '127.0.0.1', port: 5143 },
    weight: 3,
    metricLabels: { namespace: 'demo', workload: 'web', pod: 'web-1', service: 'web' },
    tlsIdentity: undefined,
    protocolHint: ProtocolHint.PROTOCOL_HINT_UNKNOWN,
  });
  assert.equal(meshed.weight, 1);
  assert.equal(meshed.protocolHint, 'opaque');
  assert.equal(plain.identity, null);
  assert.equal(plain.protocolHint, 'detect');
  assert.equal(
    endpointsTable([meshed, plain]),
    [
      'NAMESPACE   IP          PORT   POD     SERVICE    IDENTITY',
      'demo        127.0.0.1   4143   web-0   web.demo   web.demo.serviceaccount.identity.mesh.cluster.local',
      'demo        127.0.0.1   5143   web-1   web.demo   -',
      '',
    ].join('\n'),
  );
  assert.match(
    endpointsTable([plain], { wide: true }),
    /AUTHORITY +WORKLOAD +WEIGHT +PROTOCOL\n.*web\.demo:80 +web +3 +detect\n$/,
  );
});

const envelope = {
  source: { ip: '127.0.0.1', port: 40000 },
  sourceMeta: { client_id: 'client.demo.serviceaccount.identity.mesh.cluster.local' },
  destination: { ip: '127.0.0.1', port: 8080 },
  destinationMeta: { namespace: 'demo', workload: 'web', pod: 'web-0' },
  proxyDirection: ProxyDirection.PROXY_DIRECTION_INBOUND,
  tls: true,
  timestampMs: 1_700_000_000_000,
  proxy: 'web-0',
};
const id = { base: 7, stream: 3 };

test('tap: linkerd-style req/rsp/end lines, and JSON objects per event', () => {
  const req: TapEvent = {
    ...envelope,
    requestInit: {
      id,
      method: 'GET',
      scheme: 'http',
      authority: 'web.demo:80',
      path: '/books/1',
      headers: [{ name: 'authorization', value: '[REDACTED]' }],
      route: 'GET /books/{id}',
    },
  };
  const rsp: TapEvent = {
    ...envelope,
    responseInit: { id, sinceRequestInitUs: 1504, httpStatus: 503, headers: [] },
  };
  const end: TapEvent = {
    ...envelope,
    proxyDirection: ProxyDirection.PROXY_DIRECTION_OUTBOUND,
    responseEnd: {
      id,
      sinceRequestInitUs: 1700,
      sinceResponseInitUs: 120,
      responseBytes: 1337,
      grpcStatus: 14,
      trailers: [],
      resetErrorCode: 0,
    },
  };
  const lines = [req, rsp, end].map((e) => tapEventLine(tapEventJson(e)));
  assert.deepEqual(lines, [
    'req id=7:3 proxy=in  src=127.0.0.1:40000 dst=127.0.0.1:8080 tls=true :method=GET :authority=web.demo:80 :path=/books/1',
    'rsp id=7:3 proxy=in  src=127.0.0.1:40000 dst=127.0.0.1:8080 tls=true :status=503 latency=1504µs',
    'end id=7:3 proxy=out src=127.0.0.1:40000 dst=127.0.0.1:8080 tls=true grpc-status=Unavailable duration=120µs response-length=1337B',
  ]);
  assert.equal(
    tapEventLine(tapEventJson(req), { wide: true }).split(' :path=/books/1 ')[1],
    'src_client_id=client.demo.serviceaccount.identity.mesh.cluster.local dst_namespace=demo dst_pod=web-0 dst_workload=web rt_route=GET /books/{id}',
  );
  const j = tapEventJson(req);
  assert.deepEqual(j, {
    type: 'requestInit',
    id,
    proxy: 'web-0',
    direction: 'inbound',
    tls: true,
    timestampMs: 1_700_000_000_000,
    source: { ip: '127.0.0.1', port: 40000, labels: envelope.sourceMeta },
    destination: { ip: '127.0.0.1', port: 8080, labels: envelope.destinationMeta },
    request: {
      method: 'GET',
      scheme: 'http',
      authority: 'web.demo:80',
      path: '/books/1',
      route: 'GET /books/{id}',
      headers: [{ name: 'authorization', value: '[REDACTED]' }],
    },
  });
  assert.deepEqual(tapEventJson(end).end, {
    sinceRequestInitUs: 1700,
    sinceResponseInitUs: 120,
    responseBytes: 1337,
    grpcStatus: 14,
    resetErrorCode: null,
    trailers: [],
  });
});

test('tap: control characters from requests never reach the terminal', () => {
  const evil: TapEvent = {
    ...envelope,
    requestInit: {
      id,
      method: 'GET',
      scheme: 'http',
      authority: 'a:80',
      path: '/\u001b[2J',
      headers: [],
      route: '',
    },
  };
  const line = tapEventLine(tapEventJson(evil), { wide: true });
  assert.ok(!line.includes('\u001b'));
  assert.match(line, /:path=\/\\x1b\[2J/);
});
