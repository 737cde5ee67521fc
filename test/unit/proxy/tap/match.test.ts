// Tap match expressions: every term kind, the combinators in three-valued logic, and which requests are
// decided at start versus deferred until their response is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Match } from '../../../../src/api/gen/tap.js';
import {
  CompiledMatch,
  MatchError,
  normalizeIp,
  type ResponseFacts,
} from '../../../../src/proxy/tap/match.js';
import { requestInfo } from './fixtures.js';

const ok: ResponseFacts = { status: 200, latencyMs: 5, grpcStatus: undefined };
const err500: ResponseFacts = { status: 500, latencyMs: 5, grpcStatus: undefined };
const slow: ResponseFacts = { status: 200, latencyMs: 250, grpcStatus: undefined };

const compile = (m: Match | undefined) =>
  CompiledMatch.compile(m, { namespace: 'demo', workload: 'api', pod: 'api-0' });
const all = (...matches: Match[]): Match => ({ all: { matches } });
const any = (...matches: Match[]): Match => ({ any: { matches } });
const not = (m: Match): Match => ({ not: m });
const status = (statusMin: number, statusMax: number): Match => ({
  response: { statusMin, statusMax, minLatencyMs: 0, hasGrpcStatus: false, grpcStatus: 0 },
});
const latency = (minLatencyMs: number): Match => ({
  response: { statusMin: 0, statusMax: 0, minLatencyMs, hasGrpcStatus: false, grpcStatus: 0 },
});
const method = (m: string): Match => ({ http: { method: m } });

test('no match, or an empty one, matches every request at start', () => {
  assert.equal(compile(undefined).evaluate(requestInfo()), 'yes');
  assert.equal(compile({}).evaluate(requestInfo()), 'yes');
  assert.equal(compile(undefined).needsResponse, false);
});

test('http terms: scheme, method, authority (with and without port), path prefix, route', () => {
  const req = requestInfo();
  const cases: [Match, 'yes' | 'no'][] = [
    [{ http: { scheme: 'HTTP' } }, 'yes'],
    [{ http: { scheme: 'https' } }, 'no'],
    [method('get'), 'yes'],
    [method('POST'), 'no'],
    [{ http: { authority: 'web.demo:80' } }, 'yes'],
    [{ http: { authority: 'WEB.demo' } }, 'yes'],
    [{ http: { authority: 'web.demo:8080' } }, 'no'],
    [{ http: { authority: 'web.dem' } }, 'no'],
    [{ http: { pathPrefix: '/books/' } }, 'yes'],
    [{ http: { pathPrefix: '/authors' } }, 'no'],
    [{ http: { route: 'GET /books/{id}' } }, 'yes'],
    [{ http: { route: 'GET /books' } }, 'no'],
  ];
  for (const [m, want] of cases) assert.equal(compile(m).evaluate(req), want, JSON.stringify(m));
});

test('source and destination: ip and port, each optional; IPv4-mapped addresses compare as IPv4', () => {
  const req = requestInfo({ sourceIp: '::ffff:127.0.0.1' });
  assert.equal(compile({ source: { ip: '127.0.0.1', port: 0 } }).evaluate(req), 'yes');
  assert.equal(compile({ source: { ip: '', port: 50000 } }).evaluate(req), 'yes');
  assert.equal(compile({ source: { ip: '127.0.0.1', port: 1 } }).evaluate(req), 'no');
  assert.equal(compile({ destination: { ip: '10.0.0.2', port: 4143 } }).evaluate(req), 'yes');
  assert.equal(compile({ destination: { ip: '10.0.0.3', port: 0 } }).evaluate(req), 'no');
  assert.equal(normalizeIp('::FFFF:10.1.2.3'), '10.1.2.3');
  assert.equal(normalizeIp('::1'), '::1');
});

test('destination_label: endpoint labels without the dst_ prefix; inbound requests also see the proxy itself', () => {
  const label = (key: string, value: string): Match => ({ destinationLabel: { key, value } });
  assert.equal(compile(label('workload', 'web')).evaluate(requestInfo()), 'yes');
  assert.equal(compile(label('workload', 'api')).evaluate(requestInfo()), 'no');
  const inbound = requestInfo({ direction: 'inbound', destinationLabels: {} });
  assert.equal(compile(label('workload', 'api')).evaluate(inbound), 'yes');
  assert.equal(compile(label('pod', 'api-0')).evaluate(inbound), 'yes');
  // Outbound requests never take the proxy's own labels as the destination's.
  assert.equal(compile(label('pod', 'api-0')).evaluate(requestInfo({ destinationLabels: {} })), 'no');
});

test('response terms are unknown at start and decided with the response: status range, latency, grpc status', () => {
  const req = requestInfo();
  const m5xx = compile(status(500, 599));
  assert.equal(m5xx.needsResponse, true);
  assert.equal(m5xx.evaluate(req), 'unknown');
  assert.equal(m5xx.evaluate(req, err500), 'yes');
  assert.equal(m5xx.evaluate(req, ok), 'no');
  // A response with no status (reset) is outside every bounded range, but inside an unbounded one.
  assert.equal(m5xx.evaluate(req, { ...ok, status: 0 }), 'no');
  assert.equal(compile(status(0, 0)).evaluate(req, { ...ok, status: 0 }), 'yes');
  assert.equal(compile(status(400, 0)).evaluate(req, { ...ok, status: 404 }), 'yes');
  assert.equal(compile(status(0, 399)).evaluate(req, { ...ok, status: 404 }), 'no');

  const m100ms = compile(latency(100));
  assert.equal(m100ms.evaluate(req, slow), 'yes');
  assert.equal(m100ms.evaluate(req, ok), 'no');

  const grpc = compile({
    response: { statusMin: 0, statusMax: 0, minLatencyMs: 0, hasGrpcStatus: true, grpcStatus: 14 },
  });
  assert.equal(grpc.evaluate(req, { ...ok, grpcStatus: 14 }), 'yes');
  assert.equal(grpc.evaluate(req, { ...ok, grpcStatus: 0 }), 'no');
  assert.equal(grpc.evaluate(req, ok), 'no', 'not a gRPC response');
  // has_grpc_status unset: grpc_status 0 is not "only OK".
  assert.equal(compile(status(200, 200)).evaluate(req, { ...ok, grpcStatus: 2 }), 'yes');
});

test('all: a request term that fails decides at start; otherwise the response term defers', () => {
  const m = compile(all(method('POST'), status(500, 599)));
  assert.equal(m.evaluate(requestInfo()), 'no', 'decided without waiting for the response');
  assert.equal(m.evaluate(requestInfo({ method: 'POST' })), 'unknown');
  assert.equal(m.evaluate(requestInfo({ method: 'POST' }), err500), 'yes');
  assert.equal(m.evaluate(requestInfo({ method: 'POST' }), ok), 'no');
  assert.equal(compile(all()).evaluate(requestInfo()), 'yes');
});

test('any: a request term that holds decides at start; otherwise the response term defers', () => {
  const m = compile(any(method('POST'), status(500, 599)));
  assert.equal(m.evaluate(requestInfo({ method: 'POST' })), 'yes', 'reported live');
  assert.equal(m.evaluate(requestInfo()), 'unknown');
  assert.equal(m.evaluate(requestInfo(), err500), 'yes');
  assert.equal(m.evaluate(requestInfo(), ok), 'no');
  assert.equal(compile(any()).evaluate(requestInfo()), 'no');
});

test('not: flips request terms at start, keeps response terms unknown until the end', () => {
  assert.equal(compile(not(method('GET'))).evaluate(requestInfo()), 'no');
  assert.equal(compile(not(method('POST'))).evaluate(requestInfo()), 'yes');
  const notErr = compile(not(status(500, 599)));
  assert.equal(notErr.evaluate(requestInfo()), 'unknown');
  assert.equal(notErr.evaluate(requestInfo(), ok), 'yes');
  assert.equal(notErr.evaluate(requestInfo(), err500), 'no');
  // not(all(GET, 5xx)) = not GET or not 5xx: POSTs are decided (yes) at start, GETs wait.
  const m = compile(not(all(method('GET'), status(500, 599))));
  assert.equal(m.evaluate(requestInfo({ method: 'POST' })), 'yes');
  assert.equal(m.evaluate(requestInfo()), 'unknown');
  assert.equal(m.evaluate(requestInfo(), err500), 'no');
  assert.equal(m.evaluate(requestInfo(), ok), 'yes');
});

test('the final verdict always equals evaluation with full knowledge (exhaustive over small expressions)', () => {
  const leaves: Match[] = [method('GET'), method('POST'), status(500, 599), latency(100)];
  const exprs: Match[] = [...leaves];
  for (const a of leaves) {
    exprs.push(not(a));
    for (const b of leaves) exprs.push(all(a, b), any(a, b), not(any(a, not(b))));
  }
  const reqs = [requestInfo(), requestInfo({ method: 'POST' })];
  const responses = [ok, err500, slow, { status: 503, latencyMs: 300, grpcStatus: undefined }];
  for (const e of exprs) {
    const m = compile(e);
    for (const req of reqs) {
      const early = m.evaluate(req);
      for (const res of responses) {
        const full = m.evaluate(req, res);
        assert.notEqual(full, 'unknown');
        // An early decision is never contradicted by the response.
        if (early !== 'unknown') assert.equal(full, early, JSON.stringify({ e, req: req.method, res }));
      }
    }
  }
});

test('invalid matches are refused with the path of the bad part', () => {
  const bad: [Match, RegExp][] = [
    [all({}), /match\.all\[0\]: empty match/],
    [{ http: {} }, /match\.http: set exactly one/],
    [{ http: { method: '' } }, /match\.http\.method: empty/],
    [{ http: { method: 'GE T' } }, /not an HTTP method/],
    [{ http: { authority: 'a b' } }, /authority/],
    [{ source: { ip: 'not-an-ip', port: 0 } }, /match\.source\.ip/],
    [{ destination: { ip: '', port: 70000 } }, /port/],
    [{ destinationLabel: { key: '', value: 'x' } }, /key: empty/],
    [status(599, 500), /status_min above status_max/],
    [status(0, 1000), /above 999/],
    [{ http: { method: 'GET', pathPrefix: '/' } }, /exactly one/],
    [{ all: { matches: [] }, any: { matches: [] } }, /exactly one/],
  ];
  for (const [m, re] of bad) {
    assert.throws(
      () => compile(m),
      (e: unknown) => e instanceof MatchError && re.test(e.message),
      re.source,
    );
  }
});

test('match size is bounded: depth and number of terms', () => {
  let deep: Match = method('GET');
  for (let i = 0; i < 20; i++) deep = not(deep);
  assert.throws(() => compile(deep), /deeper than 16/);
  const wide = any(...Array.from({ length: 300 }, () => method('GET')));
  assert.throws(() => compile(wide), /more than 256/);
});
