// `npm run bench`: starts the origin and the targets, runs the scenarios interleaved, and writes
// bench/results/<timestamp>.json, latest.md and an SVG chart, then prints an asciichart summary.
// `--validate` and `--profile` run the load-generator cross-check and the meshctl proxy profile instead.
import path from 'node:path';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { SCENARIOS } from './plan.js';
import { runProfile } from './profile/profile.js';
import type { BenchResults, TargetRecord } from './report/results.js';
import { spread } from './report/summary.js';
import { readResults, refresh, writeResults } from './report/write.js';
import { Runner } from './runner.js';
import { createRegistry, openSession, REPO_ROOT, type Session } from './session.js';
import { describeMachine } from './system/machine.js';
import { loadAverage } from './system/proc-stats.js';
import { TARGET_IDS, type RunningTarget } from './targets/target.js';
import { runValidation } from './validate.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function targetRecord(t: RunningTarget): TargetRecord {
  const endpoints: TargetRecord['endpoints'] = {};
  for (const [proto, ep] of Object.entries(t.endpoints)) {
    endpoints[proto as keyof TargetRecord['endpoints']] = {
      port: ep.port,
      roles: ep.processes.map((p) => p.role),
      ...(ep.note !== undefined ? { note: ep.note } : {}),
    };
  }
  return {
    id: t.id,
    label: t.label,
    notes: t.notes,
    processes: t.processes.map((p) => ({
      role: p.role,
      commandLine: p.commandLine.replace(process.execPath, 'node'),
    })),
    endpoints,
    configs: t.configs,
  };
}

async function bench(options: BenchOptions, session: Session, argv: readonly string[]): Promise<void> {
  const startedAt = new Date();
  const loadAvgStart = loadAverage();
  const machine = describeMachine(REPO_ROOT, session.tools);
  const runner = new Runner({
    registry: session.registry,
    tools: session.tools,
    targets: session.targets,
    originPid: session.origin.pid,
    timing: options.timing,
    log,
  });
  // Idle memory: a few seconds after start, before any request.
  await new Promise((r) => setTimeout(r, 3000));
  runner.snapshotMemory('idle');
  const rate = options.scenarios.filter((s) => s.kind === 'rate');
  const max = options.scenarios.filter((s) => s.kind === 'max');
  for (const s of rate) {
    await runner.runScenario(s);
    if (s.id === 'h1-1k') runner.snapshotMemory('after h1-1k');
  }
  if (rate.length > 0) runner.snapshotMemory('after fixed-rate');
  for (const s of max) {
    await runner.runScenario(s);
    runner.snapshotMemory(`after ${s.id}`);
  }
  runner.snapshotMemory('end');

  const busy = (kind: 'rate' | 'max'): string => {
    const ids = new Set(options.scenarios.filter((s) => s.kind === kind).map((s) => s.id));
    const v = spread(runner.samples.filter((s) => ids.has(s.scenario)).map((s) => s.machineBusyS / s.wallS));
    return Number.isFinite(v.median)
      ? `${v.median.toFixed(2)} (${v.min.toFixed(2)}…${v.max.toFixed(2)})`
      : '–';
  };
  const results: BenchResults = refresh({
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.mode,
    mtls: options.mtls,
    argv,
    timing: options.timing,
    machine,
    noise: {
      loadAvgStart,
      loadAvgEnd: loadAverage(),
      note:
        `Whole-machine busy cores during runs (all processes, including other users'): fixed-rate ${busy('rate')}, ` +
        `saturation ${busy('max')} of ${machine.cpus}. ` +
        `${runner.discarded.length} fixed-rate runs were repeated because the load generator was starved ` +
        `(send lag p99 > 2 ms); ${runner.samples.filter((s) => s.noisy === true).length} stayed starved after a retry and are flagged noisy.`,
    },
    origin: {
      commandLine: session.origin.commandLine.replace(process.execPath, 'node').replace(REPO_ROOT + '/', ''),
      ports: { ...session.originPorts },
    },
    scenarios: options.scenarios,
    targets: [...session.targets.values()].map(targetRecord),
    // Ports do not change within a session, so one command line per scenario and target is enough.
    samples: runner.samples.map((s) => ({
      ...s,
      commandLine: s.rep === 0 ? s.commandLine.replace(REPO_ROOT + '/', '') : '',
    })),
    discarded: runner.discarded.map((d) => ({
      scenario: d.scenario,
      target: d.target,
      rep: d.rep,
      sendLagP99: d.sendLagP99,
      p99: d.corrected?.p99,
    })),
    memorySnapshots: runner.memory,
    rows: [],
    memory: [],
    checks: [],
    skipped: session.skipped,
  });
  writeResults(results, options.outDir ?? path.join(REPO_ROOT, 'bench', 'results'), log);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  if (options.action === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (options.action === 'list') {
    log('scenarios:');
    for (const s of SCENARIOS)
      log(`  ${s.id.padEnd(14)} ${s.kind.padEnd(5)} ${s.byDefault ? '        ' : '(extra) '}${s.title}`);
    log(`targets: ${TARGET_IDS.join(', ')}`);
    return;
  }
  if (options.action === 'report') {
    const file = options.reportFile as string;
    writeResults(readResults(file), options.outDir ?? path.dirname(path.resolve(file)), log);
    return;
  }
  const registry = createRegistry(log);
  if (options.action === 'profile') {
    await runProfile(
      registry,
      { install: options.install, quick: options.mode === 'quick', outDir: options.outDir },
      log,
    );
    await registry.stopAll();
    return;
  }
  const session = await openSession(
    registry,
    {
      targets: options.action === 'validate' ? ['direct', 'meshctl', 'haproxy'] : options.targets,
      install: options.install,
      mtls: options.mtls,
      meshctlNodeFlags: options.meshctlNodeFlags,
    },
    log,
  );
  try {
    if (options.action === 'validate') await runValidation(session, options, log);
    else await bench(options, session, argv);
  } finally {
    await session.close();
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
    process.exit(1);
  },
);
