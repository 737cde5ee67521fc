// `npm run bench -- --profile`: where the meshctl proxy spends CPU and allocates, measured on fresh proxies
// (one per phase so phases do not mix): --trace-gc for scavenges and bytes per request (the undici
// reference proxy alongside for scale), --cpu-prof for self time by function and area, and a sampling heap
// profiler that keeps collected objects for allocation sites. Also what each dependency adds to idle RSS.
// Writes profile.md and profile.json to --out (default bench/results/, ignored by git); raw profiles go to
// profiles/<time>/ below it.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AUTHORITY, firstJsonLine, type TargetContext } from '../targets/target.js';
import { startMeshctlOneHop } from '../targets/meshctl.js';
import { openSession, REPO_ROOT, type Session } from '../session.js';
import { cpuSeconds } from '../system/proc-stats.js';
import type { Managed, ProcessRegistry } from '../system/processes.js';
import { runH2load, runWrk } from '../tools/closed-loop.js';
import { runMeshload } from '../tools/meshload.js';
import { grpcFrame } from '../loadgen/h2-transport.js';
import { GRPC_ECHO_PATH } from '../origin/contract.js';
import { parseGcLine, summariseGc, type GcSummary } from './gc-trace.js';
import {
  summariseCpuProfile,
  summariseHeapProfile,
  type AllocSummary,
  type CpuProfile,
  type CpuSummary,
  type HeapNode,
} from './profiles.js';
import { renderProfileMarkdown } from './profile-report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

type Load = 'h1-1k' | 'h2-1k' | 'grpc-1k' | 'h1-max' | 'grpc-max';

interface Phase {
  readonly id: string;
  readonly what: 'gc' | 'cpu' | 'alloc';
  readonly proxy: 'meshctl' | 'undici';
  readonly load: Load;
}

const PHASES: readonly Phase[] = [
  { id: 'gc meshctl h1 1k', what: 'gc', proxy: 'meshctl', load: 'h1-1k' },
  { id: 'gc undici-ref h1 1k', what: 'gc', proxy: 'undici', load: 'h1-1k' },
  { id: 'gc meshctl h2 1k', what: 'gc', proxy: 'meshctl', load: 'h2-1k' },
  { id: 'gc meshctl grpc 1k', what: 'gc', proxy: 'meshctl', load: 'grpc-1k' },
  { id: 'gc meshctl h1 max', what: 'gc', proxy: 'meshctl', load: 'h1-max' },
  { id: 'cpu meshctl h1 1k', what: 'cpu', proxy: 'meshctl', load: 'h1-1k' },
  { id: 'cpu meshctl h1 max', what: 'cpu', proxy: 'meshctl', load: 'h1-max' },
  { id: 'cpu meshctl grpc max', what: 'cpu', proxy: 'meshctl', load: 'grpc-max' },
  { id: 'alloc meshctl h1 1k', what: 'alloc', proxy: 'meshctl', load: 'h1-1k' },
  { id: 'alloc meshctl grpc 1k', what: 'alloc', proxy: 'meshctl', load: 'grpc-1k' },
];

export interface PhaseResult {
  readonly phase: Phase;
  readonly commandLine: string;
  readonly loadCommand: string;
  readonly durationS: number;
  readonly requests: number;
  readonly rps: number;
  readonly proxyCores: number;
  readonly p99Ms: number | undefined;
  readonly p999Ms: number | undefined;
  readonly gc?: GcSummary;
  readonly cpu?: CpuSummary;
  readonly alloc?: AllocSummary;
}

export interface RssProbe {
  readonly module: string;
  readonly rssMb: number;
  readonly anonMb: number;
  readonly heapUsedMb: number;
}

async function drive(session: Session, load: Load, port: number, durationS: number) {
  const url = `http://127.0.0.1:${port}`;
  const wrk = session.tools.get('wrk')?.path;
  const h2load = session.tools.get('h2load')?.path;
  if (load === 'h1-max') {
    if (wrk === undefined) throw new Error('wrk is needed for the saturation phases');
    const r = await runWrk(session.registry, wrk, {
      url: `${url}/`,
      connections: 50,
      durationS,
      host: AUTHORITY.h1,
    });
    return { requests: r.requests, rps: r.rps, p99: r.latency.p99, p999: undefined, command: r.commandLine };
  }
  if (load === 'grpc-max') {
    if (h2load === undefined) throw new Error('h2load is needed for the gRPC saturation phase');
    const r = await runH2load(session.registry, h2load, {
      url: `${url}${GRPC_ECHO_PATH}`,
      clients: 10,
      streams: 10,
      durationS,
      authority: AUTHORITY.grpc,
      grpcFrame: grpcFrame(Buffer.alloc(64, 0x78)),
    });
    return {
      requests: r.requests,
      rps: r.rps,
      p99: r.latency.p99,
      p999: r.latency.p999,
      command: r.commandLine,
    };
  }
  const protocol = load === 'h1-1k' ? 'h1' : load === 'h2-1k' ? 'h2' : 'grpc';
  const r = await runMeshload(session.registry, {
    url: `${url}${protocol === 'grpc' ? GRPC_ECHO_PATH : '/'}`,
    protocol,
    rate: 1000,
    connections: protocol === 'h1' ? 16 : 10,
    durationS,
    authority: AUTHORITY[protocol],
  });
  return {
    requests: r.completed,
    rps: r.achievedRps,
    p99: r.corrected.p99,
    p999: r.corrected.p999,
    command: r.commandLine,
  };
}

async function startProfiled(
  session: Session,
  phase: Phase,
  flags: string[],
): Promise<{ proc: Managed; port: number; spawnAt: number }> {
  const spawnAt = performance.now();
  if (phase.proxy === 'undici') {
    const script = path.join(HERE, '..', 'targets', 'undici-proxy-server.js');
    const proc = session.registry.start(
      'undici-profiled',
      process.execPath,
      [...flags, script, String(session.originPorts.h1)],
      {
        stdinPipe: true,
      },
    );
    const { port } = await firstJsonLine<{ port: number }>(proc);
    return { proc, port, spawnAt };
  }
  const ctx: TargetContext = { ...session.ctx, meshctlNodeFlags: flags };
  const t = await startMeshctlOneHop(ctx);
  const pid = t.processes[0]?.pid ?? -1;
  const proc = session.registry.byPid(pid);
  const port = t.endpoints.h1?.port;
  if (proc === undefined || port === undefined) throw new Error('profiled proxy did not start');
  return { proc, port, spawnAt };
}

async function waitForFile(file: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (existsSync(file)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function runPhase(
  session: Session,
  phase: Phase,
  rawDir: string,
  warmupS: number,
  durationS: number,
): Promise<PhaseResult> {
  const dir = path.join(rawDir, phase.id.replaceAll(' ', '-'));
  mkdirSync(dir, { recursive: true });
  const heapFile = path.join(dir, 'alloc.heapprofile');
  const flags =
    phase.what === 'gc'
      ? ['--trace-gc']
      : phase.what === 'cpu'
        ? ['--cpu-prof', `--cpu-prof-dir=${dir}`]
        : ['--import', pathToFileURL(path.join(HERE, 'alloc-sampler.js')).href];
  process.env.MESHBENCH_HEAP_PROFILE = phase.what === 'alloc' ? heapFile : '';
  const { proc, port, spawnAt } = await startProfiled(session, phase, flags);
  try {
    await drive(session, phase.load, port, warmupS);
    if (phase.what === 'alloc') {
      process.kill(proc.pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 200));
    }
    const cpu0 = cpuSeconds([proc.pid]);
    const from = performance.now();
    const r = await drive(session, phase.load, port, durationS);
    const to = performance.now();
    const proxyCores = (cpuSeconds([proc.pid]) - cpu0) / ((to - from) / 1000);
    let gc: GcSummary | undefined;
    let alloc: AllocSummary | undefined;
    if (phase.what === 'gc') {
      const events = proc
        .stdout()
        .split('\n')
        .map(parseGcLine)
        .filter((e) => e !== undefined)
        .filter((e) => e.atMs >= from - spawnAt && e.atMs <= to - spawnAt);
      gc = summariseGc(events);
    }
    if (phase.what === 'alloc') {
      process.kill(proc.pid, 'SIGUSR2');
      if (await waitForFile(heapFile, 10_000)) {
        await new Promise((res) => setTimeout(res, 300));
        const profile = JSON.parse(readFileSync(heapFile, 'utf8')) as { head: HeapNode };
        alloc = summariseHeapProfile(profile.head, r.requests);
      }
    }
    await proc.stop('SIGTERM', 10_000);
    let cpu: CpuSummary | undefined;
    if (phase.what === 'cpu') {
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (file !== undefined) {
        const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
        cpu = summariseCpuProfile(profile, from - spawnAt, to - spawnAt);
      }
    }
    return {
      phase,
      commandLine: proc.commandLine.replace(process.execPath, 'node').replaceAll(`${REPO_ROOT}/`, ''),
      loadCommand: r.command,
      durationS,
      requests: r.requests,
      rps: r.rps,
      proxyCores,
      p99Ms: r.p99,
      p999Ms: r.p999,
      ...(gc !== undefined ? { gc } : {}),
      ...(cpu !== undefined ? { cpu } : {}),
      ...(alloc !== undefined ? { alloc } : {}),
    };
  } finally {
    await proc.stop('SIGKILL', 1000);
  }
}

async function probeRss(registry: ProcessRegistry): Promise<RssProbe[]> {
  const probe = path.join(HERE, 'rss-probe.js');
  const modules = [
    '',
    'undici',
    'undici/lib/dispatcher/pool.js',
    '@grpc/grpc-js',
    'yaml',
    './dist/src/proxy/proxy.js',
    './dist/src/cli/main.js',
  ];
  const out: RssProbe[] = [];
  for (const m of modules) {
    const r = await registry.run('rss-probe', process.execPath, [probe, m, REPO_ROOT], 20_000, {
      cwd: REPO_ROOT,
    });
    const line = r.stdout.trim().split('\n').pop();
    if (r.code === 0 && line !== undefined) out.push(JSON.parse(line) as RssProbe);
  }
  return out;
}

export async function runProfile(
  registry: ProcessRegistry,
  options: { install: boolean; quick: boolean; outDir: string | undefined },
  log: (line: string) => void,
): Promise<void> {
  const session = await openSession(
    registry,
    { targets: ['direct'], install: options.install, mtls: false, meshctlNodeFlags: [] },
    log,
  );
  const stamp = new Date()
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const resultsDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'bench', 'results'));
  const rawDir = path.join(resultsDir, 'profiles', stamp);
  mkdirSync(rawDir, { recursive: true });
  const warmupS = options.quick ? 2 : 3;
  const durationS = options.quick ? 6 : 15;
  const results: PhaseResult[] = [];
  try {
    for (const phase of PHASES) {
      log(`▶ ${phase.id} (${warmupS}s warm-up + ${durationS}s)`);
      try {
        const r = await runPhase(session, phase, rawDir, warmupS, durationS);
        results.push(r);
        const gc = r.gc;
        log(
          `  ${r.requests} requests, proxy ${r.proxyCores.toFixed(2)} cores` +
            (gc !== undefined
              ? `, ${gc.scavenges} scavenges (${gc.scavengeMeanMs.toFixed(2)}/${gc.scavengeMaxMs.toFixed(2)} ms), ${((gc.scavengeFreedMb * 1024) / r.requests).toFixed(1)} KB/request, ${gc.markCompacts} mark-compacts`
              : '') +
            (r.alloc !== undefined
              ? `, sampled ${(r.alloc.bytesPerRequest / 1024).toFixed(1)} KB/request`
              : '') +
            (r.cpu !== undefined ? `, top: ${r.cpu.top[0]?.name ?? '?'}` : ''),
        );
      } catch (err) {
        log(`  failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    log('▶ idle RSS by module');
    const rss = await probeRss(registry);
    for (const p of rss)
      log(`  ${(p.module || 'bare node').padEnd(34)} ${p.rssMb.toFixed(1)} MB (anon ${p.anonMb.toFixed(1)})`);
    const report = { startedAt: stamp, node: process.version, warmupS, durationS, phases: results, rss };
    writeFileSync(path.join(resultsDir, 'profile.json'), `${JSON.stringify(report, null, 1)}\n`);
    writeFileSync(path.join(resultsDir, 'profile.md'), renderProfileMarkdown(report));
    log(`\nwrote ${path.join(resultsDir, 'profile.md')} and profile.json; raw profiles in ${rawDir}/`);
  } finally {
    delete process.env.MESHBENCH_HEAP_PROFILE;
    await session.close();
  }
}
