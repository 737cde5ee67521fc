// `meshctl top` without a terminal, as scripts run it: against a fixture control plane that speaks the real
// Metrics gRPC protocol. The JSON shape is pinned by golden files (UPDATE_GOLDEN=1 rewrites them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFixtureControlPlane } from '../../fixtures/control-plane-fixture.js';
import { freePort } from '../../helpers/ports.js';
import { REPO_ROOT, runMeshctl, startMeshctl, startProcess, MESHCTL_BIN } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';

const GOLDEN = path.join(REPO_ROOT, 'test/golden/top');

/** Compares with a golden file after blanking what changes from run to run (time, port). */
function assertGolden(name: string, doc: unknown): void {
  const normal = JSON.parse(
    JSON.stringify(doc)
      .replace(/"time":"[^"]+"/g, '"time":"<time>"')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>'),
  ) as unknown;
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, JSON.stringify(normal, null, 2) + '\n');
  }
  assert.ok(existsSync(file), `${file} is missing: run the test with UPDATE_GOLDEN=1 to create it`);
  assert.deepEqual(normal, JSON.parse(readFileSync(file, 'utf8')));
}

test('not on a terminal, top prints one table snapshot and exits 0', async (t) => {
  const cp = await startFixtureControlPlane(t);
  for (const args of [
    ['top', 'ns/demo'],
    ['top', '-b', 'ns/demo'],
  ]) {
    const r = await runMeshctl([...args, '--control-plane', cp.address]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^namespace\/demo {2}window 1m {2}mesh: success 97\.19% {2}rps 43\.5 .*meshed 5\/6$/,
    );
    assert.match(lines[2] ?? '', /^ROUTE +SERVICE +SUCCESS +RPS +LATENCY_P50 +LATENCY_P95 +LATENCY_P99$/);
    assert.match(lines[3] ?? '', /^GET \/users\/\{id\} +web\.demo:80 +99\.90% +20\.0 +3\.0ms +9\.0ms +14ms$/);
    assert.match(lines[4] ?? '', /^GET \/search +api\.demo:8080 +97\.00% +15\.0/);
    assert.match(lines[7] ?? '', /^\[DEFAULT\] +db\.demo:5432 +- +0 +- +- +-$/);
    assert.equal(lines.length, 8);
  }
});

test('-o jsonl -b prints one document with stable fields (golden), numbers as numbers, null for no data', async (t) => {
  const cp = await startFixtureControlPlane(t);
  const r = await runMeshctl(['top', 'ns/demo', '-o', 'jsonl', '-b', '--control-plane', cp.address]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1);
  const doc = JSON.parse(lines[0] ?? '') as {
    kind: string;
    time: string;
    routes: { successRate: number | null; rps: number }[];
  };
  assert.equal(doc.kind, 'TopSnapshot');
  assert.ok(!Number.isNaN(Date.parse(doc.time)));
  assert.equal(doc.routes.at(-1)?.successRate, null);
  assert.equal(typeof doc.routes[0]?.rps, 'number');
  assertGolden('jsonl-route.json', doc);
  const w = await runMeshctl([
    'top',
    'ns/demo',
    '-o',
    'jsonl',
    '-b',
    '--by',
    'workload',
    '--control-plane',
    cp.address,
  ]);
  assert.equal(w.code, 0, w.stderr);
  assertGolden('jsonl-workload.json', JSON.parse(w.stdout));
});

test('-o jsonl streams one document per interval until Ctrl-C, then exits 130', async (t) => {
  const cp = await startFixtureControlPlane(t);
  const proc = startMeshctl(t, [
    'top',
    'ns/demo',
    '-o',
    'jsonl',
    '--interval',
    '250ms',
    '--control-plane',
    cp.address,
  ]);
  await waitFor(
    () =>
      proc
        .stdout()
        .split('\n')
        .filter((l) => l !== '').length >= 3,
    {
      timeoutMs: 15_000,
      what: 'three JSON lines',
    },
  );
  const code = await proc.stop('SIGINT');
  assert.equal(code, 130, proc.stderr());
  const docs = proc
    .stdout()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; time: string });
  assert.ok(docs.every((d) => d.kind === 'TopSnapshot'));
  const times = docs.map((d) => Date.parse(d.time));
  assert.ok(
    times.every((t, i) => i === 0 || t > (times[i - 1] ?? 0)),
    'one document per interval, in order',
  );
});

test('no control plane: one line naming the address and what to do, exit 1, nothing on stdout', async () => {
  const port = await freePort();
  for (const output of ['table', 'jsonl']) {
    const r = await runMeshctl(['top', '-o', output, '--control-plane', `127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `error: no control plane reachable at 127.0.0.1:${port} — start one with \`meshctl demo\` or pass --control-plane ADDR\n`,
    );
  }
});

test('the resource, -n, --to and --by reach the metrics API as selectors', async (t) => {
  const cp = await startFixtureControlPlane(t);
  let r = await runMeshctl([
    'top',
    'deploy/web',
    '-n',
    'demo',
    '--to',
    'svc/api',
    '-b',
    '--control-plane',
    cp.address,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const routes = cp.requests.routes.at(-1);
  assert.deepEqual(routes?.selector, { type: 'workload', namespace: 'demo', name: 'web' });
  assert.deepEqual(routes?.to, { type: 'service', namespace: 'demo', name: 'api' });
  r = await runMeshctl([
    'top',
    'deploy/api',
    '-n',
    'demo',
    '--from',
    'deploy/web',
    '-b',
    '--control-plane',
    cp.address,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const from = cp.requests.routes.at(-1);
  assert.deepEqual(
    from?.selector,
    { type: 'workload', namespace: 'demo', name: 'web' },
    'the client side of --from',
  );
  assert.deepEqual(from?.to, { type: 'workload', namespace: 'demo', name: 'api' });
  r = await runMeshctl([
    'top',
    '-n',
    'demo',
    '--by',
    'workload',
    '-t',
    '10s',
    '-b',
    '--control-plane',
    cp.address,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /NAMESPACE +WORKLOAD +MESHED +SUCCESS/);
  assert.match(r.stdout, /demo +web +2\/2 +99\.80% +22\.0/);
  const stat = cp.requests.stat.filter((s) => s.selector?.type === 'workload').at(-1);
  assert.deepEqual(stat?.selector, { type: 'workload', namespace: 'demo', name: '' });
  assert.equal(stat?.windowMs, 10_000);
});

test('usage errors exit 2 with a one-line reason', async () => {
  const cases: [string[], RegExp][] = [
    [['top', 'frobs/x'], /invalid RESOURCE "frobs\/x"/],
    [['top', '--from', 'deploy/a', '--to', 'deploy/b'], /--from and --to cannot be used together/],
    [['top', '--interval', '10ms'], /--interval must be at least 250ms/],
    [['top', '-t', '2h'], /--time-window must be between 10s and 1h/],
    [['top', '--control-plane', 'nowhere'], /invalid --control-plane "nowhere"/],
    [['top', '-o', 'yaml'], /yaml/],
  ];
  for (const [args, message] of cases) {
    const r = await runMeshctl(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('commands other than top never load React or Ink', async (t) => {
  // A resolve hook that reports every module specifier; `meshctl version` and `top --help` must not ask for ink.
  const hook = `import { registerHooks } from 'node:module';
registerHooks({ resolve(spec, ctx, next) { if (/^(ink|react)(\\/|$)/.test(spec)) process.stderr.write('LOADED ' + spec + '\\n'); return next(spec, ctx); } });`;
  for (const args of [['version'], ['top', '--help'], ['top', '-b', '--control-plane', '127.0.0.1:1']]) {
    const proc = startProcess(t, process.execPath, [
      '--import',
      `data:text/javascript,${encodeURIComponent(hook)}`,
      MESHCTL_BIN,
      ...args,
    ]);
    await proc.exited;
    assert.doesNotMatch(proc.stderr(), /LOADED/, args.join(' '));
  }
});
