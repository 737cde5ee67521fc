// Runs the scenarios against the targets, interleaved: every repetition visits every target once, in an
// order rotated per repetition (A B C, B C A, …), so slow drifts of a shared machine hit all targets alike.
// Each run records the tool's figures plus the CPU seconds of the target's processes and of the origin.
import { grpcFrame } from './loadgen/h2-transport.js';
import type { LatencySummary } from './loadgen/histogram.js';
import { targetsFor, type Scenario, type Timing } from './plan.js';
import { cpuSeconds, loadAverage, machineBusySeconds, treeMemory } from './system/proc-stats.js';
import type { ProcessRegistry } from './system/processes.js';
import { AUTHORITY, type RunningTarget, type TargetId } from './targets/target.js';
import { runH2load, runWrk, type ClosedLoopResult } from './tools/closed-loop.js';
import { runMeshload } from './tools/meshload.js';
import type { ToolInfo, ToolName } from './tools/tools.js';

export interface RunSample {
  readonly scenario: string;
  readonly target: TargetId;
  readonly rep: number;
  readonly commandLine: string;
  readonly error?: string;
  /** First distinct request/connection errors the load generator saw. */
  readonly errorSamples?: readonly string[];
  readonly durationS: number;
  readonly requests: number;
  readonly rps: number;
  readonly bytesPerSec: number;
  readonly errors: number;
  /** meshload: from the intended send time. */
  readonly corrected?: LatencySummary;
  /** meshload: from the actual write. */
  readonly uncorrected?: LatencySummary;
  /** meshload: p99 of how late requests left (generator precision + backlog), ms. */
  readonly sendLagP99?: number;
  /** meshload: corrected latency at SPECTRUM_PERCENTILES, ms. */
  readonly spectrum?: readonly number[];
  /** wrk / h2load latencies (closed loop, service time), ms. */
  readonly closedLoop?: ClosedLoopResult['latency'];
  /** CPU seconds of the target's processes during the run. */
  readonly proxyCpuS: number;
  readonly originCpuS: number;
  /** Busy CPU seconds of the whole machine (all processes, ours and others') during the run. */
  readonly machineBusyS: number;
  readonly wallS: number;
  readonly loadAvg: number;
  /** Fixed-rate run still starved after the retries (see NOISY_SEND_LAG_MS). */
  readonly noisy?: boolean;
}

export interface MemorySnapshot {
  readonly when: string;
  readonly target: TargetId;
  readonly role: string;
  readonly rssKb: number;
  readonly hwmKb: number;
  readonly anonKb: number;
}

export interface RunnerDeps {
  readonly registry: ProcessRegistry;
  readonly tools: ReadonlyMap<ToolName, ToolInfo>;
  readonly targets: ReadonlyMap<TargetId, RunningTarget>;
  readonly originPid: number;
  readonly timing: Timing;
  readonly log: (line: string) => void;
}

/**
 * A fixed-rate run whose requests left this late (p99, ms) was starved of CPU by something else on the
 * machine: meshload could not keep its own schedule, so the run says more about the neighbours than about
 * the target. Such runs are repeated (up to NOISY_RETRIES times) and kept in the results as discarded.
 */
const NOISY_SEND_LAG_MS = 2;
const NOISY_RETRIES = 1;

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return items.map((_, i) => items[(i + by) % n] as T);
}

function fmtRps(v: number): string {
  return v >= 10_000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0);
}

export class Runner {
  readonly samples: RunSample[] = [];
  /** Runs repeated because the machine starved the load generator. */
  readonly discarded: RunSample[] = [];
  readonly memory: MemorySnapshot[] = [];

  constructor(private readonly deps: RunnerDeps) {}

  /** Memory of every target process now (VmRSS, VmHWM = peak so far, RssAnon). */
  snapshotMemory(when: string): void {
    for (const t of this.deps.targets.values()) {
      for (const p of t.processes) {
        const m = treeMemory(p.pid);
        if (m !== undefined) {
          this.memory.push({ when, target: t.id, role: p.role, rssKb: m.rss, hwmKb: m.hwm, anonKb: m.anon });
        }
      }
    }
  }

  /** The targets a scenario will run against, in base order; direct always included for rate runs. */
  eligible(s: Scenario): TargetId[] {
    const ids = targetsFor(s, [...this.deps.targets.keys()]).filter(
      (id) => this.deps.targets.get(id)?.endpoints[s.endpoint] !== undefined && this.toolFor(s) !== undefined,
    );
    return ids;
  }

  private toolFor(s: Scenario): string | undefined {
    if (s.tool === 'meshload') return process.execPath;
    return this.deps.tools.get(s.tool)?.path;
  }

  async runScenario(s: Scenario): Promise<void> {
    const { timing, log } = this.deps;
    const ids = this.eligible(s);
    if (ids.length === 0) {
      log(`  ${s.id}: skipped (no target or tool for it)`);
      return;
    }
    const reps = s.kind === 'rate' ? timing.rateReps : s.secondary ? timing.secondaryReps : timing.reps;
    const durationS = s.kind === 'rate' ? timing.rateS : timing.maxS;
    log(`\n▶ ${s.id}: ${s.title} — ${ids.length} targets × ${reps} reps × ${durationS}s`);
    for (let rep = 0; rep < reps; rep++) {
      for (const id of rotate(ids, rep)) {
        const target = this.deps.targets.get(id) as RunningTarget;
        if (rep === 0 && timing.warmupS > 0) {
          // JIT and connection pools warm; not recorded. Saturation warms faster: half as long.
          const warm = s.kind === 'rate' ? timing.warmupS : Math.max(1, timing.warmupS / 2);
          await this.measure(s, target, -1, warm).catch(() => undefined);
        }
        let sample = await this.measure(s, target, rep, durationS);
        for (let retry = 0; s.kind === 'rate' && (sample.sendLagP99 ?? 0) > NOISY_SEND_LAG_MS; retry++) {
          if (retry === NOISY_RETRIES) {
            sample = { ...sample, noisy: true };
            break;
          }
          log(
            `  rep ${rep + 1} ${id.padEnd(12)} load generator starved (send lag p99 ${sample.sendLagP99} ms): again`,
          );
          this.discarded.push(sample);
          sample = await this.measure(s, target, rep, durationS);
        }
        this.samples.push(sample);
        const lat =
          sample.corrected !== undefined
            ? `p50 ${sample.corrected.p50} p99 ${sample.corrected.p99} p99.9 ${sample.corrected.p999} ms`
            : sample.closedLoop !== undefined
              ? `p50 ${sample.closedLoop.p50} p99 ${sample.closedLoop.p99} ms`
              : '';
        const cpu =
          sample.proxyCpuS > 0 ? ` proxy ${(sample.proxyCpuS / sample.wallS).toFixed(2)} cores` : '';
        log(
          `  rep ${rep + 1} ${id.padEnd(12)} ${sample.error !== undefined ? `ERROR ${sample.error}` : `${fmtRps(sample.rps)} req/s ${lat}${cpu}${sample.errors > 0 ? ` errors ${sample.errors}` : ''}`}`,
        );
      }
    }
  }

  private async measure(
    s: Scenario,
    target: RunningTarget,
    rep: number,
    durationS: number,
  ): Promise<RunSample> {
    const endpoint = target.endpoints[s.endpoint];
    if (endpoint === undefined) throw new Error(`${target.id} has no ${s.endpoint} endpoint`);
    const pids = endpoint.processes.map((p) => p.pid);
    const dead = endpoint.processes.find((p) => this.deps.registry.byPid(p.pid)?.running !== true);
    const url = `http://127.0.0.1:${endpoint.port}${s.path}`;
    const authority = s.endpoint === 'tcp' ? undefined : AUTHORITY[s.endpoint];
    const cpu0 = cpuSeconds(pids);
    const origin0 = cpuSeconds([this.deps.originPid]);
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    const common = {
      scenario: s.id,
      target: target.id,
      rep,
    };
    const finish = (): Pick<
      RunSample,
      'proxyCpuS' | 'originCpuS' | 'machineBusyS' | 'wallS' | 'loadAvg'
    > => ({
      proxyCpuS: cpuSeconds(pids) - cpu0,
      originCpuS: cpuSeconds([this.deps.originPid]) - origin0,
      machineBusyS: machineBusySeconds() - busy0,
      wallS: (performance.now() - t0) / 1000,
      loadAvg: loadAverage(),
    });
    try {
      if (dead !== undefined) throw new Error(`${target.id} ${dead.role} (pid ${dead.pid}) is not running`);
      if (s.tool === 'meshload') {
        const r = await runMeshload(this.deps.registry, {
          url,
          protocol: s.loadProtocol,
          rate: s.rate,
          connections: s.connections,
          durationS,
          ...(authority !== undefined ? { authority } : {}),
        });
        const cost = finish();
        return {
          ...common,
          commandLine: r.commandLine,
          durationS: r.durationS,
          requests: r.completed,
          rps: r.achievedRps,
          bytesPerSec: r.bodyBytes / r.durationS,
          errors: r.errors + r.unfinished,
          corrected: r.corrected,
          uncorrected: r.uncorrected,
          sendLagP99: r.sendLag.p99,
          spectrum: r.spectrum,
          ...cost,
          ...(r.errorSamples.length > 0 ? { errorSamples: r.errorSamples } : {}),
        };
      }
      const r =
        s.tool === 'wrk'
          ? await runWrk(this.deps.registry, this.toolFor(s) as string, {
              url,
              connections: s.connections,
              durationS,
              ...(authority !== undefined ? { host: authority } : {}),
            })
          : await runH2load(this.deps.registry, this.toolFor(s) as string, {
              url,
              clients: s.connections,
              streams: s.streams,
              durationS,
              ...(authority !== undefined ? { authority } : {}),
              ...(s.loadProtocol === 'grpc' ? { grpcFrame: grpcFrame(Buffer.alloc(s.bodyBytes, 0x78)) } : {}),
            });
      const cost = finish();
      return {
        ...common,
        commandLine: r.commandLine,
        durationS: r.durationS,
        requests: r.requests,
        rps: r.rps,
        bytesPerSec: r.bytesPerSec,
        errors: r.errors + r.non2xx,
        closedLoop: r.latency,
        ...cost,
      };
    } catch (err) {
      return {
        ...common,
        commandLine: '',
        durationS,
        requests: 0,
        rps: 0,
        bytesPerSec: 0,
        errors: 0,
        error: err instanceof Error ? err.message.split('\n')[0] : String(err),
        ...finish(),
      };
    }
  }
}
