// `npm run bench -- --validate`: cross-checks meshload against the packaged tools on the same targets.
//  1. 1,000 RPS, same connection count: meshload (corrected and uncorrected) vs h2load --rps (HTTP/1.1 via
//     --h1, and HTTP/2), which times each request from its actual send (not CO-corrected).
//  2. Capacity: wrk's closed-loop max vs meshload offered 80 % and 120 % of it — below capacity the two
//     latency views agree; above it only the corrected one shows the queue that builds up.
//  3. Known stall: the origin freezes for 200 ms once a second while meshload and h2load run at 1,000 RPS.
//     20 % of the intended requests fall into a stall, so a CO-corrected p90 should be ≈ 100 ms and p99
//     ≈ 190 ms; a tool that times only what it actually sent reports far less.
import { writeFileSync } from 'node:fs';
import { http } from '../src/common/node-http.js';
import path from 'node:path';
import type { BenchOptions } from './options.js';
import { REPO_ROOT, type Session } from './session.js';
import { AUTHORITY, type TargetId } from './targets/target.js';
import { runH2load, runWrk } from './tools/closed-loop.js';
import { runMeshload } from './tools/meshload.js';

interface Row {
  readonly check: string;
  readonly target: TargetId;
  readonly tool: string;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number | undefined;
  readonly max: number;
  readonly note: string;
}

/** Freezes the origin for `ms` once a second while `during` runs. */
async function withStalls<T>(port: number, ms: number, during: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    http
      .get({ host: '127.0.0.1', port, path: `/block/${ms}`, agent: false }, (res) => res.resume())
      .on('error', () => undefined);
  }, 1000);
  try {
    return await during();
  } finally {
    clearInterval(timer);
  }
}

async function stallCheck(session: Session, durationS: number, push: (r: Row) => void): Promise<void> {
  const h2load = session.tools.get('h2load')?.path as string;
  const port = session.originPorts.h1;
  const url = `http://127.0.0.1:${port}/`;
  const check = '200 ms stall every 1 s';
  const m = await withStalls(port, 200, () =>
    runMeshload(session.registry, {
      url,
      protocol: 'h1',
      rate: 1000,
      connections: 16,
      durationS,
      authority: AUTHORITY.h1,
    }),
  );
  push({
    check,
    target: 'direct',
    tool: 'meshload (corrected)',
    rps: m.achievedRps,
    ...m.corrected,
    note: 'expect p90 ≈ 100, p99 ≈ 190',
  });
  push({
    check,
    target: 'direct',
    tool: 'meshload (uncorrected)',
    rps: m.achievedRps,
    ...m.uncorrected,
    note: '',
  });
  const h = await withStalls(port, 200, () =>
    runH2load(session.registry, h2load, {
      url,
      clients: 16,
      streams: 1,
      durationS,
      rpsPerClient: 62.5,
      h1: true,
      authority: AUTHORITY.h1,
    }),
  );
  push({
    check,
    target: 'direct',
    tool: 'h2load --rps --h1',
    rps: h.rps,
    ...h.latency,
    note: 'from actual send',
  });
}

const f = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));

export async function runValidation(
  session: Session,
  options: BenchOptions,
  log: (l: string) => void,
): Promise<void> {
  const h2load = session.tools.get('h2load')?.path;
  const wrk = session.tools.get('wrk')?.path;
  if (h2load === undefined || wrk === undefined) throw new Error('--validate needs h2load and wrk');
  const durationS = options.mode === 'quick' ? 5 : 10;
  const rows: Row[] = [];
  const push = (r: Row): void => {
    rows.push(r);
    log(
      `  ${r.check.padEnd(22)} ${r.target.padEnd(8)} ${r.tool.padEnd(28)} ${r.rps.toFixed(0).padStart(6)}/s p50 ${f(r.p50)} p90 ${f(r.p90)} p99 ${f(r.p99)} p99.9 ${f(r.p999)} max ${f(r.max)} ${r.note}`,
    );
  };
  for (const id of ['direct', 'meshctl', 'haproxy'] as const) {
    const t = session.targets.get(id);
    if (t === undefined) continue;
    for (const proto of ['h1', 'h2'] as const) {
      const ep = t.endpoints[proto];
      if (ep === undefined) continue;
      const url = `http://127.0.0.1:${ep.port}/`;
      const check = `${proto} 1k RPS, 10 conns`;
      const m = await runMeshload(session.registry, {
        url,
        protocol: proto,
        rate: 1000,
        connections: 10,
        durationS,
        authority: AUTHORITY[proto],
      });
      push({
        check,
        target: id,
        tool: 'meshload (corrected)',
        rps: m.achievedRps,
        ...m.corrected,
        note: `send lag p99 ${m.sendLag.p99} ms`,
      });
      push({
        check,
        target: id,
        tool: 'meshload (uncorrected)',
        rps: m.achievedRps,
        ...m.uncorrected,
        note: '',
      });
      const h = await runH2load(session.registry, h2load, {
        url,
        clients: 10,
        streams: 1,
        durationS,
        rpsPerClient: 100,
        h1: proto === 'h1',
        authority: AUTHORITY[proto],
      });
      push({
        check,
        target: id,
        tool: `h2load --rps${proto === 'h1' ? ' --h1' : ''}`,
        rps: h.rps,
        ...h.latency,
        note: 'from actual send',
      });
    }
    const ep = t.endpoints.h1;
    if (ep === undefined) continue;
    const url = `http://127.0.0.1:${ep.port}/`;
    const w = await runWrk(session.registry, wrk, { url, connections: 50, durationS, host: AUTHORITY.h1 });
    push({
      check: 'h1 capacity, 50 conns',
      target: id,
      tool: 'wrk (closed loop)',
      rps: w.rps,
      ...w.latency,
      note: 'p99.9 not reported by wrk',
    });
    for (const share of [0.8, 1.2]) {
      const rate = Math.round(w.rps * share);
      const m = await runMeshload(session.registry, {
        url,
        protocol: 'h1',
        rate,
        connections: 50,
        durationS,
        authority: AUTHORITY.h1,
      });
      const note = `offered ${rate}/s (${share * 100} % of wrk), max backlog ${m.maxBacklog}`;
      push({
        check: 'h1 capacity, 50 conns',
        target: id,
        tool: `meshload ${share * 100}% corrected`,
        rps: m.achievedRps,
        ...m.corrected,
        note,
      });
      push({
        check: 'h1 capacity, 50 conns',
        target: id,
        tool: `meshload ${share * 100}% uncorrected`,
        rps: m.achievedRps,
        ...m.uncorrected,
        note: '',
      });
    }
  }
  await stallCheck(session, durationS, push);
  const md = [
    `# meshload validation — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Runs of ${durationS} s on a shared machine; latencies in ms.`,
    '',
    '| check | target | tool | req/s | p50 | p90 | p99 | p99.9 | max | note |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.check} | ${r.target} | ${r.tool} | ${r.rps.toFixed(0)} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${f(r.p999)} | ${f(r.max)} | ${r.note} |`,
    ),
    '',
  ].join('\n');
  const out = path.join(options.outDir ?? path.join(REPO_ROOT, 'bench', 'results'), 'validation.md');
  writeFileSync(out, md);
  log(`\nwrote ${path.relative(process.cwd(), out)}`);
}
