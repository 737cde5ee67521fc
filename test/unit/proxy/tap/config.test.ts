// The proxy's tap setting: on by default at 0.0.0.0:4190, movable, and switched off with "off".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeshError } from '../../../../src/common/errors.js';
import { resolveProxyConfig } from '../../../../src/proxy/config.js';

test('tap listens on 0.0.0.0:4190 unless moved by --tap or MESH_PROXY_TAP, and "off" disables it', () => {
  assert.deepEqual(resolveProxyConfig({}, {}).tap, { host: '0.0.0.0', port: 4190 });
  assert.deepEqual(resolveProxyConfig({ tap: '127.0.0.1:5190' }, {}).tap, { host: '127.0.0.1', port: 5190 });
  assert.deepEqual(resolveProxyConfig({}, { MESH_PROXY_TAP: '[::1]:4190' }).tap, { host: '::1', port: 4190 });
  assert.equal(resolveProxyConfig({}, { MESH_PROXY_TAP: 'off' }).tap, undefined);
  assert.equal(resolveProxyConfig({ tap: 'OFF' }, { MESH_PROXY_TAP: '127.0.0.1:1' }).tap, undefined);
});

test('a bad tap address names the variable it came from', () => {
  assert.throws(
    () => resolveProxyConfig({}, { MESH_PROXY_TAP: 'nowhere' }),
    (e: unknown) => e instanceof MeshError && /MESH_PROXY_TAP/.test(e.message),
  );
});
