// The Kubernetes registry against the Kubernetes API test server, through client-node's real informers:
// services, named target ports and identities resolve; EndpointSlice changes reach Destination clients
// within 1 s; discovery survives watches that are cut, ended and answered with 410 Gone, and a list that
// fails (where client-node's informer would stop for good).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { DestinationClient, DestinationService, type Update } from '../../../src/api/gen/destination.js';
import { createLogger } from '../../../src/common/logger.js';
import { createDestinationComponent } from '../../../src/control/destination/service.js';
import { KubernetesRegistry } from '../../../src/control/registry/kubernetes/registry.js';
import { loadKube } from '../../../src/k8s/client/kubeconfig.js';
import type { K8sApiFixture } from '../../fixtures/k8s-api/server.js';
import {
  namespaceObject,
  podObject,
  serviceObject,
  startK8sApi,
  syncEndpointSlices,
} from '../../helpers/k8s.js';
import { waitFor } from '../../helpers/wait.js';

const ID = (sa: string, ns: string): string => `${sa}.${ns}.serviceaccount.identity.mesh.cluster.local`;
const quiet = createLogger('test', 'silent');

async function cluster(t: TestContext): Promise<K8sApiFixture> {
  const api = await startK8sApi(t);
  api.apply(namespaceObject('demo'));
  api.apply(
    serviceObject({
      name: 'web',
      namespace: 'demo',
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'admin', port: 9000, targetPort: 9000 },
      ],
    }),
  );
  // The named target port means 8080 on one pod and 9090 on the other.
  api.apply(
    podObject({
      name: 'web-1',
      namespace: 'demo',
      ip: '10.0.0.1',
      labels: { app: 'web' },
      serviceAccount: 'web',
      meshed: true,
      ports: [{ name: 'http', containerPort: 8080 }],
    }),
  );
  api.apply(
    podObject({
      name: 'web-2',
      namespace: 'demo',
      ip: '10.0.0.2',
      labels: { app: 'web' },
      serviceAccount: 'legacy',
      ports: [{ name: 'http', containerPort: 9090 }],
    }),
  );
  syncEndpointSlices(api, 'demo', 'web');
  return api;
}

function startRegistry(t: TestContext, api: K8sApiFixture): KubernetesRegistry {
  const kube = loadKube({ kubeconfig: api.kubeconfig }, {});
  const registry = new KubernetesRegistry(kube.config, {
    settings: { controlPlaneNamespace: 'mesh', clusterDomain: 'cluster.local', trustDomain: 'cluster.local' },
    logger: quiet,
    backoff: { baseMs: 100, maxMs: 400, random: () => 0.5 },
  });
  t.after(() => registry.close());
  return registry;
}

const endpointsOf = (r: KubernetesRegistry, authority: string, ns?: string): string[] =>
  (r.resolve(authority, { namespace: ns })?.endpoints ?? [])
    .map((e) => `${e.address.host}:${e.address.port} ${e.instance.meshed ? e.instance.identity : '-'}`)
    .sort();

test('services resolve by every spelling, with named target ports per pod and identities of meshed pods', async (t) => {
  const api = await cluster(t);
  api.apply(
    serviceObject({
      name: 'db',
      namespace: 'demo',
      ports: [{ port: 5432 }],
      headless: true,
      selector: { app: 'db' },
    }),
  );
  api.apply(
    podObject({
      name: 'db-0',
      namespace: 'demo',
      ip: '10.0.1.1',
      labels: { app: 'db' },
      serviceAccount: 'db',
      meshed: true,
      hostname: 'db-0',
      subdomain: 'db',
      ports: [{ containerPort: 5432 }],
    }),
  );
  api.apply(
    podObject({
      name: 'db-1',
      namespace: 'demo',
      ip: '10.0.1.2',
      labels: { app: 'db' },
      serviceAccount: 'db',
      meshed: true,
      hostname: 'db-1',
      subdomain: 'db',
      ports: [{ containerPort: 5432 }],
    }),
  );
  syncEndpointSlices(api, 'demo', 'db');
  api.apply(
    serviceObject({
      name: 'search',
      namespace: 'demo',
      ports: [{ port: 443 }],
      externalName: 'search.example.com',
    }),
  );
  const registry = startRegistry(t, api);
  await waitFor(() => registry.notReadyReason() === undefined, { what: 'informers synced', timeoutMs: 5000 });

  const web = ['10.0.0.1:8080 ' + ID('web', 'demo'), '10.0.0.2:9090 -'];
  assert.deepEqual(endpointsOf(registry, 'web.demo:80'), web);
  assert.deepEqual(endpointsOf(registry, 'web.demo.svc.cluster.local:80'), web);
  assert.deepEqual(endpointsOf(registry, 'web.demo.svc.cluster.local.:80'), web);
  assert.deepEqual(endpointsOf(registry, 'web.demo.svc:80'), web);
  assert.deepEqual(
    endpointsOf(registry, 'web:80', 'demo'),
    web,
    'a bare name resolves in the caller namespace',
  );
  assert.equal(registry.resolve('web:80'), undefined, 'a bare name without a caller namespace is unknown');
  assert.equal(registry.resolve('web:80', { namespace: 'other' }), undefined);
  assert.deepEqual(endpointsOf(registry, 'web.demo:9000'), [
    '10.0.0.1:9000 ' + ID('web', 'demo'),
    '10.0.0.2:9000 -',
  ]);
  assert.equal(registry.resolve('web.demo:81'), undefined, 'a port the service does not have');
  // Headless: the service and each pod's hostname.
  assert.deepEqual(endpointsOf(registry, 'db.demo:5432'), [
    '10.0.1.1:5432 ' + ID('db', 'demo'),
    '10.0.1.2:5432 ' + ID('db', 'demo'),
  ]);
  assert.deepEqual(endpointsOf(registry, 'db-1.db.demo.svc.cluster.local:5432'), [
    '10.0.1.2:5432 ' + ID('db', 'demo'),
  ]);
  assert.equal(registry.resolve('db-9.db.demo:5432'), undefined);
  // ExternalName: left to DNS.
  assert.equal(registry.resolve('search.demo:443'), undefined);
  assert.equal(registry.knowsHost('search.demo:443'), false);
  assert.equal(registry.knowsHost('web.demo.svc.cluster.local:1'), true);

  const inst = registry.instances().find((i) => i.name === 'web-1');
  assert.deepEqual(
    {
      meshed: inst?.meshed,
      admin: inst?.admin,
      tap: inst?.tap,
      services: inst?.services,
      workload: inst?.workload,
    },
    {
      meshed: true,
      admin: { host: '10.0.0.1', port: 4191 },
      tap: { host: '10.0.0.1', port: 4190 },
      services: ['web'],
      workload: 'web-1',
    },
  );
  assert.equal(
    registry.instances().find((i) => i.name === 'web-2')?.admin,
    undefined,
    'unmeshed pods have no admin address',
  );
  assert.deepEqual(
    registry
      .authorities()
      .map((a) => `${a.authority}=${a.endpoints}`)
      .sort(),
    ['db.demo:5432=2', 'web.demo:80=2', 'web.demo:9000=2'],
  );
  assert.match(registry.metrics(), /registry_informer_synced\{resource="endpointslices"\} 1/);
});

/** A Destination API server over the registry, and a client stream on one authority. */
async function destination(t: TestContext, registry: KubernetesRegistry) {
  const component = createDestinationComponent(registry, quiet);
  const server = new grpc.Server();
  server.addService(DestinationService, component.services[0]!.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const client = new DestinationClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.after(async () => {
    client.close();
    await component.close();
    server.forceShutdown();
  });
  return (authority: string, ns = '') => {
    const current = new Map<string, string>();
    const updates: Update[] = [];
    const stream = client.get({
      authority,
      contextToken: ns ? JSON.stringify({ ns, workload: 'x', pod: 'x-1' }) : '',
    });
    stream.on('data', (u: Update) => {
      updates.push(u);
      if (u.noEndpoints) current.clear();
      for (const a of u.add?.addrs ?? [])
        current.set(`${a.addr?.ip}:${a.addr?.port}`, a.tlsIdentity?.dnsLikeIdentity ?? '-');
      for (const a of u.remove?.addrs ?? []) current.delete(`${a.ip}:${a.port}`);
    });
    stream.on('error', () => undefined);
    t.after(() => stream.cancel());
    return { current, updates, view: () => [...current].map(([k, v]) => `${k} ${v}`).sort() };
  };
}

test('the Destination API streams endpoints and identities for svc, svc.ns and FQDN authorities, and follows changes within 1 s', async (t) => {
  const api = await cluster(t);
  const registry = startRegistry(t, api);
  const get = await destination(t, registry);
  const web = ['10.0.0.1:8080 ' + ID('web', 'demo'), '10.0.0.2:9090 -'];
  const streams = [get('web:80', 'demo'), get('web.demo:80'), get('web.demo.svc.cluster.local:80')];
  for (const s of streams)
    await waitFor(() => s.view().join() === web.join(), { what: 'first snapshot', timeoutMs: 5000 });

  // A new pod appears: the slice changes, every stream has it within 1 s.
  api.apply(
    podObject({
      name: 'web-3',
      namespace: 'demo',
      ip: '10.0.0.3',
      labels: { app: 'web' },
      serviceAccount: 'web',
      meshed: true,
      ports: [{ name: 'http', containerPort: 8080 }],
    }),
  );
  let started = Date.now();
  syncEndpointSlices(api, 'demo', 'web');
  for (const s of streams)
    await waitFor(() => s.view().includes('10.0.0.3:8080 ' + ID('web', 'demo')), {
      what: 'added endpoint',
      timeoutMs: 1000,
    });
  const addMs = Date.now() - started;

  // A pod becomes unready: it is removed within 1 s.
  api.apply(
    podObject({
      name: 'web-1',
      namespace: 'demo',
      ip: '10.0.0.1',
      labels: { app: 'web' },
      serviceAccount: 'web',
      meshed: true,
      ready: false,
      ports: [{ name: 'http', containerPort: 8080 }],
    }),
  );
  started = Date.now();
  syncEndpointSlices(api, 'demo', 'web');
  for (const s of streams)
    await waitFor(() => !s.view().some((e) => e.startsWith('10.0.0.1:')), {
      what: 'removed endpoint',
      timeoutMs: 1000,
    });
  const removeMs = Date.now() - started;
  t.diagnostic(`EndpointSlice change → client: add ${addMs} ms, remove ${removeMs} ms`);

  // The service goes away: no_endpoints{exists:false}.
  api.remove('v1', 'Service', 'demo', 'web');
  await waitFor(() => streams[1]!.updates.at(-1)?.noEndpoints?.exists === false, {
    what: 'no_endpoints',
    timeoutMs: 1000,
  });
});

test('discovery survives watches cut, ended cleanly, resumed after 410 Gone, and a failing list', async (t) => {
  const api = await cluster(t);
  const registry = startRegistry(t, api);
  await waitFor(() => registry.notReadyReason() === undefined, { what: 'synced', timeoutMs: 5000 });
  const SLICES = 'discovery.k8s.io/endpointslices';
  let n = 3;
  const addPodWithin1s = async (what: string, afterChange: () => void = () => undefined): Promise<void> => {
    const ip = `10.0.0.${n++}`;
    api.apply(
      podObject({
        name: `web-${ip}`,
        namespace: 'demo',
        ip,
        labels: { app: 'web' },
        serviceAccount: 'web',
        meshed: true,
        ports: [{ name: 'http', containerPort: 8080 }],
      }),
    );
    syncEndpointSlices(api, 'demo', 'web');
    afterChange();
    await waitFor(() => endpointsOf(registry, 'web.demo:80').some((e) => e.startsWith(ip + ':')), {
      what,
      timeoutMs: 1000,
    });
  };
  const watching = (): Promise<number> =>
    waitFor(() => api.watchCount(SLICES) === 1 && 1, { what: 'slice watch open', timeoutMs: 3000 });

  await watching();
  // 1. Cut abruptly (client-node's informer stops on this error): the supervisor restarts it.
  assert.equal(api.cutWatches(SLICES), 1);
  await addPodWithin1s('change after the watch was cut');
  assert.ok(
    registry.informerStates().find((s) => s.resource === 'endpointslices')!.restarts >= 1,
    'restarted after the cut',
  );

  // 2. Ended cleanly (the API server's watch timeout), twice in a row without events in between.
  await watching();
  api.endWatches(SLICES);
  await watching();
  api.endWatches(SLICES);
  await addPodWithin1s('change after watches ended cleanly');

  // 3. The watch is cut, a change happens, and the history is compacted past the informer's
  // resourceVersion (all before the restart can run): resuming gets 410 Gone, the informer re-lists.
  await watching();
  api.cutWatches(SLICES);
  await addPodWithin1s('change after 410 Gone', () => api.compact());
  const relists = api.requests.filter(
    (r) => r.startsWith('GET /apis/discovery.k8s.io/v1/endpointslices') && !r.includes('watch=true'),
  );
  assert.ok(relists.length >= 2, `re-listed after 410 (lists: ${relists.length})`);

  // 4. The re-list itself fails (403, then 500): client-node gives up on both; the supervisor does not.
  await watching();
  api.failRequests({
    method: 'GET',
    path: /^\/apis\/discovery\.k8s\.io\/v1\/endpointslices(?!.*watch=true)/,
    status: 403,
    times: 1,
  });
  api.failRequests({
    method: 'GET',
    path: /^\/apis\/discovery\.k8s\.io\/v1\/endpointslices(?!.*watch=true)/,
    status: 500,
    times: 1,
  });
  api.cutWatches(SLICES);
  api.apply(namespaceObject('bump')); // moves the resourceVersion past the informer's
  api.compact();
  await waitFor(
    () =>
      registry
        .informerStates()
        .find((s) => s.resource === 'endpointslices')!
        .lastError?.includes('HTTP'),
    {
      what: 'list failure seen',
      timeoutMs: 3000,
    },
  );
  assert.match(registry.metrics(), /registry_informer_restarts_total\{resource="endpointslices"\} [3-9]/);
  await addPodWithin1s('change after failed re-lists');
  await waitFor(() => registry.informerStates().every((s) => s.healthy), {
    what: 'healthy again',
    timeoutMs: 3000,
  });
  assert.equal(
    registry.notReadyReason(),
    undefined,
    'stays ready on stale data rather than dropping discovery',
  );
});
