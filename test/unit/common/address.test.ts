import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseHostPort,
  formatHostPort,
  normalizeAuthority,
  splitAuthority,
  isIpAuthority,
} from '../../../src/common/address.js';
import { UsageError } from '../../../src/common/errors.js';

test('parses host:port forms including IPv6 and empty host', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:4140'), { host: '127.0.0.1', port: 4140 });
  assert.deepEqual(parseHostPort('[::1]:4143'), { host: '::1', port: 4143 });
  assert.deepEqual(parseHostPort(':4191'), { host: '0.0.0.0', port: 4191 });
  assert.deepEqual(parseHostPort('web.test:80'), { host: 'web.test', port: 80 });
  assert.equal(formatHostPort({ host: '::1', port: 80 }), '[::1]:80');
});

test('rejects addresses without a valid port', () => {
  for (const bad of ['127.0.0.1', '127.0.0.1:', 'host:99999', 'a:b', '::1:80']) {
    assert.throws(() => parseHostPort(bad, '--outbound'), UsageError, bad);
  }
});

test('normalises authorities and refuses hostile ones', () => {
  assert.equal(normalizeAuthority('Web.Test'), 'web.test:80');
  assert.equal(normalizeAuthority('web.test:8080'), 'web.test:8080');
  assert.equal(normalizeAuthority('[::1]:81'), '[::1]:81');
  assert.equal(normalizeAuthority('api', 443), 'api:443');
  assert.equal(normalizeAuthority(undefined), undefined);
  assert.equal(normalizeAuthority('a b'), undefined);
  assert.equal(normalizeAuthority('x:0'), undefined);
  assert.equal(normalizeAuthority('evil"\n'), undefined);
  assert.equal(normalizeAuthority('a'.repeat(300)), undefined);
  assert.deepEqual(splitAuthority('[::1]:81'), { host: '::1', port: 81 });
  assert.equal(isIpAuthority('127.0.0.1:80'), true);
  assert.equal(isIpAuthority('web.test:80'), false);
});
