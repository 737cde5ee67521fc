// `meshctl demo --no-tui` as a user runs it: the whole mesh comes up, a killed instance is restarted with
// traffic continuing, a second demo refuses to start, and Ctrl-C stops every process and frees every port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portIsFree } from '../../helpers/ports.js';
import { runMeshctl, startMeshctl } from '../../helpers/processes.js';
import { parseMetrics, sumOf } from '../../helpers/prom.js';
import { waitFor } from '../../helpers/wait.js';

interface Topology {
  controlPlane: string;
  controlAdmin: string;
  instances: {
    name: string;
    workload: string;
    ports: { app: number; inbound: number; outbound: number; admin: number; tap: number };
  }[];
}

async function metricsOf(admin: number) {
  return parseMetrics(await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text());
}

function childPids(parent: number): number[] {
  try {
    return readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

test('the demo runs a meshed app, restarts a killed instance, refuses a second copy and stops cleanly', async (t) => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'meshctl-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const env = { MESHCTL_HOME: home };
  const demo = startMeshctl(t, ['demo', '--no-tui', '--rps', '20'], env);
  await waitFor(() => demo.stdout().includes('press Ctrl-C to stop'), {
    timeoutMs: 60_000,
    what: 'the demo to start',
  });
  const topo = JSON.parse(readFileSync(path.join(home, 'demo', 'topology.json'), 'utf8')) as Topology;
  const admin = (name: string) => topo.instances.find((i) => i.name === name)?.ports.admin as number;

  // Traffic flows through every service, over mTLS.
  await waitFor(
    async () => {
      const web = sumOf(await metricsOf(admin('web-0')), 'request_total', {
        direction: 'inbound',
        tls: 'true',
      });
      const books = sumOf(await metricsOf(admin('books-0')), 'request_total', {
        direction: 'inbound',
        tls: 'true',
      });
      const authors = sumOf(await metricsOf(admin('authors-0')), 'request_total', {
        direction: 'inbound',
        tls: 'true',
      });
      return web > 20 && books > 5 && authors > 5;
    },
    { timeoutMs: 30_000, what: 'mTLS traffic at web, books and authors' },
  );

  // Every observability command finds the demo without flags (its record in MESHCTL_HOME names the
  // control plane and the namespace). stat: traffic on every service, all of it over mTLS.
  const json = async (args: string[]): Promise<Record<string, unknown>[]> => {
    const r = await runMeshctl([...args, '-o', 'json'], { env });
    assert.equal(r.code, 0, `meshctl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>[];
  };
  await waitFor(
    async () => {
      const rows = await json(['stat', 'deploy', '-t', '10s']);
      return ['web', 'books', 'authors'].every((name) => {
        const row = rows.find((r) => r['name'] === name);
        return row !== undefined && Number(row['rps']) > 0 && row['tlsShare'] === 1;
      });
    },
    { timeoutMs: 30_000, what: 'stat: traffic on web, books and authors, all of it over mTLS' },
  );
  // routes: the failing route shows it (authors fails 15 % of lookups; web's proxy retries them).
  // (A response series appears with its first failure and counts from its second scrape, as in Prometheus, so
  // the failures show a scrape or two after the first one.)
  await waitFor(
    async () => {
      const routes = await json(['routes', 'deploy/authors']);
      const lookup = routes.find((r) => r['route'] === 'GET /authors/{id}');
      const success = Number(lookup?.['successRate']);
      return success < 1 && success > 0.5;
    },
    { timeoutMs: 30_000, what: 'routes: GET /authors/{id} below 100 % success' },
  );
  // endpoints and edges: two books instances with identities; every edge secured.
  const books = await json(['endpoints', 'books.demo:80']);
  assert.equal(books.length, 2);
  assert.ok(books.every((e) => typeof e['identity'] === 'string'));
  const edges = await json(['edges', 'deploy']);
  assert.ok(edges.some((e) => e['src'] === 'web' && e['dst'] === 'books'));
  assert.ok(
    edges.every((e) => e['secured'] === true),
    JSON.stringify(edges),
  );
  // tap: live requests through web's proxies, over TLS; Ctrl-C ends it with 130.
  const tap = startMeshctl(t, ['tap', 'deploy/web', '-o', 'jsonl'], env);
  await waitFor(() => tap.stdout().split('\n').filter(Boolean).length >= 6, {
    timeoutMs: 20_000,
    what: 'tap events from web',
  });
  tap.child.kill('SIGINT');
  assert.equal(await tap.exited, 130);
  const events = tap
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { proxy: string; tls: boolean; type: string });
  assert.ok(
    events.every((e) => e.proxy.startsWith('web-') && e.tls),
    tap.stdout().slice(0, 500),
  );
  assert.ok(events.some((e) => e.type === 'requestInit'));

  // A second demo while this one runs says so and exits 1.
  const second = await runMeshctl(['demo', '--no-tui'], { env });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /a demo is already running \(pid \d+, control plane at 127\.0\.0\.1:\d+\)/);

  // Kill one books instance's proxy: it is reported, restarted, and traffic continues.
  const booksAdmin = admin('books-1');
  const pidOfProxy = (): number | undefined =>
    childPids(demo.pid).find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`127.0.0.1:${booksAdmin}`);
      } catch {
        return false;
      }
    });
  const victim = await waitFor(() => pidOfProxy(), { what: 'the books-1 proxy process' });
  process.kill(victim, 'SIGKILL');
  await waitFor(() => /books-1\/proxy exited \(SIGKILL\); restarting/.test(demo.stderr()), {
    what: 'the crash report',
  });
  await waitFor(
    async () => {
      const pid = pidOfProxy();
      if (pid === undefined || pid === victim) return false;
      const m = await metricsOf(booksAdmin).catch(() => undefined);
      return m !== undefined && sumOf(m, 'request_total', { direction: 'inbound' }) > 0;
    },
    { timeoutMs: 60_000, what: 'the restarted books-1 proxy to serve traffic again' },
  );

  // Ctrl-C: every child goes, every port is freed, the record is removed.
  const children = childPids(demo.pid);
  assert.ok(children.length >= 11, `children: ${children.length}`);
  demo.child.kill('SIGINT');
  assert.equal(await demo.exited, 130);
  for (const pid of children) {
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `child ${pid} is gone`);
  }
  const ports = [topo.controlPlane, topo.controlAdmin].map((a) => Number(a.split(':')[1]));
  for (const i of topo.instances) ports.push(...Object.values(i.ports));
  for (const p of ports) assert.ok(await portIsFree(p), `port ${p} is free`);
  const again = await runMeshctl(['demo', '--help'], { env });
  assert.equal(again.code, 0);
  assert.throws(() => readFileSync(path.join(home, 'control-plane.json')));
});
