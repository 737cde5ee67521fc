// `meshctl check` against the Kubernetes API test server holding a real `meshctl install`: passes on a
// healthy control plane, and on each broken one fails the right check with the right hint (golden JSON).
// Components are asked over grpc.health.v1 and proxies over /metrics, both through port-forwarding.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Writable } from 'node:stream';
import { runCheck } from '../../../src/cli/check/run.js';
import { parseDuration } from '../../../src/common/duration.js';
import { VERSION } from '../../../src/common/version.js';
import { createHealthService } from '../../../src/control/health.js';
import {
  createIssuer,
  createServingCertificate,
  createTrustAnchor,
  trustRootSha256,
} from '../../../src/identity/pki.js';
import { COMPONENT_PORTS, type K8sComponent } from '../../../src/k8s/control-plane.js';
import type { K8sApiFixture } from '../../fixtures/k8s-api/server.js';
import type { KObject } from '../../fixtures/k8s-api/store.js';
import { assertGolden } from '../../helpers/golden.js';
import { installMesh, runDeployment, type InstalledMesh } from '../../helpers/k8s-install.js';
import { namespaceObject, podObject, startK8sApi } from '../../helpers/k8s.js';
import { runMeshctl } from '../../helpers/processes.js';

const GRPC: K8sComponent[] = ['destination', 'identity', 'tap', 'metrics'];

/** A grpc.health.v1 server standing in for a component's pod; `serving` can be flipped. */
async function healthServer(t: TestContext, state: { serving: boolean }): Promise<number> {
  const server = new grpc.Server();
  const health = createHealthService([], () => state.serving);
  server.addService(health.definition, health.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  t.after(() => server.forceShutdown());
  return port;
}

interface Cluster {
  api: K8sApiFixture;
  mesh: InstalledMesh;
  health: Record<string, { serving: boolean }>;
}

async function healthyCluster(t: TestContext): Promise<Cluster> {
  const api = await startK8sApi(t);
  const mesh = await installMesh(api);
  const health: Record<string, { serving: boolean }> = {};
  for (const c of GRPC) {
    health[c] = { serving: true };
    const port = await healthServer(t, health[c]);
    api.setPortForward('mesh', mesh.pods[c] as string, COMPONENT_PORTS[c], { host: '127.0.0.1', port });
  }
  return { api, mesh, health };
}

const CHECK_ENV = { NO_COLOR: '1', LANG: 'C.UTF-8', LC_ALL: '', LC_CTYPE: '' };

/** The `meshctl check` binary, for exit codes and the real flag parsing. */
async function checkCli(api: K8sApiFixture, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return runMeshctl(['check', '--kubeconfig', api.kubeconfig, '--wait', '0s', ...args], {
    env: { ...CHECK_ENV, ...env },
    timeoutMs: 60_000,
  });
}

/** The same run in this process (no Node start-up per run): flags as `check` parses them. */
async function check(
  api: K8sApiFixture | undefined,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string }> {
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  let stdout = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      stdout += chunk.toString('utf8');
      done();
    },
  });
  const code = await runCheck(
    {
      pre: args.includes('--pre'),
      proxy: args.includes('--proxy'),
      waitMs: parseDuration(flag('--wait') ?? '0s'),
      output: (flag('-o') ?? 'table') as 'table' | 'json' | 'short',
      controlPlaneNamespace: 'mesh',
      parallelism: 8,
      kubeconfig: flag('--kubeconfig') ?? api?.kubeconfig,
      context: flag('--context'),
      namespace: flag('-n'),
    },
    { env: { ...CHECK_ENV, ...env }, out },
  );
  return { code, stdout };
}

interface Report {
  success: boolean;
  categories: {
    categoryName: string;
    checks: { description: string; hint?: string; error?: string; result: string }[];
  }[];
}

function failures(r: Report): string[] {
  return r.categories.flatMap((c) =>
    c.checks.filter((x) => x.result !== 'success').map((x) => `${x.result}: ${x.description}`),
  );
}

test('check passes on a healthy control plane (golden JSON) and prints Linkerd-style tables', async (t) => {
  const { api } = await healthyCluster(t);
  const json = await check(api, ['-o', 'json']);
  assert.equal(json.code, 0, json.stdout);
  assertGolden('check/healthy.json', json.stdout);
  const report = JSON.parse(json.stdout) as Report;
  assert.deepEqual(failures(report), []);
  assert.ok(
    report.categories.some((c) =>
      c.checks.some((x) => x.description === 'control plane components are healthy'),
    ),
    'components were asked over gRPC',
  );
  assert.ok(
    api.requests.some((r) => /\/pods\/mesh-destination-[^/]+\/portforward\?ports=8086/.test(r)),
    'through port-forwarding',
  );

  const table = await checkCli(api);
  assert.equal(table.code, 0, table.stderr);
  assert.match(
    table.stdout,
    /^kubernetes-api\n--------------\n√ can initialize the client\n√ can query the Kubernetes API\n/,
  );
  assert.match(table.stdout, /\nStatus check results are √\n$/);
  assert.ok(!table.stdout.includes(String.fromCharCode(27)), 'no colour off a terminal');
  const ascii = await check(api, [], { LANG: 'C' });
  assert.match(ascii.stdout, /\[ok\] can query the Kubernetes API/);
  assert.match(ascii.stdout, /Status check results are \[ok\]/);
  const short = await check(api, ['-o', 'short']);
  assert.equal(short.stdout, 'Status check results are √\n');
});

const broken: {
  name: string;
  failing: string;
  hint: RegExp;
  breakIt: (c: Cluster) => Promise<void> | void;
}[] = [
  {
    name: 'no-control-plane',
    failing: 'error: control plane Namespace exists',
    hint: /meshctl install \| kubectl apply -f -/,
    breakIt: ({ api }) => {
      for (const kind of ['Deployment', 'ReplicaSet'])
        for (const o of api.list('apps/v1', kind, 'mesh'))
          api.remove('apps/v1', kind, 'mesh', o.metadata.name ?? '');
      api.remove('v1', 'Namespace', undefined, 'mesh');
    },
  },
  {
    name: 'issuer-expired',
    failing: 'error: issuer cert is within its validity period',
    hint: /replace the mesh-identity-issuer Secret/,
    breakIt: async ({ api }) => {
      // Dates fixed in the past so that the message is the same on every run.
      const anchor = await createTrustAnchor({
        trustDomain: 'mesh.cluster.local',
        now: new Date('2020-01-01T00:00:00Z'),
      });
      const issuer = await createIssuer(anchor, {
        trustDomain: 'mesh.cluster.local',
        now: new Date('2020-01-01T00:00:00Z'),
        validityDays: 30,
      });
      const roots = api.get('v1', 'ConfigMap', 'mesh', 'mesh-identity-trust-roots') as KObject;
      api.apply({ ...roots, data: { 'ca.crt': anchor.certPem } });
      const secret = api.get('v1', 'Secret', 'mesh', 'mesh-identity-issuer') as KObject;
      api.apply({
        ...secret,
        data: {
          'tls.crt': Buffer.from(issuer.certPem).toString('base64'),
          'tls.key': Buffer.from(issuer.keyPem).toString('base64'),
        },
      });
    },
  },
  {
    name: 'webhook-cert-mismatch',
    failing: 'error: proxy-injector webhook has valid cert',
    hint: /re-create the injector's certificate and caBundle together/,
    breakIt: async ({ api }) => {
      // A certificate from another CA than the caBundle: what a half-applied upgrade leaves behind.
      const other = await createServingCertificate({ dnsNames: ['mesh-injector.mesh.svc'] });
      const secret = api.get('v1', 'Secret', 'mesh', 'mesh-injector-k8s-tls') as KObject;
      api.apply({
        ...secret,
        data: {
          'tls.crt': Buffer.from(other.certPem).toString('base64'),
          'tls.key': Buffer.from(other.keyPem).toString('base64'),
        },
      });
    },
  },
  {
    name: 'pod-not-ready',
    failing: 'error: control plane pods are ready',
    hint: /kubectl -n mesh describe pod mesh-destination-[0-9a-f]+-[0-9a-f]+/,
    breakIt: ({ api }) => {
      const d = api.get('apps/v1', 'Deployment', 'mesh', 'mesh-destination') as KObject;
      runDeployment(api, d, '10.1.0.10', false);
    },
  },
  {
    name: 'component-not-serving',
    failing: 'error: control plane components are healthy',
    hint: /kubectl -n mesh logs deploy\/mesh-tap -c tap/,
    breakIt: ({ health }) => {
      (health['tap'] as { serving: boolean }).serving = false;
    },
  },
];

for (const b of broken) {
  test(`check fails with the right hint: ${b.name}`, async (t) => {
    const cluster = await healthyCluster(t);
    await b.breakIt(cluster);
    const r =
      b.name === 'no-control-plane'
        ? await checkCli(cluster.api, ['-o', 'json'])
        : await check(cluster.api, ['-o', 'json']);
    assert.equal(r.code, 1, r.stdout);
    assertGolden(`check/${b.name}.json`, r.stdout);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.success, false);
    assert.ok(failures(report).includes(b.failing), failures(report).join('\n'));
    const failed = report.categories
      .flatMap((c) => c.checks)
      .find((c) => `${c.result}: ${c.description}` === b.failing);
    assert.match(failed?.hint ?? '', b.hint);
  });
}

test('check refuses a missing kubeconfig and the localhost:8080 fallback, each with a hint', async (t) => {
  const dir = path.dirname((await startK8sApi(t)).kubeconfig);
  const missing = await check(undefined, ['-o', 'json'], { KUBECONFIG: '', HOME: dir });
  assert.equal(missing.code, 1);
  const first = (JSON.parse(missing.stdout) as Report).categories[0]?.checks[0];
  assert.equal(first?.result, 'error');
  assert.match(first?.error ?? '', /no Kubernetes configuration found/);
  assert.match(first?.hint ?? '', /does not guess http:\/\/localhost:8080/);
  const file = path.join(dir, 'localhost.yaml');
  writeFileSync(
    file,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://localhost:8080"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
  );
  const fallback = await runMeshctl(['check', '--wait', '0s', '--kubeconfig', file]);
  assert.equal(fallback.code, 1);
  assert.match(fallback.stdout, /× can initialize the client\n {4}.*points at http:\/\/localhost:8080/);
  const badContext = await check(undefined, ['--kubeconfig', file, '--context', 'nope']);
  assert.match(badContext.stdout, /context "nope" is not in .*\n {4}hint: known contexts: x/);
});

test('check --pre: a fresh cluster passes; a missing permission fails with the can-i hint', async (t) => {
  const api = await startK8sApi(t);
  const ok = await check(api, ['--pre', '-o', 'json']);
  assert.equal(ok.code, 0, ok.stdout);
  assert.deepEqual(failures(JSON.parse(ok.stdout) as Report), []);
  api.deny('create', 'apps/deployments');
  api.apply(namespaceObject('mesh'));
  const r = await check(api, ['--pre', '-o', 'json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(failures(report), [
    'error: control plane namespace does not already exist',
    'error: can create Deployments',
  ]);
  const dep = report.categories
    .flatMap((c) => c.checks)
    .find((c) => c.description === 'can create Deployments');
  assert.match(dep?.error ?? '', /cannot create deployments\.apps in namespace "mesh"/);
  assert.match(dep?.hint ?? '', /kubectl auth can-i create deployments\.apps/);
});

test('check --wait retries until the control plane becomes ready', async (t) => {
  const cluster = await healthyCluster(t);
  const d = cluster.api.get('apps/v1', 'Deployment', 'mesh', 'mesh-identity') as KObject;
  runDeployment(cluster.api, d, '10.1.0.11', false);
  const started = Date.now();
  const run = check(cluster.api, ['--wait', '20s']);
  setTimeout(() => runDeployment(cluster.api, d, '10.1.0.11', true), 1500).unref();
  const r = await run;
  assert.equal(r.code, 0, r.stdout);
  assert.ok(Date.now() - started >= 1500, 'it waited');
  assert.match(r.stdout, /√ control plane pods are ready/);
});

/** A proxy admin endpoint reporting a certificate that expires at `expiry` (seconds). */
async function proxyAdmin(t: TestContext, expiry: number): Promise<number> {
  const server = http.createServer((_req, res) =>
    res.end(
      `# TYPE identity_cert_expiration_timestamp_seconds gauge\nidentity_cert_expiration_timestamp_seconds ${expiry}\n`,
    ),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

test('check --proxy checks every meshed pod in parallel, skipping completed Job pods', async (t) => {
  const { api, mesh } = await healthyCluster(t);
  api.apply(namespaceObject('shop'));
  const annotations = {
    'mesh.io/proxy-version': VERSION,
    'mesh.io/trust-root-sha256': trustRootSha256(mesh.certs.trustAnchorsPem),
  };
  const future = Math.floor(Date.now() / 1000) + 86_400;
  for (let i = 1; i <= 12; i++) {
    api.apply(
      podObject({ name: `web-${i}`, namespace: 'shop', ip: `10.2.0.${i}`, meshed: true, annotations }),
    );
    api.setPortForward('shop', `web-${i}`, 4191, { host: '127.0.0.1', port: await proxyAdmin(t, future) });
  }
  // A finished Job's pod: its proxy is gone, and that is fine.
  api.apply(
    podObject({
      name: 'migrate-x1',
      namespace: 'shop',
      ip: '10.2.1.1',
      meshed: true,
      annotations,
      phase: 'Succeeded',
    }),
  );
  const ok = await check(api, ['--proxy', '-o', 'json']);
  assert.equal(ok.code, 0, ok.stdout);
  assert.deepEqual(failures(JSON.parse(ok.stdout) as Report), []);
  assert.ok(
    !api.requests.some((r) => r.includes('/pods/migrate-x1/portforward')),
    'the completed pod was not asked',
  );
  assert.equal(
    api.requests.filter((r) => /\/namespaces\/shop\/pods\/web-\d+\/portforward/.test(r)).length,
    12,
  );

  // One proxy's certificate expired, one pod injected with old trust anchors, one stale proxy version.
  api.setPortForward('shop', 'web-3', 4191, { host: '127.0.0.1', port: await proxyAdmin(t, 1_600_000_000) });
  api.apply(
    podObject({
      name: 'web-4',
      namespace: 'shop',
      ip: '10.2.0.4',
      meshed: true,
      annotations: { ...annotations, 'mesh.io/trust-root-sha256': 'old' },
    }),
  );
  api.apply(
    podObject({
      name: 'web-5',
      namespace: 'shop',
      ip: '10.2.0.5',
      meshed: true,
      annotations: { ...annotations, 'mesh.io/proxy-version': '0.0.1' },
    }),
  );
  const r = await check(api, ['--proxy', '-n', 'shop', '-o', 'json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(failures(report), [
    'warning: data plane is up-to-date',
    'warning: data plane proxies trust the current trust anchors',
    'error: data plane proxies have a current certificate',
  ]);
  const cert = report.categories
    .flatMap((c) => c.checks)
    .find((c) => c.description === 'data plane proxies have a current certificate');
  assert.equal(cert?.error, 'pod shop/web-3: certificate expired on 2020-09-13T12:26:40.000Z');
  const missingNs = await check(api, ['--proxy', '-n', 'nope', '-o', 'json']);
  assert.ok(failures(JSON.parse(missingNs.stdout) as Report).includes('error: data plane namespace exists'));
});
