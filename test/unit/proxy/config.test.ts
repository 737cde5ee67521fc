import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { UsageError } from '../../../src/common/errors.js';

test('flags win over environment variables, which win over defaults', () => {
  const cfg = resolveProxyConfig(
    { app: '127.0.0.1:8080', outbound: '127.0.0.1:9999' },
    {
      MESH_PROXY_OUTBOUND: '127.0.0.1:1111',
      MESH_PROXY_ADMIN: '127.0.0.1:2222',
      MESH_PROXY_OPAQUE_PORTS: '3306,8000-8002',
    },
  );
  assert.deepEqual(cfg.outbound, { host: '127.0.0.1', port: 9999 });
  assert.deepEqual(cfg.admin, { host: '127.0.0.1', port: 2222 });
  assert.deepEqual(cfg.inbound, { host: '0.0.0.0', port: 4143 });
  assert.deepEqual([...cfg.opaquePorts], [3306, 8000, 8001, 8002]);
  assert.equal(cfg.detectTimeoutMs, 10_000);
  assert.equal(cfg.identity, undefined);
});

test('no --app means no inbound listener; forwards are parsed', () => {
  const cfg = resolveProxyConfig({ forward: ['127.0.0.1:16379=redis.test:6379'] }, {});
  assert.equal(cfg.inbound, undefined);
  assert.deepEqual(cfg.forwards, [
    { listen: { host: '127.0.0.1', port: 16379 }, authority: 'redis.test:6379' },
  ]);
});

test('bad values name the flag or variable', () => {
  assert.throws(
    () => resolveProxyConfig({}, { MESH_PROXY_DETECT_TIMEOUT: 'soon' }),
    /MESH_PROXY_DETECT_TIMEOUT/,
  );
  assert.throws(() => resolveProxyConfig({ opaquePorts: '99999' }, {}), /--opaque-ports/);
  assert.throws(() => resolveProxyConfig({ forward: ['nope'] }, {}), /--forward/);
  assert.throws(
    () => resolveProxyConfig({ identity: 'web.demo.serviceaccount.identity.mesh.cluster.local' }, {}),
    (e: unknown) =>
      e instanceof UsageError && /--identity-addr.*--identity-token-file.*--trust-anchors/.test(e.message),
  );
});
