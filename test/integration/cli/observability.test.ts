// stat, routes and edges against a Metrics API with known answers: what the commands ask (selector, --to,
// --from, window, -A), and that each table and its JSON say the same. Plus the failures every command shares:
// no control plane, a control plane without the API, bad flags, unknown resources, and the help texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { TestContext } from 'node:test';
import {
  MetricsService,
  type EdgesRequest,
  type MetricsServer,
  type RoutesRequest,
  type StatRequest,
  type StatResponse,
} from '../../../src/api/gen/metrics.js';
import { COMPONENT_PORTS } from '../../../src/k8s/control-plane.js';
import { installMesh } from '../../helpers/k8s-install.js';
import { startK8sApi } from '../../helpers/k8s.js';
import { freePort } from '../../helpers/ports.js';
import { runMeshctl } from '../../helpers/processes.js';

interface Seen {
  stat: StatRequest[];
  routes: RoutesRequest[];
  edges: EdgesRequest[];
}

const STAT: StatResponse = {
  windowMs: 60_000,
  source: 'embedded',
  rows: [
    {
      resource: { type: 'workload', namespace: 'demo', name: 'web' },
      meshedPods: 2,
      runningPods: 2,
      successRate: 0.85,
      rps: 3.25,
      latencyP50Ms: 4,
      latencyP95Ms: 48,
      latencyP99Ms: 97,
      tcpOpenConnections: 4,
      tlsShare: 1,
      readBytesPerSecond: 2048,
      writeBytesPerSecond: 512,
      requests: 195,
    },
    {
      resource: { type: 'workload', namespace: 'demo', name: 'idle' },
      meshedPods: 0,
      runningPods: 1,
      rps: 0,
      tcpOpenConnections: 0,
      readBytesPerSecond: 0,
      writeBytesPerSecond: 0,
      requests: 0,
    },
  ],
};

async function startFakeMetrics(t: TestContext): Promise<{ address: string; seen: Seen }> {
  const seen: Seen = { stat: [], routes: [], edges: [] };
  const impl: MetricsServer = {
    stat: (call, cb) => {
      seen.stat.push(call.request);
      if (call.request.selector?.name === 'ghost') {
        cb({ code: grpc.status.NOT_FOUND, details: 'workload "demo/ghost" not found in the mesh' });
        return;
      }
      cb(null, STAT);
    },
    routes: (call, cb) => {
      seen.routes.push(call.request);
      cb(null, {
        windowMs: 60_000,
        source: 'embedded',
        rows: [
          {
            route: 'GET /authors/{id}',
            authority: 'authors.demo:80',
            resource: { type: 'workload', namespace: 'demo', name: 'web' },
            successRate: 0.5,
            rps: 1.5,
            latencyP50Ms: 3,
            latencyP95Ms: 9,
            latencyP99Ms: 12,
            requests: 90,
            retriesPerSecond: 0.25,
          },
        ],
      });
    },
    edges: (call, cb) => {
      seen.edges.push(call.request);
      cb(null, {
        edges: [
          {
            src: { type: 'workload', namespace: 'demo', name: 'web' },
            dst: { type: 'workload', namespace: 'demo', name: 'authors' },
            clientId: 'web.demo.serviceaccount.identity.mesh.cluster.local',
            serverId: 'authors.demo.serviceaccount.identity.mesh.cluster.local',
            secured: true,
            noTlsReason: '',
          },
        ],
      });
    },
  };
  const server = new grpc.Server();
  server.addService(MetricsService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  t.after(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, seen };
}

/** Splits a table into rows of cells (columns are separated by at least three spaces, cells have one). */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/ {3,}/));
}

test('stat asks for what the flags say, and its table matches its JSON', async (t) => {
  const { address, seen } = await startFakeMetrics(t);
  const cp = ['--control-plane', address];
  const json = await runMeshctl(['stat', 'deploy', '-n', 'demo', '-o', 'json', ...cp]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(seen.stat[0], {
    selector: { type: 'workload', namespace: 'demo', name: '' },
    from: undefined,
    to: undefined,
    windowMs: 60_000,
    allNamespaces: false,
  });
  const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
  assert.deepEqual(
    rows.map((r) => [r['name'], r['successRate'], r['rps'], r['requests'], r['latencyP99Ms']]),
    [
      ['idle', null, 0, 0, null],
      ['web', 0.85, 3.25, 195, 97],
    ],
  );

  const table = await runMeshctl(['stat', 'deploy', '-n', 'demo', ...cp]);
  assert.equal(table.code, 0, table.stderr);
  assert.deepEqual(cells(table.stdout), [
    ['NAME', 'MESHED', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN'],
    ['idle', '0/1', '-', '-', '-', '-', '-', '-'],
    ['web', '2/2', '85.00%', '3.3rps', '4.0ms', '48ms', '97ms', '4'],
  ]);
  const wide = await runMeshctl([
    'stat',
    'workload/web',
    '-A',
    '-t',
    '5m',
    '-o',
    'wide',
    '--to',
    'svc/authors',
    ...cp,
  ]);
  assert.equal(wide.code, 0, wide.stderr);
  assert.deepEqual(seen.stat[2], {
    selector: { type: 'workload', namespace: 'default', name: 'web' },
    from: undefined,
    to: { type: 'service', namespace: 'default', name: 'authors' },
    windowMs: 300_000,
    allNamespaces: true,
  });
  assert.deepEqual(cells(wide.stdout)[0]?.slice(-4), [
    'TCP_CONN',
    'TLS',
    'READ_BYTES/SEC',
    'WRITE_BYTES/SEC',
  ]);
  assert.deepEqual(cells(wide.stdout)[2]?.slice(0, 2), ['demo', 'web']);
  assert.deepEqual(cells(wide.stdout)[2]?.slice(-3), ['100%', '2.0KB/s', '512.0B/s']);

  const lines = await runMeshctl(['stat', 'po', '--from', 'deploy/web', '-o', 'jsonl', ...cp]);
  assert.equal(lines.stdout.trim().split('\n').length, 2);
  assert.deepEqual(seen.stat[3]?.from, { type: 'workload', namespace: 'default', name: 'web' });
});

test('routes and edges: tables and JSON agree', async (t) => {
  const { address, seen } = await startFakeMetrics(t);
  const cp = ['--control-plane', address];
  const routes = await runMeshctl([
    'routes',
    'workload/web',
    '--to',
    'svc/authors',
    '-n',
    'demo',
    '-o',
    'wide',
    ...cp,
  ]);
  assert.equal(routes.code, 0, routes.stderr);
  assert.deepEqual(seen.routes[0]?.to, { type: 'service', namespace: 'demo', name: 'authors' });
  assert.deepEqual(cells(routes.stdout), [
    ['ROUTE', 'SERVICE', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'RETRIES'],
    ['GET /authors/{id}', 'authors.demo:80', '50.00%', '1.5rps', '3.0ms', '9.0ms', '12ms', '0.3rps'],
  ]);
  const rj = await runMeshctl(['routes', 'workload/web', '-n', 'demo', '-o', 'json', ...cp]);
  assert.deepEqual(JSON.parse(rj.stdout), [
    {
      namespace: 'demo',
      kind: 'workload',
      name: 'web',
      route: 'GET /authors/{id}',
      authority: 'authors.demo:80',
      requests: 90,
      successRate: 0.5,
      rps: 1.5,
      latencyP50Ms: 3,
      latencyP95Ms: 9,
      latencyP99Ms: 12,
      retriesPerSecond: 0.25,
    },
  ]);

  const edges = await runMeshctl(['edges', 'deploy', '-n', 'demo', '-o', 'wide', ...cp]);
  assert.equal(edges.code, 0, edges.stderr);
  assert.deepEqual(seen.edges[0], {
    selector: { type: 'workload', namespace: 'demo', name: '' },
    allNamespaces: false,
  });
  assert.deepEqual(cells(edges.stdout), [
    ['SRC', 'DST', 'SRC_NS', 'DST_NS', 'CLIENT_ID', 'SERVER_ID', 'SECURED'],
    [
      'web',
      'authors',
      'demo',
      'demo',
      'web.demo.serviceaccount.identity.mesh.cluster.local',
      'authors.demo.serviceaccount.identity.mesh.cluster.local',
      '√',
    ],
  ]);
  // Not a terminal: no colour escapes even for the √.
  assert.ok(!edges.stdout.includes('\u001b'));
  const ej = JSON.parse(
    (await runMeshctl(['edges', 'deploy', '-n', 'demo', '-o', 'json', ...cp])).stdout,
  ) as {
    secured: unknown;
  }[];
  assert.equal(ej[0]?.secured, true);
  const podsOnly = await runMeshctl(['edges', 'svc', ...cp]);
  assert.equal(podsOnly.code, 2);
  assert.match(
    podsOnly.stderr,
    /^error: unknown resource type "svc": expected workload \(deployment, deploy\), pod \(po\)\n/,
  );
});

test('a resource the control plane does not know is a one-line error and exit 1', async (t) => {
  const { address } = await startFakeMetrics(t);
  const r = await runMeshctl(['stat', 'workload', 'ghost', '-n', 'demo', '--control-plane', address]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: workload "demo/ghost" not found in the mesh\n');
  assert.equal(r.stdout, '');
});

const COMMANDS: { args: string[]; flags: string[] }[] = [
  {
    args: ['endpoints'],
    flags: ['--namespace', '--all-namespaces', '--output', '--control-plane', '--context', '--kubeconfig'],
  },
  {
    args: ['stat', 'workload'],
    flags: [
      '--from',
      '--to',
      '--time-window',
      '--namespace',
      '--all-namespaces',
      '--output',
      '--control-plane',
      '--context',
      '--kubeconfig',
    ],
  },
  {
    args: ['routes', 'workload/web'],
    flags: [
      '--to',
      '--time-window',
      '--namespace',
      '--all-namespaces',
      '--output',
      '--control-plane',
      '--context',
      '--kubeconfig',
    ],
  },
  {
    args: ['edges', 'workload'],
    flags: ['--namespace', '--all-namespaces', '--output', '--control-plane', '--context', '--kubeconfig'],
  },
  {
    args: ['tap', 'workload/web'],
    flags: [
      '--to',
      '--method',
      '--path',
      '--authority',
      '--max-rps',
      '--status',
      '--min-latency',
      '--redact-header',
      '--namespace',
      '--all-namespaces',
      '--output',
      '--control-plane',
      '--context',
      '--kubeconfig',
    ],
  },
];

test('every command without a control plane says where it looked and exits 1', async () => {
  const port = await freePort();
  for (const { args } of COMMANDS) {
    const viaFlag = await runMeshctl([...args, '--control-plane', `127.0.0.1:${port}`]);
    assert.equal(viaFlag.code, 1, args.join(' '));
    assert.equal(
      viaFlag.stderr,
      `error: no control plane reachable at 127.0.0.1:${port} — start one with \`meshctl demo\` or pass --control-plane\n`,
    );
  }
  const viaEnv = await runMeshctl(['stat', 'workload'], {
    env: { MESHCTL_CONTROL_PLANE: `127.0.0.1:${port}` },
  });
  assert.equal(viaEnv.code, 1);
  assert.match(viaEnv.stderr, /reachable at 127\.0\.0\.1:\d+ \(from \$MESHCTL_CONTROL_PLANE\) — start one/);
});

test('a control plane that does not serve an API says which component to run', async (t) => {
  const server = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  t.after(() => server.forceShutdown());
  const r = await runMeshctl(['routes', 'workload', '--control-plane', `127.0.0.1:${port}`]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^error: the control plane at 127\.0\.0\.1:\d+ does not serve the metrics API\nhint: run `meshctl control` with the metrics component/,
  );
});

test('every command documents its flags with examples; bad flags and resources are usage errors', async () => {
  for (const { args, flags } of COMMANDS) {
    const name = args[0] as string;
    const help = await runMeshctl([name, '--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const f of flags) assert.match(help.stdout, new RegExp(`${f}\\b`), `${name} --help lists ${f}`);
    assert.match(help.stdout, new RegExp(`\nExamples:\n  meshctl ${name} `), `${name} has examples`);
    assert.match(help.stdout, /--control-plane ADDR, \$MESHCTL_CONTROL_PLANE, the running/);
    assert.match(
      help.stdout,
      /With --context or --kubeconfig, the command asks the control plane installed in that cluster/,
    );

    const bad = await runMeshctl([...args, '--no-such-flag']);
    assert.equal(bad.code, 2, `${name} --no-such-flag`);
    assert.match(bad.stderr, /^error: unknown option '--no-such-flag'\n/);
  }
  const cases: [string[], RegExp][] = [
    [['stat', 'deployz'], /^error: unknown resource type "deployz": expected namespace \(ns\), workload/],
    [['stat'], /^error: missing required argument 'resource'/],
    [['stat', 'po', '--to', 'svc/a', '--from', 'po/b'], /^error: --from and --to cannot be used together\n$/],
    [['stat', 'po', '-t', '2s'], /^error: invalid --time-window "2s": expected 10s to 1h\n$/],
    [['stat', 'po', '-o', 'xml'], /^error: option '-o, --output <format>' argument 'xml' is invalid/],
    [['routes', 'workload', '--to', 'cluster/x'], /^error: unknown --to type "cluster"/],
    [['tap', 'workload/web', '--status', '7xx'], /^error: invalid --status "7xx"\n/],
    [['tap', 'workload/web', '--min-latency', 'slow'], /^error: invalid --min-latency "slow"\n/],
    [['tap', 'workload/web', '--max-rps', '0'], /^error: invalid --max-rps "0"/],
    [
      ['tap', 'workload/web', '--path', 'api'],
      /^error: invalid --path "api": a path prefix starts with \/\n$/,
    ],
    [['tap', 'workload/web', '--redact-header', 'bad header'], /^error: invalid --redact-header: /],
    [['tap', 'workload/web', '-o', 'yaml'], /argument 'yaml' is invalid/],
    [
      ['tap', 'workload/web', '-A'],
      /^error: -A taps every namespace: give a resource type without a name, not workload\/web\n$/,
    ],
    [['endpoints', 'not an authority'], /^error: invalid authority "not an authority"\n/],
    [['stat', 'po', '--control-plane', 'nowhere'], /^error: invalid --control-plane "nowhere"\n/],
  ];
  for (const [args, re] of cases) {
    const r = await runMeshctl(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test("with --kubeconfig the commands ask the cluster's control plane, port-forwarded to its pods", async (t) => {
  const metrics = await startFakeMetrics(t);
  const api = await startK8sApi(t);
  const mesh = await installMesh(api);
  api.setPortForward('mesh', mesh.pods['metrics'] as string, COMPONENT_PORTS.metrics, {
    host: '127.0.0.1',
    port: Number(metrics.address.split(':')[1]),
  });
  const r = await runMeshctl(['stat', 'deploy', '-n', 'demo', '-o', 'json', '--kubeconfig', api.kubeconfig]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { name: string }[];
  assert.deepEqual(
    rows.map((row) => row.name),
    ['idle', 'web'],
  );
  assert.equal(metrics.seen.stat[0]?.selector?.namespace, 'demo');
  assert.ok(
    api.requests.some((q) =>
      q.includes(
        `/namespaces/mesh/pods/${mesh.pods['metrics'] as string}/portforward?ports=${COMPONENT_PORTS.metrics}`,
      ),
    ),
    'through a port-forward to the metrics pod',
  );

  // A component with no ready pod: one line naming it and what to run; exit 1.
  const noTap = await runMeshctl(['tap', 'deploy/web', '-n', 'demo', '--kubeconfig', api.kubeconfig], {
    timeoutMs: 20_000,
  });
  assert.equal(noTap.code, 1);
  assert.match(
    noTap.stderr,
    /no control plane reachable at 127\.0\.0\.1:\d+ \(port-forwarded to pod mesh\/mesh-tap-/,
  );
  assert.match(noTap.stderr, /meshctl check/);
  const elsewhere = await runMeshctl([
    'stat',
    'deploy',
    '--kubeconfig',
    api.kubeconfig,
    '--control-plane-namespace',
    'nomesh',
  ]);
  assert.equal(elsewhere.code, 1);
  assert.match(elsewhere.stderr, /no ready mesh-metrics pod in namespace nomesh \(no pod\)/);

  // --control-plane is a local control plane: it does not mix with a cluster's.
  const both = await runMeshctl([
    'stat',
    'po',
    '--kubeconfig',
    api.kubeconfig,
    '--control-plane',
    metrics.address,
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--control-plane cannot be combined with --context or --kubeconfig/);
});
