import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  h1RequestHeaders,
  h1ResponseHeaders,
  h2ForwardHeaders,
  isGrpcContentType,
} from '../../../../src/proxy/http/headers.js';
import { grpcStatusOf, parseGrpcTimeout } from '../../../../src/proxy/http/grpc.js';

test('hop-by-hop request headers, Connection-listed ones and expect are dropped; Host and order are kept', () => {
  const raw = [
    'Host',
    'web.test',
    'Connection',
    'keep-alive, X-Secret',
    'X-Secret',
    'a',
    'Keep-Alive',
    'timeout=5',
    'Transfer-Encoding',
    'chunked',
    'TE',
    'trailers',
    'Upgrade',
    'h2c',
    'Proxy-Authorization',
    'x',
    'Expect',
    '100-continue',
    'Accept',
    '*/*',
    'mesh-client-id',
    'forged',
  ];
  assert.deepEqual(h1RequestHeaders(raw, 'keep-alive, X-Secret'), ['Host', 'web.test', 'Accept', '*/*']);
  assert.deepEqual(
    h1RequestHeaders(
      raw,
      'keep-alive, X-Secret',
      'web.demo.serviceaccount.identity.mesh.cluster.local',
    ).slice(-2),
    ['mesh-client-id', 'web.demo.serviceaccount.identity.mesh.cluster.local'],
  );
});

test('hop-by-hop response headers are dropped, the rest (set-cookie arrays included) kept', () => {
  const out = h1ResponseHeaders({
    connection: 'close, x-hop',
    'x-hop': '1',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'set-cookie': ['a=1', 'b=2'],
    'content-type': 'text/plain',
  });
  assert.deepEqual(out, { 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
});

test('HTTP/2 forwarding drops connection-specific headers but keeps te: trailers for gRPC', () => {
  const out = h2ForwardHeaders({
    ':path': '/x',
    te: 'trailers',
    connection: 'x',
    'mesh-client-id': 'forged',
    a: 'b',
  });
  assert.deepEqual(out, { ':path': '/x', te: 'trailers', a: 'b' });
  assert.deepEqual(h2ForwardHeaders({ te: 'gzip' }), {});
  assert.equal(isGrpcContentType('application/grpc+proto'), true);
  assert.equal(isGrpcContentType('application/json'), false);
});

test('grpc-timeout and grpc-status are parsed strictly', () => {
  assert.equal(parseGrpcTimeout('100m'), 100);
  assert.equal(parseGrpcTimeout('5S'), 5000);
  assert.equal(parseGrpcTimeout('1H'), 3_600_000);
  assert.equal(parseGrpcTimeout('250u'), 0.25);
  assert.equal(parseGrpcTimeout('123456789S'), undefined);
  assert.equal(parseGrpcTimeout('10x'), undefined);
  assert.equal(grpcStatusOf({ 'grpc-status': '14' }), 14);
  assert.equal(grpcStatusOf({ 'grpc-status': '99' }), undefined);
  assert.equal(grpcStatusOf(undefined), undefined);
});
