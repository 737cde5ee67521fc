// Transparent mode's pieces that need no namespace: the setting, the original-destination layer without
// its addon (the proxy degrades, never crashes), and the addon itself loading in this Node.
import assert from 'node:assert/strict';
import net from 'node:net';
import test from 'node:test';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { ADDON_PATH, loadOriginalDst } from '../../../src/proxy/original-dst.js';
import { PROXY_ENV } from '../../../src/k8s/inject/proxy-env.js';
import { PROXY_SETTINGS } from '../../../src/proxy/config.js';

test('--transparent (MESH_PROXY_TRANSPARENT, as injected) starts the inbound listener without --app', () => {
  assert.equal(PROXY_SETTINGS.transparent.env, PROXY_ENV.transparent);
  const off = resolveProxyConfig({}, {});
  assert.equal(off.transparent, false);
  assert.equal(off.inbound, undefined);
  const on = resolveProxyConfig({}, { MESH_PROXY_TRANSPARENT: 'true' });
  assert.equal(on.transparent, true);
  assert.deepEqual(on.inbound, { host: '0.0.0.0', port: 4143 });
  assert.equal(on.app, undefined);
  assert.throws(() => resolveProxyConfig({ transparent: 'sometimes' }, {}), /--transparent "sometimes"/);
});

test('without the addon: unavailable with a reason that says how to build it, and lookups fail softly', () => {
  const od = loadOriginalDst('/nonexistent/original_dst.node');
  assert.equal(od.available, false);
  assert.match(od.unavailableReason ?? '', /not built .*npm run build/);
  const socket = new net.Socket();
  assert.deepEqual(od.lookup(socket), { kind: 'failed', reason: od.unavailableReason });
  socket.destroy();
});

test('the built addon loads in this Node (N-API) and answers for a socket without a NAT entry', async (t) => {
  if (process.platform !== 'linux') {
    t.skip('SO_ORIGINAL_DST is Linux-only');
    return;
  }
  const od = loadOriginalDst();
  assert.ok(od.available, `${ADDON_PATH}: ${od.unavailableReason ?? ''}`);
  // A socket without a file descriptor (not connected yet) is "failed", not a crash.
  assert.deepEqual(od.lookup(new net.Socket()), {
    kind: 'failed',
    reason: 'the socket has no file descriptor',
  });
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  t.after(() => client.destroy());
  const socket = await accepted;
  const found = od.lookup(socket);
  socket.destroy();
  // Without NAT in this namespace conntrack may not know the connection (ENOENT), or knows it unchanged.
  assert.ok(
    found.kind === 'direct' || (found.kind === 'failed' && /ENOENT/.test(found.reason)),
    JSON.stringify(found),
  );
});
