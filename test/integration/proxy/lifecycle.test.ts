// SIGTERM: the proxy stops accepting, lets the request in flight finish, exits 0 and frees its ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestProxy } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';
import { portIsFree } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';

test('a request in flight when SIGTERM arrives completes, then the proxy exits 0', async (t) => {
  let arrived = 0;
  const origin = await startHttpOrigin(t, (_req, res) => {
    arrived++;
    setTimeout(() => res.end('finished'), 800);
  });
  const proxy = await startTestProxy(t, { app: origin.address });
  const pending = request(`http://${proxy.inbound}/slow`, { headers: { host: 'web.test' } });
  await waitFor(() => arrived === 1, { what: 'request at the app' });
  proxy.proc.child.kill('SIGTERM');
  const res = await pending;
  assert.equal(res.statusCode, 200);
  assert.equal(await res.body.text(), 'finished');
  assert.equal(await proxy.proc.exited, 0);
  for (const addr of [proxy.inbound, proxy.outbound, proxy.admin]) {
    assert.ok(await portIsFree(Number(addr.split(':')[1])), `${addr} released`);
  }
});

test('/ready, /live and loopback-only POST /shutdown on the admin port', async (t) => {
  const proxy = await startTestProxy(t, {});
  assert.equal((await fetch(`http://${proxy.admin}/live`)).status, 200);
  assert.equal((await fetch(`http://${proxy.admin}/ready`)).status, 200);
  assert.equal((await fetch(`http://${proxy.admin}/shutdown`)).status, 405);
  const res = await fetch(`http://${proxy.admin}/shutdown`, { method: 'POST' });
  assert.equal(res.status, 202);
  assert.equal(await proxy.proc.exited, 0);
});
