import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  grpcStatusFor,
  httpStatusFor,
  isConnectFailure,
  kConnectPhase,
  toProxyError,
} from '../../../src/proxy/errors.js';

const err = (code: string) => Object.assign(new Error(code), { code });

test('upstream failures map to 502/503/504 with a code naming the cause', () => {
  const cases: [string, string, number, number][] = [
    ['ECONNREFUSED', 'MESH_CONNECT_REFUSED', 502, 14],
    ['UND_ERR_CONNECT_TIMEOUT', 'MESH_CONNECT_TIMEOUT', 504, 14],
    ['UND_ERR_HEADERS_TIMEOUT', 'MESH_RESPONSE_TIMEOUT', 504, 4],
    ['ECONNRESET', 'MESH_UPSTREAM_RESET', 502, 14],
    ['ENOIDENTITY', 'MESH_NO_IDENTITY', 503, 14],
    ['ERR_MESH_IDENTITY_MISMATCH', 'MESH_TLS_FAILED', 502, 14],
    ['CERT_HAS_EXPIRED', 'MESH_TLS_FAILED', 502, 14],
    ['SOMETHING_ELSE', 'MESH_UPSTREAM_ERROR', 502, 13],
  ];
  for (const [code, mesh, http, grpc] of cases) {
    const p = toProxyError(err(code), '10.0.0.1:80');
    assert.equal(p.code, mesh, code);
    assert.equal(httpStatusFor(p), http, code);
    assert.equal(grpcStatusFor(p), grpc, code);
    assert.doesNotMatch(p.headerValue(), /[\r\n]/);
  }
});

test('only failures before any byte was sent count as connect failures (safe to fail over)', () => {
  assert.equal(isConnectFailure(err('ECONNREFUSED')), true);
  assert.equal(isConnectFailure(err('ETIMEDOUT_CONNECT')), true);
  assert.equal(isConnectFailure(Object.assign(err('ECONNRESET'), { [kConnectPhase]: true })), true);
  assert.equal(isConnectFailure(err('ECONNRESET')), false);
  assert.equal(isConnectFailure(err('UND_ERR_SOCKET')), false);
  assert.equal(isConnectFailure('string'), false);
});
