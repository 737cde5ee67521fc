// The proxy stops watching an authority it no longer uses, and watches it again on the next request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { MeshFile, startTestControl } from '../../helpers/control.js';
import { startTestProxy } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';
import { waitFor } from '../../helpers/wait.js';

async function streams(admin: string): Promise<number> {
  const text = await (await fetch(`http://${admin}/metrics`)).text();
  return Number(/^destination_endpoint_streams (\d+)$/m.exec(text)?.[1] ?? NaN);
}

test('idle resolutions are dropped and come back on demand', async (t) => {
  const origin = await startHttpOrigin(t, (_req, res) => res.end('ok'));
  const mesh = new MeshFile(t, {
    services: [{ name: 'web', namespace: 'demo', ports: [80], workload: 'web' }],
    workloads: [{ name: 'web', namespace: 'demo', instances: [{ name: 'web-0', address: origin.address }] }],
  });
  const control = await startTestControl(t, mesh.path, { components: ['destination'] });
  const client = await startTestProxy(t, {
    args: ['--control-plane', control.grpc, '--discovery-idle-timeout', '1s'],
  });
  const get = async () => {
    const res = await request(`http://${client.outbound}/`, { headers: { host: 'web.demo' } });
    await res.body.dump();
    return res.statusCode;
  };
  assert.equal(await get(), 200);
  assert.equal(await streams(control.admin), 1);
  await waitFor(async () => (await streams(control.admin)) === 0, {
    timeoutMs: 5000,
    what: 'the idle stream to close',
  });
  assert.equal(await get(), 200);
  assert.equal(await streams(control.admin), 1);
});
