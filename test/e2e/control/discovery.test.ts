// A test mesh of three services, each instance behind its own proxy, resolved through the control plane's
// Destination API from a local mesh file: changes reach clients within 2 s, removals drain without failures,
// and clients keep serving through a control-plane outage.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { MeshFile, startTestControl, type MeshFileSpec } from '../../helpers/control.js';
import { startTestProxy, type TestProxy } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';
import { sumOf } from '../../helpers/prom.js';
import { waitFor } from '../../helpers/wait.js';

interface Instance {
  name: string;
  proxy: TestProxy;
  origin: { requests: number };
}

async function startInstance(t: TestContext, name: string, controlPlane?: string): Promise<Instance> {
  const origin = await startHttpOrigin(t, (_req, res) => res.end(name));
  const proxy = await startTestProxy(t, {
    app: origin.address,
    args: controlPlane ? ['--control-plane', controlPlane, '--pod', name] : ['--pod', name],
  });
  return { name, proxy, origin };
}

function meshSpec(web: Instance[], api: Instance[], db: Instance[]): MeshFileSpec {
  const inst = (i: Instance) => ({ name: i.name, address: i.proxy.inbound, admin: i.proxy.admin });
  return {
    services: [
      { name: 'web', namespace: 'demo', ports: [80], workload: 'web' },
      { name: 'api', namespace: 'demo', ports: [80], workload: 'api' },
      { name: 'db', namespace: 'demo', ports: [80], workload: 'db' },
    ],
    workloads: [
      { name: 'web', namespace: 'demo', instances: web.map(inst) },
      { name: 'api', namespace: 'demo', instances: api.map(inst) },
      { name: 'db', namespace: 'demo', instances: db.map(inst) },
    ],
  };
}

async function get(
  client: TestProxy,
  host: string,
): Promise<{ status: number; body: string; error?: string }> {
  try {
    const res = await request(`http://${client.outbound}/`, { headers: { host } });
    return {
      status: res.statusCode,
      body: await res.body.text(),
      error: String(res.headers['mesh-proxy-error'] ?? ''),
    };
  } catch (err) {
    return { status: 0, body: '', error: (err as Error).message };
  }
}

/** Sends requests in a loop until stopped; records every failure. */
function steadyTraffic(client: TestProxy, hosts: string[]) {
  const failures: string[] = [];
  const seen = new Map<string, number>();
  let sent = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const host of hosts) {
        const r = await get(client, host);
        sent++;
        if (r.status !== 200) failures.push(`${host}: ${r.status} ${r.error ?? ''}`);
        else seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
      }
    }
  })();
  return {
    failures,
    seen,
    sent: () => sent,
    async stop() {
      running = false;
      await loop;
    },
  };
}

test('three services resolve through Destination; adds arrive within 2 s and removals drain cleanly', async (t) => {
  const web = [await startInstance(t, 'web-0'), await startInstance(t, 'web-1')];
  const api = [await startInstance(t, 'api-0')];
  const db = [await startInstance(t, 'db-0')];
  const mesh = new MeshFile(t, meshSpec(web, api, db));
  const control = await startTestControl(t, mesh.path, { components: ['destination'] });
  const client = await startTestProxy(t, { args: ['--control-plane', control.grpc, '--workload', 'client'] });

  for (const host of ['web.demo', 'api.demo', 'db.demo.svc.cluster.local']) {
    const r = await get(client, host);
    assert.equal(r.status, 200, `${host}: ${r.error}`);
  }
  const unknown = await get(client, 'nope.demo');
  assert.equal(unknown.status, 503);
  assert.match(unknown.error ?? '', /MESH_UNKNOWN_AUTHORITY/);

  // Destination labels reach the client's metrics.
  const m = await client.metrics();
  assert.equal(
    sumOf(m, 'request_total', {
      authority: 'api.demo:80',
      dst_workload: 'api',
      dst_pod: 'api-0',
      dst_namespace: 'demo',
    }),
    1,
  );

  const traffic = steadyTraffic(client, ['web.demo']);
  t.after(() => traffic.stop());

  // Add web-2: it must start receiving requests within 2 s of the file change.
  const web2 = await startInstance(t, 'web-2');
  const changedAt = Date.now();
  mesh.write(meshSpec([...web, web2], api, db));
  await waitFor(() => web2.origin.requests > 0, { timeoutMs: 2000, what: 'traffic to the added endpoint' });
  const shiftMs = Date.now() - changedAt;
  t.diagnostic(`new endpoint received traffic ${shiftMs} ms after the registry change`);

  // Remove web-0 under load: no request fails, and it stops receiving new ones.
  mesh.write(meshSpec([web[1] as Instance, web2], api, db));
  await waitFor(
    async () => {
      const before = web[0]?.origin.requests ?? 0;
      await new Promise((r) => setTimeout(r, 300));
      return (web[0]?.origin.requests ?? 0) === before;
    },
    { timeoutMs: 3000, what: 'the removed endpoint to stop receiving requests' },
  );
  const sentBefore = traffic.sent();
  await waitFor(() => traffic.sent() > sentBefore + 50, { what: 'more traffic after the removal' });
  await traffic.stop();
  assert.deepEqual(traffic.failures, []);
  assert.ok((web[1]?.origin.requests ?? 0) > 0 && web2.origin.requests > 0);
});

test('with the destination component down, clients keep serving for 60 s and pick up changes after it returns', async (t) => {
  const web = [await startInstance(t, 'web-0'), await startInstance(t, 'web-1')];
  const api = [await startInstance(t, 'api-0')];
  const db = [await startInstance(t, 'db-0')];
  const mesh = new MeshFile(t, meshSpec(web, api, db));
  const control = await startTestControl(t, mesh.path, { components: ['destination'] });
  const grpcPort = Number(control.grpc.split(':')[1]);
  const client = await startTestProxy(t, {
    args: ['--control-plane', control.grpc, '--discovery-idle-timeout', '10m'],
  });
  for (const host of ['web.demo', 'api.demo', 'db.demo']) assert.equal((await get(client, host)).status, 200);

  await control.proc.stop('SIGKILL');
  await waitFor(async () => sumOf(await client.metrics(), 'control_plane_connected') === 0, {
    what: 'the proxy to notice the control plane is gone',
  });
  const traffic = steadyTraffic(client, ['web.demo', 'api.demo', 'db.demo']);
  t.after(() => traffic.stop());
  await new Promise((r) => setTimeout(r, 60_000));
  assert.deepEqual(traffic.failures, [], 'no failed request during the outage');
  assert.ok(traffic.sent() > 300, `kept serving (${traffic.sent()} requests)`);

  // The control plane comes back (same address) with a new endpoint; the client picks it up.
  const web2 = await startInstance(t, 'web-2');
  mesh.write(meshSpec([...web, web2], api, db));
  await startTestControl(t, mesh.path, { components: ['destination'], grpcPort });
  await waitFor(() => web2.origin.requests > 0, {
    timeoutMs: 40_000,
    what: 'traffic to the endpoint added during the outage',
  });
  await traffic.stop();
  assert.deepEqual(traffic.failures, []);
});
