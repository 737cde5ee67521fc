import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { LATENCY_BUCKETS_MS } from '../../../../src/proxy/metrics/histogram.js';
import {
  NO_GRPC_STATUS,
  OTHER_LABEL,
  ProxyMetrics,
  RouteSeries,
  type TcpSeries,
} from '../../../../src/proxy/metrics/proxy-metrics.js';
import { waitFor } from '../../../helpers/wait.js';
import { bucketsOf, parseExposition, samples, valueOf, type Family } from './exposition.js';

const LIMITS = { authorityLimit: 100, routeLimit: 100 };
const WEB = { direction: 'outbound', authority: 'web.ns.svc:80', target_addr: '10.0.0.1:80', tls: 'true' };

function scrape(m: ProxyMetrics): Map<string, Family> {
  return parseExposition(m.render());
}

test('counts responses by status, classification and grpc_status exactly', () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.http('outbound', WEB.authority, WEB.target_addr, WEB.tls);
  s.requests += 9;
  s.recordResponse(200, NO_GRPC_STATUS, false, 3);
  s.recordResponse(200, NO_GRPC_STATUS, false, 12);
  s.recordResponse(200, NO_GRPC_STATUS, false, 1);
  s.recordResponse(500, NO_GRPC_STATUS, true, 40);
  s.recordResponse(500, NO_GRPC_STATUS, true, 60);
  s.recordResponse(200, NO_GRPC_STATUS, true, 2); // e.g. a reset body: failure despite the status
  s.recordResponse(200, 0, false, 5);
  s.recordResponse(200, 14, true, 7000);
  s.recordResponse(200, 14, true, 8000);
  const p = scrape(m);
  assert.equal(valueOf(p, 'request_total', WEB), 9);
  const responses = samples(p, 'response_total');
  assert.equal(responses.length, 5);
  const ok = { ...WEB, status_code: '200', classification: 'success' };
  assert.equal(valueOf(p, 'response_total', ok), 3);
  assert.equal(valueOf(p, 'response_total', { ...WEB, status_code: '500', classification: 'failure' }), 2);
  assert.equal(valueOf(p, 'response_total', { ...WEB, status_code: '200', classification: 'failure' }), 1);
  assert.equal(valueOf(p, 'response_total', { ...ok, grpc_status: '0' }), 1);
  assert.equal(
    valueOf(p, 'response_total', {
      ...WEB,
      status_code: '200',
      classification: 'failure',
      grpc_status: '14',
    }),
    2,
  );
  // Latency is split by status_code only: one histogram per status, fed by every combination with it.
  const latency = samples(p, 'response_latency_ms_count');
  assert.equal(latency.length, 2);
  assert.equal(valueOf(p, 'response_latency_ms_count', { ...WEB, status_code: '200' }), 7);
  assert.equal(valueOf(p, 'response_latency_ms_count', { ...WEB, status_code: '500' }), 2);
  assert.equal(valueOf(p, 'response_latency_ms_sum', { ...WEB, status_code: '500' }), 100);
  const b200 = bucketsOf(p, 'response_latency_ms', { ...WEB, status_code: '200' });
  assert.equal(b200.get('1'), 1);
  assert.equal(b200.get('5'), 4);
  assert.equal(b200.get('20'), 5);
  assert.equal(b200.get('10000'), 7);
  assert.equal(b200.get('+Inf'), 7);
  assert.deepEqual([...b200.keys()], [...LATENCY_BUCKETS_MS.map(String), '+Inf']);
});

test('renders the exact Linkerd-style lines, labels in the documented order', () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.http('inbound', 'api:8080', '127.0.0.1:8080', 'no_identity', {
    dst_ns: 'shop',
    server_id: 'x',
  });
  assert.equal(
    s.labels,
    'direction="inbound",authority="api:8080",target_addr="127.0.0.1:8080",tls="no_identity",dst_ns="shop",server_id="x"',
  );
  s.requests++;
  s.recordResponse(503, 14, true, 0.5);
  const text = m.render();
  assert.ok(text.includes(`\nrequest_total{${s.labels}} 1\n`), text);
  assert.ok(
    text.includes(
      `\nresponse_total{${s.labels},status_code="503",classification="failure",grpc_status="14"} 1\n`,
    ),
  );
  assert.ok(text.includes(`\nresponse_latency_ms_bucket{${s.labels},status_code="503",le="1"} 1\n`));
  assert.ok(text.includes('# TYPE response_latency_ms histogram\n'));
  assert.ok(text.startsWith('# HELP request_total '));
});

test('recordResponse creates a sub-series only for a new combination', () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.http('outbound', 'a', 'b', 'true');
  for (let i = 0; i < 1000; i++) s.recordResponse(200 + (i % 2) * 300, NO_GRPC_STATUS, i % 2 === 1, i);
  assert.equal(s.responses.size, 2);
  assert.equal(s.latencies.size, 2);
  const first = s.responses.get([...s.responses.keys()][0]!);
  s.recordResponse(200, NO_GRPC_STATUS, false, 1);
  assert.equal(s.responses.get([...s.responses.keys()][0]!), first);
  assert.equal(first?.count, 501);
});

test('keeps every status × grpc_status × classification combination apart', () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.http('outbound', 'a', 'b', 'true');
  const expected = new Map<string, number>();
  let n = 0;
  for (let status = 100; status < 600; status += 1) {
    for (let grpc = NO_GRPC_STATUS; grpc <= 16; grpc++) {
      for (const failure of [false, true]) {
        const times = (n++ % 3) + 1;
        for (let i = 0; i < times; i++) s.recordResponse(status, grpc, failure, 1);
        const grpcLabel = grpc === NO_GRPC_STATUS ? '' : `,grpc_status="${grpc}"`;
        expected.set(`${status},${failure ? 'failure' : 'success'}${grpcLabel}`, times);
      }
    }
  }
  const p = scrape(m);
  const got = new Map(
    samples(p, 'response_total').map((x) => {
      const grpcLabel = x.labels.grpc_status === undefined ? '' : `,grpc_status="${x.labels.grpc_status}"`;
      return [`${x.labels.status_code},${x.labels.classification}${grpcLabel}`, x.value] as const;
    }),
  );
  assert.equal(got.size, 500 * 18 * 2);
  assert.deepEqual(got, expected);
  assert.equal(samples(p, 'response_latency_ms_count').length, 500);
});

test('folds out-of-range statuses so a peer cannot mint series', () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.http('outbound', 'a', 'b', 'true');
  for (let g = 17; g < 1000; g++) s.recordResponse(200, g, true, 1);
  s.recordResponse(200, -7, true, 1);
  s.recordResponse(200, Number.NaN, true, 1);
  s.recordResponse(Number.NaN, NO_GRPC_STATUS, true, 1);
  s.recordResponse(1e9, NO_GRPC_STATUS, true, 1);
  const p = scrape(m);
  const base = { direction: 'outbound', authority: 'a', target_addr: 'b', tls: 'true' };
  assert.equal(
    valueOf(p, 'response_total', {
      ...base,
      status_code: '200',
      classification: 'failure',
      grpc_status: '2',
    }),
    985,
  );
  assert.equal(valueOf(p, 'response_total', { ...base, status_code: '0', classification: 'failure' }), 2);
  assert.equal(samples(p, 'response_total').length, 2);
});

test('returns the same series object for the same labels, another for different ones', () => {
  const m = new ProxyMetrics(LIMITS);
  const a = m.http('outbound', 'web', '10.0.0.1:80', 'true', { dst_pod: 'p1' });
  assert.equal(m.http('outbound', 'web', '10.0.0.1:80', 'true', { dst_pod: 'p1' }), a);
  assert.notEqual(m.http('outbound', 'web', '10.0.0.1:80', 'true', { dst_pod: 'p2' }), a);
  assert.notEqual(m.http('outbound', 'web', '10.0.0.1:80', 'true'), a);
  assert.notEqual(m.http('inbound', 'web', '10.0.0.1:80', 'true', { dst_pod: 'p1' }), a);
  const r = m.route('outbound', 'web', 'GET /users/{id}');
  assert.ok(r instanceof RouteSeries);
  assert.equal(m.route('outbound', 'web', 'GET /users/{id}'), r);
  assert.notEqual(m.route('outbound', 'web', 'GET /'), r);
  const t = m.tcp('inbound', 'src', '10.0.0.1:80', 'true');
  assert.equal(m.tcp('inbound', 'src', '10.0.0.1:80', 'true'), t);
  assert.notEqual(m.tcp('inbound', 'dst', '10.0.0.1:80', 'true'), t);
});

test('an extra label cannot replace a fixed one', () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.http('outbound', 'web', 'addr', 'true', { tls: 'false', direction: 'x', dst_ns: 'n' });
  assert.equal(s.labels, 'direction="outbound",authority="web",target_addr="addr",tls="true",dst_ns="n"');
});

test('tcp: extra labels follow the fixed ones, are part of the series identity and cannot replace them', () => {
  const m = new ProxyMetrics(LIMITS);
  const plain = m.tcp('outbound', 'dst', '10.0.0.2:80', 'true');
  const a = m.tcp('outbound', 'dst', '10.0.0.2:80', 'true', { dst_workload: 'web', dst_namespace: 'demo' });
  assert.notEqual(a, plain);
  assert.equal(
    m.tcp('outbound', 'dst', '10.0.0.2:80', 'true', { dst_workload: 'web', dst_namespace: 'demo' }),
    a,
  );
  assert.notEqual(m.tcp('outbound', 'dst', '10.0.0.2:80', 'true', { dst_workload: 'api' }), a);
  assert.equal(
    a.labels,
    'direction="outbound",peer="dst",target_addr="10.0.0.2:80",tls="true",dst_workload="web",dst_namespace="demo"',
  );
  const clash = m.tcp('outbound', 'dst', 'x', 'true', { peer: 'src', tls: 'false', server_id: 'web.demo' });
  assert.equal(
    clash.labels,
    'direction="outbound",peer="dst",target_addr="x",tls="true",server_id="web.demo"',
  );
  // An empty extra set is the plain series, not a new one.
  assert.equal(m.tcp('outbound', 'dst', '10.0.0.2:80', 'true', {}), plain);
  a.opened += 2;
  a.closed += 1;
  const p = scrape(m);
  const labels = { direction: 'outbound', peer: 'dst', target_addr: '10.0.0.2:80', tls: 'true' };
  assert.equal(
    valueOf(p, 'tcp_open_connections', { ...labels, dst_workload: 'web', dst_namespace: 'demo' }),
    1,
  );
  assert.equal(valueOf(p, 'tcp_open_total', { ...labels, dst_workload: 'web', dst_namespace: 'demo' }), 2);
  assert.equal(valueOf(p, 'tcp_open_total', labels), 0);
});

test('route series use the route_* families with direction, authority and route labels', () => {
  const m = new ProxyMetrics(LIMITS);
  const r = m.route('inbound', 'api:8080', 'GET /users/{id}');
  r.requests += 2;
  r.recordResponse(200, NO_GRPC_STATUS, false, 4);
  r.recordResponse(404, NO_GRPC_STATUS, false, 1);
  const p = scrape(m);
  const labels = { direction: 'inbound', authority: 'api:8080', route: 'GET /users/{id}' };
  assert.equal(valueOf(p, 'route_request_total', labels), 2);
  assert.equal(
    valueOf(p, 'route_response_total', { ...labels, status_code: '404', classification: 'success' }),
    1,
  );
  assert.equal(valueOf(p, 'route_response_latency_ms_count', { ...labels, status_code: '200' }), 1);
  assert.equal(p.has('request_total'), false, 'no http series, so no request_total family');
});

test('bounds distinct authorities per direction, across http and route series', () => {
  const m = new ProxyMetrics({ authorityLimit: 2, routeLimit: 10 });
  assert.match(m.http('outbound', 'a', 't', 'true').labels, /authority="a"/);
  assert.match(m.route('outbound', 'b', 'GET /').labels, /authority="b"/);
  assert.match(m.http('outbound', 'c', 't', 'true').labels, /authority="\[other\]"/);
  assert.match(m.route('outbound', 'd', 'GET /').labels, /authority="\[other\]"/);
  // Known authorities keep their label; the other direction has its own budget.
  assert.match(m.route('outbound', 'a', 'GET /').labels, /authority="a"/);
  assert.match(m.http('inbound', 'c', 't', 'true').labels, /authority="c"/);
  // Everything past the bound shares one series.
  assert.equal(m.http('outbound', 'e', 't', 'true'), m.http('outbound', 'f', 't', 'true'));
  const p = scrape(m);
  const outbound = samples(p, 'request_total', { direction: 'outbound' }).map((s) => s.labels.authority);
  assert.deepEqual(outbound.sort(), ['[other]', 'a']);
  assert.equal(OTHER_LABEL, '[other]');
});

test('bounds distinct routes per (direction, authority)', () => {
  const m = new ProxyMetrics({ authorityLimit: 10, routeLimit: 2 });
  const routeOf = (d: 'inbound' | 'outbound', a: string, r: string): string | undefined =>
    /route="([^"]*)"/.exec(m.route(d, a, r).labels)?.[1];
  assert.equal(routeOf('outbound', 'web', 'GET /a'), 'GET /a');
  assert.equal(routeOf('outbound', 'web', 'GET /b'), 'GET /b');
  assert.equal(routeOf('outbound', 'web', 'GET /c'), OTHER_LABEL);
  assert.equal(routeOf('outbound', 'web', 'GET /a'), 'GET /a');
  assert.equal(routeOf('outbound', 'api', 'GET /c'), 'GET /c');
  assert.equal(routeOf('inbound', 'web', 'GET /c'), 'GET /c');
  assert.equal(m.route('outbound', 'web', 'GET /d'), m.route('outbound', 'web', 'GET /e'));
});

test('escapes caller-provided label values in the output', () => {
  const m = new ProxyMetrics(LIMITS);
  const authority = 'evil"host\\\nx';
  const route = 'GET /"quoted"\\path';
  m.http('outbound', authority, '1.2.3.4:80', 'true').requests++;
  m.route('outbound', authority, route).recordResponse(200, NO_GRPC_STATUS, false, 1);
  const p = scrape(m);
  assert.equal(valueOf(p, 'request_total', { ...WEB, authority, target_addr: '1.2.3.4:80' }), 1);
  const labels = { direction: 'outbound', authority, route, status_code: '200', classification: 'success' };
  assert.equal(valueOf(p, 'route_response_total', labels), 1);
});

test('renders nothing but process metrics before any series exists', () => {
  const p = scrape(new ProxyMetrics(LIMITS));
  assert.deepEqual(
    [...p.keys()].filter((k) => !k.startsWith('process_') && !k.startsWith('nodejs_')),
    [],
  );
});

test('families with no samples are left out', () => {
  const m = new ProxyMetrics(LIMITS);
  m.http('outbound', 'a', 'b', 'true').requests++;
  const p = scrape(m);
  assert.equal(
    valueOf(p, 'request_total', { direction: 'outbound', authority: 'a', target_addr: 'b', tls: 'true' }),
    1,
  );
  assert.equal(p.has('response_total'), false);
  assert.equal(p.has('response_latency_ms'), false);
  assert.equal(p.has('tcp_open_total'), false);
});

test('process metrics are present and plausible', () => {
  const p = scrape(new ProxyMetrics(LIMITS));
  const v = (name: string): number => valueOf(p, name);
  assert.ok(v('process_cpu_seconds_total') > 0);
  assert.equal(p.get('process_cpu_seconds_total')?.type, 'counter');
  assert.ok(v('process_resident_memory_bytes') > 1e6);
  assert.ok(v('nodejs_heap_used_bytes') > 1e5);
  const start = v('process_start_time_seconds');
  assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 5, `start ${start}`);
  assert.ok(v('nodejs_eventloop_lag_p99_ms') >= 0);
  if (process.platform === 'linux') {
    assert.ok(v('process_virtual_memory_bytes') >= v('process_resident_memory_bytes'));
    assert.ok(v('process_open_fds') > 2);
    assert.ok(v('process_max_fds') >= v('process_open_fds'));
    assert.ok(Number.isInteger(v('process_open_fds')));
  }
});

test('the event loop lag reflects a blocked loop, over the time since the previous scrape', async () => {
  const m = new ProxyMetrics(LIMITS);
  m.render(); // starts the monitor
  const lag = (): number => valueOf(scrape(m), 'nodejs_eventloop_lag_p99_ms');
  await waitFor(
    () => {
      const until = Date.now() + 60;
      while (Date.now() < until); // block the loop for 60 ms
      return new Promise<boolean>((resolve) => setTimeout(() => resolve(lag() >= 50), 30));
    },
    { what: 'a lag of 50 ms or more' },
  );
  // The block is in the past now: a later window without one reports a small lag again.
  await waitFor(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(lag() < 50), 50)), {
    what: 'the lag to drop',
    // Well under the ~1 s (100 samples) it would take a p99 over all time to forget the block.
    timeoutMs: 400,
  });
});

test('collectors write after the proxy families and before process metrics; a failing one is dropped', () => {
  const m = new ProxyMetrics(LIMITS);
  m.tcp('outbound', 'dst', 'x', 'true');
  m.addCollector((w) => {
    w.family('discovery_endpoints', 'gauge', 'Endpoints known per authority.');
    w.sample('discovery_endpoints', 'authority="web"', 3);
  });
  m.addCollector((w) => {
    w.family('broken_total', 'counter', 'never shown');
    w.sample('broken_total', '', 1);
    throw new Error('boom');
  });
  m.addCollector((w) => {
    w.family('identity_cert_expiration_timestamp_seconds', 'gauge', 'Expiry.');
    w.sample('identity_cert_expiration_timestamp_seconds', '', 1_700_000_000);
  });
  const text = m.render();
  const p = parseExposition(text);
  assert.equal(valueOf(p, 'discovery_endpoints', { authority: 'web' }), 3);
  assert.equal(valueOf(p, 'identity_cert_expiration_timestamp_seconds'), 1_700_000_000);
  assert.equal(p.has('broken_total'), false);
  assert.equal(valueOf(p, 'proxy_metrics_collector_errors_total'), 1);
  const names = [...p.keys()];
  assert.ok(names.indexOf('tcp_connection_duration_ms') < names.indexOf('discovery_endpoints'));
  assert.ok(names.indexOf('discovery_endpoints') < names.indexOf('process_cpu_seconds_total'));
  assert.equal(valueOf(scrape(m), 'proxy_metrics_collector_errors_total'), 2);
});

test('rejects negative or NaN limits', () => {
  assert.throws(() => new ProxyMetrics({ authorityLimit: -1, routeLimit: 1 }), RangeError);
  assert.throws(() => new ProxyMetrics({ authorityLimit: 1, routeLimit: Number.NaN }), RangeError);
});

/** A loopback server and a connected client, both destroyed when the test ends. */
async function socketPair(t: TestContext): Promise<{ client: net.Socket; accepted: net.Socket }> {
  const server = net.createServer();
  const sockets: net.Socket[] = [];
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const acceptedP = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  sockets.push(client);
  await once(client, 'connect');
  const [accepted] = await acceptedP;
  sockets.push(accepted);
  return { client, accepted };
}

async function received(socket: net.Socket, bytes: number): Promise<void> {
  let got = 0;
  socket.on('data', (chunk: Buffer) => (got += chunk.length));
  await waitFor(() => got >= bytes, { what: `${bytes} bytes` });
  assert.equal(got, bytes);
}

function tcpLabels(direction: string, peer: string): Record<string, string> {
  return { direction, peer, target_addr: '127.0.0.1:1', tls: 'disabled' };
}

test('tcp: counts opens, closes, live and closed bytes on real sockets', async (t) => {
  const m = new ProxyMetrics(LIMITS);
  const src: TcpSeries = m.tcp('inbound', 'src', '127.0.0.1:1', 'disabled');
  const dst: TcpSeries = m.tcp('outbound', 'dst', '127.0.0.1:1', 'disabled');
  const { client, accepted } = await socketPair(t);
  src.track(accepted); // the proxy's accepted socket: reads what the client sends
  dst.track(client); // the proxy's upstream socket: writes what it forwards
  src.track(accepted); // tracking twice counts once

  const toServer = received(accepted, 1234);
  client.write(Buffer.alloc(1234, 1));
  await toServer;
  const toClient = received(client, 567);
  accepted.write(Buffer.alloc(567, 2));
  await toClient;

  let p = scrape(m);
  const S = tcpLabels('inbound', 'src');
  const D = tcpLabels('outbound', 'dst');
  assert.equal(valueOf(p, 'tcp_open_total', S), 1);
  assert.equal(valueOf(p, 'tcp_close_total', S), 0);
  assert.equal(valueOf(p, 'tcp_open_connections', S), 1);
  assert.equal(p.get('tcp_open_connections')?.type, 'gauge');
  assert.equal(valueOf(p, 'tcp_read_bytes_total', S), 1234);
  assert.equal(valueOf(p, 'tcp_write_bytes_total', S), 567);
  assert.equal(valueOf(p, 'tcp_read_bytes_total', D), 567);
  assert.equal(valueOf(p, 'tcp_write_bytes_total', D), 1234);
  assert.equal(valueOf(p, 'tcp_connection_duration_ms_count', S), 0);

  const closed = Promise.all([once(accepted, 'close'), once(client, 'close')]);
  client.end();
  accepted.end();
  await closed;
  p = scrape(m);
  for (const [labels, read, written] of [
    [S, 1234, 567],
    [D, 567, 1234],
  ] as const) {
    assert.equal(valueOf(p, 'tcp_open_total', labels), 1);
    assert.equal(valueOf(p, 'tcp_close_total', labels), 1);
    assert.equal(valueOf(p, 'tcp_open_connections', labels), 0);
    assert.equal(valueOf(p, 'tcp_read_bytes_total', labels), read);
    assert.equal(valueOf(p, 'tcp_write_bytes_total', labels), written);
    assert.equal(valueOf(p, 'tcp_connection_duration_ms_count', labels), 1);
    assert.ok(valueOf(p, 'tcp_connection_duration_ms_sum', labels) > 0);
  }
});

test('tcp: totals add closed and live sockets of one series', async (t) => {
  const m = new ProxyMetrics(LIMITS);
  const src = m.tcp('inbound', 'src', '127.0.0.1:1', 'disabled');
  const first = await socketPair(t);
  const second = await socketPair(t);
  src.track(first.accepted);
  src.track(second.accepted);
  const a = received(first.accepted, 100);
  const b = received(second.accepted, 50);
  first.client.write(Buffer.alloc(100));
  second.client.write(Buffer.alloc(50));
  await Promise.all([a, b]);
  const closed = once(first.accepted, 'close');
  first.accepted.destroy();
  await closed;
  const later = received(second.accepted, 25);
  second.client.write(Buffer.alloc(25));
  await later;
  const p = scrape(m);
  const S = tcpLabels('inbound', 'src');
  assert.equal(valueOf(p, 'tcp_open_total', S), 2);
  assert.equal(valueOf(p, 'tcp_close_total', S), 1);
  assert.equal(valueOf(p, 'tcp_open_connections', S), 1);
  assert.equal(valueOf(p, 'tcp_read_bytes_total', S), 175);
});

test('tcp: a socket that is already closed counts as opened and closed', async () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.tcp('outbound', 'dst', '127.0.0.1:1', 'disabled');
  const socket = new net.Socket();
  socket.destroy();
  await once(socket, 'close');
  s.track(socket);
  assert.equal(s.opened, 1);
  assert.equal(s.closed, 1);
  assert.equal(s.open, 0);
});

test('tcp: byte counts a socket stops reporting keep their last known value', () => {
  const m = new ProxyMetrics(LIMITS);
  const s = m.tcp('inbound', 'src', 'x', 'true');
  // A stand-in for a destroyed TLS wrapper whose counters read undefined at close.
  const fake = new net.Socket();
  let read: number | undefined = 10;
  Object.defineProperty(fake, 'bytesRead', { get: () => read });
  Object.defineProperty(fake, 'bytesWritten', { get: () => undefined });
  s.track(fake);
  assert.equal(s.readBytes(), 10);
  assert.equal(s.writtenBytes(), 0);
  read = undefined;
  fake.emit('close', false);
  assert.equal(s.closed, 1);
  assert.equal(s.readBytes(), 10);
  fake.destroy();
});
