// The observability commands against a running mesh: `client` sends to `web` over mTLS; the origin behind
// web answers 500 for paths containing "fail". Tap prints exactly the requests made while it runs (with
// --status filtered in the proxy) and Ctrl-C ends it with 130. Then a known mix — 150 requests that succeed
// on GET /books/{id}, 50 that fail on GET /fail/{id} — and stat, routes and edges agree with the traffic
// (counts and success rates within 2 %), each table with its JSON, and every JSON output has the shape
// docs/cli-json.md documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { styleText } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { MetricsClient, type StatResponse } from '../../../src/api/gen/metrics.js';
import {
  formatCount,
  formatLatency,
  formatPercent,
  formatRps,
  NO_DATA,
} from '../../../src/cli/metric-format.js';
import { readJsonDocs, shapeProblems } from '../../helpers/json-docs.js';
import { runMeshctl, startMeshctl, type OwnedProcess } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';
import { AUTHORITY, CLIENT_ID, NAMESPACE, WEB_ID, startCliMesh } from './mesh.js';

const OK_REQUESTS = 150;
const FAILED_REQUESTS = 50;
/** How old the series must be before their counts are within 2 % (see below). */
const SERIES_AGE_MS = 12_000;
const RED_500 = styleText('red', '500', { validateStream: false }).replace(/\[/g, '\\[');

/** Table rows as cells: columns are separated by three or more spaces, cells hold at most one. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/ {3,}/));
}

function byHeader(table: string): Record<string, string>[] {
  const [header, ...rows] = cells(table);
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

const within = (actual: number, expected: number, share = 0.02): boolean =>
  Math.abs(actual - expected) <= Math.max(share * Math.abs(expected), 1e-9);
/** Between lo and hi, give or take 2 %. */
const inRange = (actual: number, lo: number, hi: number): boolean =>
  actual >= lo * 0.98 && actual <= hi * 1.02;

/** Sends `paths` through the client proxy, `concurrency` at a time; returns the statuses in order. */
async function drive(
  get: (p: string) => Promise<number>,
  paths: string[],
  concurrency = 8,
): Promise<number[]> {
  const statuses: number[] = new Array<number>(paths.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const i = next++;
        statuses[i] = await get(paths[i] as string);
      }
    }),
  );
  return statuses;
}

type Row = Record<string, unknown>;

/** A formatted latency (`870µs`, `4.9ms`, `1.2s`) in milliseconds, or undefined. */
function latencyMs(text: string | undefined): number | undefined {
  const m = /^([\d.]+)(µs|ms|s)$/.exec(text ?? '');
  if (!m) return undefined;
  const scale = m[2] === 'µs' ? 0.001 : m[2] === 's' ? 1000 : 1;
  return Number(m[1]) * scale;
}

/**
 * A table cell against the JSON value formatted the same way. Latency quantiles of a live window move a little
 * between two calls even without traffic (the window slides over the scrapes), so they may differ by 5 %.
 */
function sameCell(col: string, cell: string | undefined, expected: string): boolean {
  if (cell === expected) return true;
  if (!col.startsWith('LATENCY_')) return false;
  const a = latencyMs(cell);
  const b = latencyMs(expected);
  return a !== undefined && b !== undefined && Math.abs(a - b) <= 0.05 * Math.max(a, b);
}

/**
 * Runs a command for its table and for its JSON at the same moment and checks them with `compare`. The
 * numbers of a live mesh move between two calls (a scrape may land between them), so a pair that
 * disagrees is taken again, a few times: a rendering bug disagrees every time.
 */
async function tableAndJson(
  args: string[],
  compare: (rows: Row[], lines: Record<string, string>[]) => string[],
): Promise<{ rows: Row[]; lines: Record<string, string>[] }> {
  let problems: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const [table, json] = await Promise.all([runMeshctl(args), runMeshctl([...args, '-o', 'json'])]);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as Row[];
    const lines = byHeader(table.stdout);
    problems = compare(rows, lines);
    if (problems.length === 0) return { rows, lines };
  }
  assert.fail(`${args[0] ?? ''}: table and JSON disagree: ${problems.join('; ')}`);
}

interface TapJson {
  type: string;
  id: { base: number; stream: number };
  proxy: string;
  direction: string;
  tls: boolean;
  source: { labels: Record<string, string> };
  destination: { labels: Record<string, string> };
  request?: { path: string; authority: string; headers: { name: string; value: string }[] };
  response?: { status: number };
  end?: { responseBytes: number };
}

/** Starts `meshctl tap`, then sends `probe` requests until one shows in its output: the tap is in place. */
async function startTap(
  t: Parameters<typeof startCliMesh>[0],
  args: string[],
  probe: () => Promise<unknown>,
  seen: (stdout: string) => boolean,
  env?: NodeJS.ProcessEnv,
): Promise<OwnedProcess> {
  const tap = startMeshctl(t, ['tap', ...args], env);
  await waitFor(
    async () => {
      if (tap.child.exitCode !== null) throw new Error(`tap exited: ${tap.stderr()}`);
      await probe();
      return seen(tap.stdout());
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `tap ${args.join(' ')} to report` },
  );
  return tap;
}

test('stat, routes, edges, endpoints and tap against a live mesh', async (t) => {
  const mesh = await startCliMesh(t);
  const cp = ['--control-plane', mesh.control.grpc];
  const docs = readJsonDocs();
  const shape = (name: string, actual: unknown, example = 0): void => {
    const doc = docs.get(name);
    assert.ok(doc, name);
    assert.deepEqual(
      shapeProblems(doc, doc.examples[example], actual),
      [],
      `${name} output vs docs/cli-json.md`,
    );
  };

  // A fresh client proxy resolves web.demo on its first request: wait until a request gets through. Then
  // one request on each route and outcome of the known mix, so that their series exist long before the
  // mix: the metrics API counts like Prometheus' increase(), which cannot see what a series held when it
  // was first scraped, and extrapolates young series (the older the series, the smaller that share).
  await waitFor(async () => (await mesh.get('/warmup')) === 200, {
    timeoutMs: 10_000,
    what: 'web to answer',
  });
  assert.equal(await mesh.get(`/books/${OK_REQUESTS}`), 200);
  assert.equal(await mesh.get(`/fail/${FAILED_REQUESTS}`), 500);
  const warmups = mesh.served.length;
  const seriesBorn = Date.now();

  await t.test('endpoints: what Destination says, table and JSON alike', async () => {
    const json = await runMeshctl(['endpoints', AUTHORITY, '-o', 'json', ...cp]);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows, [
      {
        authority: AUTHORITY,
        namespace: NAMESPACE,
        ip: '127.0.0.1',
        port: Number(mesh.web.inbound.split(':')[1]),
        pod: 'web-0',
        workload: 'web',
        service: 'web',
        identity: WEB_ID,
        weight: 1,
        protocolHint: 'detect',
      },
    ]);
    shape('endpoints', rows[0]);
    const table = await runMeshctl(['endpoints', '-n', NAMESPACE, ...cp]);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(byHeader(table.stdout), [
      {
        NAMESPACE: NAMESPACE,
        IP: '127.0.0.1',
        PORT: String(rows[0]?.['port']),
        POD: 'web-0',
        SERVICE: 'web.demo',
        IDENTITY: WEB_ID,
      },
    ]);
    const unknown = await runMeshctl(['endpoints', 'nosuch.demo:80', ...cp]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /^error: authority "nosuch\.demo:80" not known to the destination service\n/,
    );
  });

  await t.test(
    'tap -o jsonl: exactly the requests made while it ran, headers redacted; Ctrl-C exits 130',
    async (tt) => {
      const events = (out: string): TapJson[] =>
        out
          .trim()
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as TapJson);
      const tap = await startTap(
        tt,
        [
          'deploy/web',
          '-n',
          NAMESPACE,
          '-o',
          'jsonl',
          '--redact-header',
          'X-Api-Key',
          '--max-rps',
          '1000',
          ...cp,
        ],
        () => mesh.get('/warmup'),
        (out) => out.includes('"/warmup"'),
      );
      const marked = Array.from({ length: 20 }, (_, i) =>
        i % 4 === 0 ? `/tapped/fail/${i}` : `/tapped/ok/${i}`,
      );
      let n = 0;
      await drive(
        (p) => mesh.get(p, { authorization: 'Bearer secret', 'x-api-key': 'key', 'x-marker': `m${n++}` }),
        marked,
        4,
      );
      const key = (e: TapJson): string => `${e.proxy} ${e.id.base}:${e.id.stream}`;
      await waitFor(
        () => {
          const all = events(tap.stdout());
          const ids = new Set(all.filter((e) => e.request?.path.startsWith('/tapped/')).map(key));
          return all.filter((e) => e.type === 'responseEnd' && ids.has(key(e))).length === marked.length;
        },
        { timeoutMs: 10_000, what: 'every marked request to end in the tap' },
      );
      assert.equal(await tap.stop('SIGINT'), 130, tap.stderr());

      const all = events(tap.stdout());
      const requests = all.filter((e) => e.type === 'requestInit');
      // Nothing but the warm-up probes and the marked requests, each marked one exactly once.
      assert.deepEqual(
        requests
          .map((e) => e.request?.path)
          .filter((p) => p !== '/warmup')
          .sort(),
        [...marked].sort(),
      );
      for (const req of requests.filter((e) => e.request?.path.startsWith('/tapped/'))) {
        const mine = all.filter((e) => key(e) === key(req));
        assert.deepEqual(
          mine.map((e) => e.type),
          ['requestInit', 'responseInit', 'responseEnd'],
        );
        assert.equal(mine[1]?.response?.status, req.request?.path.includes('fail') ? 500 : 200);
        assert.equal(req.proxy, 'web-0');
        assert.equal(req.direction, 'inbound');
        assert.equal(req.tls, true);
        assert.equal(req.source.labels['client_id'], CLIENT_ID);
        assert.match(req.request?.authority ?? '', /^web\.demo(:80)?$/);
        const headers = Object.fromEntries((req.request?.headers ?? []).map((h) => [h.name, h.value]));
        assert.equal(headers['authorization'], '[REDACTED]');
        assert.equal(headers['x-api-key'], '[REDACTED]');
        assert.match(headers['x-marker'] ?? '', /^m\d+$/);
      }
      const sample = all.filter(
        (e) => key(e) === key(requests.find((e) => e.request?.path.startsWith('/tapped/'))!),
      );
      sample.forEach((e, i) => shape('tap', e, i));
    },
  );

  await t.test('tap --status 5xx: only failed requests, whole; line format; Ctrl-C exits 130', async (tt) => {
    const tap = await startTap(
      tt,
      ['workload', 'web', '-n', NAMESPACE, '--status', '5xx', '--max-rps', '1000', ...cp],
      () => mesh.get('/warm/fail'),
      (out) => out.includes(':path=/warm/fail'),
      { FORCE_COLOR: '1' },
    );
    const sent = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `/st/fail/${i}` : `/st/ok/${i}`));
    await drive((p) => mesh.get(p), sent, 4);
    const failed = sent.filter((p) => p.includes('fail'));
    const lines = (): string[] =>
      tap
        .stdout()
        .split('\n')
        .filter((l) => l !== '');
    const idOf = (l: string): string => /^\w+ id=(\d+:\d+) /.exec(l)?.[1] ?? '';
    await waitFor(
      () => {
        const ids = new Set(
          lines()
            .filter((l) => l.includes(':path=/st/'))
            .map(idOf),
        );
        return lines().filter((l) => l.startsWith('end ') && ids.has(idOf(l))).length === failed.length;
      },
      { timeoutMs: 10_000, what: 'the failed requests to end in the tap' },
    );
    assert.equal(await tap.stop('SIGINT'), 130, tap.stderr());
    const out = lines();
    const reqs = out.filter((l) => l.startsWith('req ') && l.includes(':path=/st/'));
    assert.deepEqual(reqs.map((l) => /:path=(\S+)$/.exec(l)?.[1]).sort(), [...failed].sort());
    for (const req of reqs) {
      assert.match(
        req,
        /^req id=\d+:\d+ proxy=in {2}src=127\.0\.0\.1:\d+ dst=127\.0\.0\.1:\d+ tls=true :method=GET :authority=web\.demo(:80)? :path=\/st\/fail\/\d+$/,
      );
      const mine = out.filter((l) => idOf(l) === idOf(req));
      assert.equal(mine.length, 3);
      assert.match(
        mine[1] ?? '',
        // FORCE_COLOR is set: the failed status is red.
        new RegExp(`^rsp id=\\S+ proxy=in {2}.* tls=true :status=${RED_500} latency=\\d+µs$`),
      );
      assert.match(mine[2] ?? '', /^end id=\S+ proxy=in {2}.* tls=true duration=\d+µs response-length=\d+B$/);
    }
    // Requests that succeeded were never printed.
    assert.ok(!out.some((l) => l.includes('/st/ok/')));
  });
  // The known traffic mix.
  const paths = [
    ...Array.from({ length: OK_REQUESTS }, (_, i) => `/books/${i}`),
    ...Array.from({ length: FAILED_REQUESTS }, (_, i) => `/fail/${i}`),
  ];
  const statuses = await drive((p) => mesh.get(p), paths);
  assert.equal(statuses.filter((s) => s === 200).length, OK_REQUESTS, JSON.stringify(statuses));
  assert.equal(statuses.filter((s) => s === 500).length, FAILED_REQUESTS);
  // The truth is what the origin served (the tap tests' requests included); the first requests of each
  // series (at most the warm-ups) may be invisible to the metrics, as they would be to Prometheus.
  const served = mesh.served.length;
  const servedOk = mesh.served.filter((p) => !p.includes('fail')).length;
  const counted = (n: number): boolean => inRange(n, served - warmups, served);

  const metrics = new MetricsClient(mesh.control.grpc, grpc.credentials.createInsecure());
  t.after(() => metrics.close());
  const statNow = (): Promise<StatResponse> =>
    new Promise((resolve, reject) =>
      metrics.stat(
        {
          selector: { type: 'workload', namespace: NAMESPACE, name: '' },
          from: undefined,
          to: undefined,
          windowMs: 0,
          allNamespaces: false,
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
  // increase() extrapolates each series by up to one scrape interval past its last sample (and a little
  // before its first), a share of the series' age: with a 100 ms interval it is under 1.5 % from 12 s on.
  await waitFor(
    async () => {
      if (Date.now() - seriesBorn < SERIES_AGE_MS) return false;
      const web = (await statNow()).rows.find((r) => r.resource?.name === 'web');
      return web !== undefined && counted(web.requests);
    },
    { timeoutMs: 25_000, intervalMs: 250, what: 'the metrics API to count the traffic' },
  );

  await t.test('stat: counts and success rate match the traffic; table and JSON agree', async (tt) => {
    const args = ['stat', 'deploy', '-n', NAMESPACE, ...cp];
    const { rows, lines } = await tableAndJson(args, (rows, lines) => {
      const problems: string[] = [];
      const names = (xs: Record<string, unknown>[], k: string) => xs.map((x) => x[k]).join(',');
      if (names(lines, 'NAME') !== names(rows, 'name')) problems.push('rows differ');
      for (const r of rows) {
        const l = lines.find((x) => x['NAME'] === r['name']) ?? {};
        const idle =
          r['requests'] === 0 && r['successRate'] === null && r['rps'] === 0 && r['tcpOpenConnections'] === 0;
        const expect: Record<string, string> = {
          MESHED: `${String(r['meshedPods'])}/${String(r['runningPods'])}`,
          SUCCESS: formatPercent(r['successRate'] as number | null),
          RPS: idle ? NO_DATA : formatRps(r['rps'] as number),
          LATENCY_P50: formatLatency(r['latencyP50Ms'] as number | null),
          LATENCY_P95: formatLatency(r['latencyP95Ms'] as number | null),
          LATENCY_P99: formatLatency(r['latencyP99Ms'] as number | null),
          TCP_CONN: idle ? NO_DATA : formatCount(r['tcpOpenConnections'] as number),
        };
        for (const [col, v] of Object.entries(expect)) {
          if (!sameCell(col, l[col], v))
            problems.push(`${String(r['name'])} ${col}: table ${l[col]}, JSON says ${v}`);
        }
      }
      return problems;
    });
    const web = rows.find((r) => r['name'] === 'web');
    assert.ok(web);
    tt.diagnostic(
      `web: ${String(web['requests'])} requests counted, ${served} served (${warmups} warm-ups); success ${String(web['successRate'])} counted, ${(servedOk / served).toFixed(4)} served`,
    );
    assert.ok(counted(web['requests'] as number), `requests ${String(web['requests'])} vs ${served} served`);
    assert.ok(
      within(web['successRate'] as number, servedOk / served),
      `success ${String(web['successRate'])}`,
    );
    assert.equal(web['meshedPods'], 1);
    assert.equal(web['runningPods'], 1);
    assert.equal(web['tlsShare'], 1);
    assert.equal(typeof web['latencyP99Ms'], 'number');
    shape('stat', web);
    // The client serves nothing: no data, not 0 %.
    const client = rows.find((r) => r['name'] === 'client');
    assert.ok(client);
    assert.equal(client['successRate'], null);
    assert.equal(lines.find((l) => l['NAME'] === 'client')?.['SUCCESS'], '-');
    shape('stat', client);

    const pods = JSON.parse(
      (await runMeshctl(['stat', 'po/web-0', '-n', NAMESPACE, '-o', 'json', ...cp])).stdout,
    ) as { name: string; requests: number; successRate: number }[];
    assert.equal(pods.length, 1);
    assert.equal(pods[0]?.name, 'web-0');
    assert.ok(counted(pods[0]?.requests ?? 0));
    assert.ok(within(pods[0]?.successRate ?? 0, servedOk / served));
  });

  await t.test('routes: per route counts and success; table and JSON agree', async (tt) => {
    const args = ['routes', 'deploy/web', '-n', NAMESPACE, ...cp];
    const { rows, lines } = await tableAndJson(args, (rows, lines) => {
      const problems: string[] = [];
      if (lines.length !== rows.length) problems.push(`${lines.length} table rows, ${rows.length} in JSON`);
      for (const r of rows) {
        const l = lines.find((x) => x['ROUTE'] === r['route']) ?? {};
        const expect: Record<string, string> = {
          SERVICE: String(r['authority']),
          SUCCESS: formatPercent(r['successRate'] as number | null),
          RPS: r['requests'] === 0 && r['rps'] === 0 ? NO_DATA : formatRps(r['rps'] as number),
          LATENCY_P50: formatLatency(r['latencyP50Ms'] as number | null),
          LATENCY_P95: formatLatency(r['latencyP95Ms'] as number | null),
          LATENCY_P99: formatLatency(r['latencyP99Ms'] as number | null),
        };
        for (const [col, v] of Object.entries(expect)) {
          if (!sameCell(col, l[col], v))
            problems.push(`${String(r['route'])} ${col}: table ${l[col]}, JSON says ${v}`);
        }
      }
      return problems;
    });
    const books = rows.find((r) => r['route'] === 'GET /books/{id}');
    const fail = rows.find((r) => r['route'] === 'GET /fail/{id}');
    assert.ok(books && fail, JSON.stringify(rows));
    tt.diagnostic(
      `GET /books/{id}: ${String(books['requests'])} counted of ${OK_REQUESTS + 1} sent, success ${String(books['successRate'])}; GET /fail/{id}: ${String(fail['requests'])} of ${FAILED_REQUESTS + 1}, success ${String(fail['successRate'])}`,
    );
    // Each route's first request (the warm-up) may be invisible to increase().
    assert.ok(
      inRange(books['requests'] as number, OK_REQUESTS, OK_REQUESTS + 1),
      `books ${String(books['requests'])}`,
    );
    assert.equal(books['successRate'], 1);
    assert.ok(
      inRange(fail['requests'] as number, FAILED_REQUESTS, FAILED_REQUESTS + 1),
      `fail ${String(fail['requests'])}`,
    );
    assert.equal(fail['successRate'], 0);
    assert.equal(lines.find((l) => l['ROUTE'] === 'GET /fail/{id}')?.['SUCCESS'], '0.00%');
    shape('routes', books);
  });

  await t.test('edges: client to web over mTLS, with both identities', async () => {
    const rows = await waitFor(
      async () => {
        // A request keeps a connection open (idle pooled ones may have closed since the mix).
        await mesh.get('/edge-probe');
        const r = await runMeshctl(['edges', 'deploy', '-n', NAMESPACE, '-o', 'json', ...cp]);
        const edges = JSON.parse(r.stdout || '[]') as Record<string, unknown>[];
        return edges.some((e) => e['src'] === 'client' && e['dst'] === 'web') ? edges : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 500, what: 'the client → web edge' },
    );
    const edge = rows.find((e) => e['src'] === 'client' && e['dst'] === 'web');
    assert.deepEqual(edge, {
      kind: 'workload',
      src: 'client',
      srcNamespace: NAMESPACE,
      dst: 'web',
      dstNamespace: NAMESPACE,
      clientId: CLIENT_ID,
      serverId: WEB_ID,
      secured: true,
      noTlsReason: null,
    });
    shape('edges', edge);
    const table = await runMeshctl(['edges', 'deploy', '-n', NAMESPACE, '-o', 'wide', ...cp]);
    assert.equal(table.code, 0, table.stderr);
    const line = byHeader(table.stdout).find((l) => l['SRC'] === 'client');
    assert.deepEqual(line, {
      SRC: 'client',
      DST: 'web',
      SRC_NS: NAMESPACE,
      DST_NS: NAMESPACE,
      CLIENT_ID: CLIENT_ID,
      SERVER_ID: WEB_ID,
      SECURED: '√',
    });
    // Colour only when asked for, and never with NO_COLOR.
    const forced = await runMeshctl(['edges', 'deploy', '-n', NAMESPACE, ...cp], {
      env: { FORCE_COLOR: '1' },
    });
    assert.ok(forced.stdout.includes('\u001b[32m√'), forced.stdout);
    const none = await runMeshctl(['edges', 'deploy', '-n', NAMESPACE, ...cp], {
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    assert.ok(!none.stdout.includes('\u001b'), none.stdout);
  });
});
