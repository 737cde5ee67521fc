// The identity service down for two minutes: existing proxies keep serving with the certificates they
// have; a proxy that starts meanwhile waits, not ready, and becomes ready when the service returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestControl } from '../../helpers/control.js';
import { waitFor } from '../../helpers/wait.js';
import { startSecureMesh } from './mesh.js';

test('with the identity service down for 2 min, proxies keep serving and a new proxy waits until it returns', async (t) => {
  const { client, control, mesh, ids, startClient } = await startSecureMesh(t);
  const grpcPort = Number(control.grpc.split(':')[1]);
  const get = async (outbound: string): Promise<string> => {
    try {
      const res = await request(`http://${outbound}/`, { headers: { host: 'web.demo' } });
      await res.body.dump();
      return res.statusCode === 200 ? 'ok' : `${res.statusCode} ${String(res.headers['mesh-proxy-error'])}`;
    } catch (err) {
      return (err as Error).message;
    }
  };
  assert.equal(await get(client.outbound), 'ok');

  await control.proc.stop('SIGKILL');
  const failures: string[] = [];
  let sent = 0;
  let running = true;
  const traffic = (async () => {
    while (running) {
      const r = await get(client.outbound);
      sent++;
      if (r !== 'ok') failures.push(r);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  t.after(async () => {
    running = false;
    await traffic;
  });

  // A proxy started during the outage runs but is not ready, and says why.
  const late = startClient(t);
  const lateProxy = await Promise.race([
    late,
    new Promise<'not ready'>((r) => setTimeout(() => r('not ready'), 16_000)),
  ]);
  assert.equal(lateProxy, 'not ready', 'a new proxy must not become ready without a certificate');
  await new Promise((r) => setTimeout(r, 120_000 - 16_000));
  running = false;
  await traffic;
  t.diagnostic(`${sent} requests during the 2 min outage, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.ok(sent > 500);

  // The identity service returns (same address): the waiting proxy gets its certificate and becomes ready.
  await startTestControl(t, mesh.path, { grpcPort, args: ['--identity-dir', ids.dir] });
  const proxy = await late.catch((err: unknown) => {
    throw new Error(`the late proxy did not become ready: ${(err as Error).message}`);
  });
  await waitFor(async () => (await get(proxy.outbound)) === 'ok', {
    timeoutMs: 30_000,
    what: 'the late proxy to serve',
  });
});
