// Folds the raw runs into the figures the issue asks for: per scenario and target the median over
// repetitions with its spread (min–max); latency added over direct, paired per repetition; max RPS as a
// share of HAProxy and of the undici proxy; CPU per 1,000 RPS; RSS idle, at 1,000 RPS and peak.
import type { Scenario } from '../plan.js';
import type { MemorySnapshot, RunSample } from '../runner.js';
import type { TargetId } from '../targets/target.js';

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export const PCTS = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
export type Pct = (typeof PCTS)[number];

export interface ScenarioRow {
  readonly scenario: string;
  readonly target: TargetId;
  readonly runs: number;
  readonly failedRuns: number;
  /** Fixed-rate runs whose load generator stayed starved by other work on the machine. */
  readonly noisyRuns: number;
  readonly rps: Spread;
  readonly mbPerSec: Spread;
  readonly errors: number;
  readonly proxyCores: Spread | undefined;
  readonly originCores: Spread;
  /** Rate runs: CPU seconds of the target per 1,000 requests = cores per 1,000 RPS. */
  readonly cpuPer1kRps: Spread | undefined;
  /** Saturation runs: requests per CPU second of the target. */
  readonly rpsPerCore: Spread | undefined;
  /** Rate runs, ms: from the intended send time. */
  readonly corrected?: Record<Pct, Spread>;
  readonly uncorrected?: Record<Pct, Spread>;
  /** Rate runs: this target minus direct, same repetition, corrected latencies (ms). */
  readonly added?: Record<Pct, Spread>;
  readonly addedUncorrected?: Record<Pct, Spread>;
  readonly sendLagP99Max?: number;
  /** Saturation runs: closed-loop latency medians (ms). */
  readonly closedP50?: number;
  readonly closedP99?: number;
  /** Saturation runs: median RPS over HAProxy's median RPS in the same scenario. */
  readonly vsHaproxy?: number;
  readonly vsHaproxyPerCore?: number;
  readonly vsUndici?: number;
  readonly machineBusyCores: Spread;
}

export interface MemoryRow {
  readonly target: TargetId;
  readonly role: string;
  readonly idleRssMb: number | undefined;
  readonly idleAnonMb: number | undefined;
  /** VmHWM once the 1,000 RPS HTTP/1.1 scenario is done (the process has seen only that load so far). */
  readonly hwmAfterH1RateMb: number | undefined;
  /** VmHWM after all fixed-rate scenarios (h1, h2, gRPC at 1,000 RPS). */
  readonly hwmAfterRatesMb: number | undefined;
  /** VmHWM at the end: includes saturation. */
  readonly peakHwmMb: number | undefined;
  readonly endRssMb: number | undefined;
}

export function spread(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  return { median, min: v[0] as number, max: v[v.length - 1] as number, n: v.length };
}

function pctSpreads(samples: readonly RunSample[], pick: (s: RunSample) => Record<Pct, number> | undefined) {
  const out = {} as Record<Pct, Spread>;
  for (const p of PCTS) out[p] = spread(samples.map((s) => pick(s)?.[p] ?? Number.NaN));
  return out;
}

function addedSpreads(
  samples: readonly RunSample[],
  direct: readonly RunSample[],
  pick: (s: RunSample) => Record<Pct, number> | undefined,
) {
  const out = {} as Record<Pct, Spread>;
  for (const p of PCTS) {
    const diffs: number[] = [];
    for (const s of samples) {
      const d = direct.find((x) => x.rep === s.rep);
      const a = pick(s)?.[p];
      const b = d === undefined ? undefined : pick(d)?.[p];
      if (a !== undefined && b !== undefined) diffs.push(a - b);
    }
    out[p] = spread(diffs);
  }
  return out;
}

export function summarise(scenarios: readonly Scenario[], samples: readonly RunSample[]): ScenarioRow[] {
  const rows: ScenarioRow[] = [];
  for (const sc of scenarios) {
    const inScenario = samples.filter((s) => s.scenario === sc.id);
    const ok = inScenario.filter((s) => s.error === undefined);
    const targets = [...new Set(inScenario.map((s) => s.target))];
    const direct = ok.filter((s) => s.target === 'direct');
    const medianRps = (t: TargetId): number =>
      spread(ok.filter((s) => s.target === t).map((s) => s.rps)).median;
    const perCore = (t: TargetId): number =>
      spread(ok.filter((s) => s.target === t && s.proxyCpuS > 0).map((s) => s.requests / s.proxyCpuS)).median;
    for (const target of targets) {
      const mine = ok.filter((s) => s.target === target);
      const hasProc = mine.some((s) => s.proxyCpuS > 0);
      const row: ScenarioRow = {
        scenario: sc.id,
        target,
        runs: mine.length,
        failedRuns: inScenario.filter((s) => s.target === target).length - mine.length,
        noisyRuns: mine.filter((s) => s.noisy === true).length,
        rps: spread(mine.map((s) => s.rps)),
        mbPerSec: spread(mine.map((s) => s.bytesPerSec / 1e6)),
        errors: mine.reduce((n, s) => n + s.errors, 0),
        proxyCores: hasProc ? spread(mine.map((s) => s.proxyCpuS / s.durationS)) : undefined,
        originCores: spread(mine.map((s) => s.originCpuS / s.durationS)),
        cpuPer1kRps:
          sc.kind === 'rate' && hasProc
            ? spread(mine.map((s) => (s.proxyCpuS * 1000) / s.requests))
            : undefined,
        rpsPerCore:
          sc.kind === 'max' && hasProc ? spread(mine.map((s) => s.requests / s.proxyCpuS)) : undefined,
        machineBusyCores: spread(mine.map((s) => s.machineBusyS / s.wallS)),
        ...(sc.kind === 'rate'
          ? {
              corrected: pctSpreads(mine, (s) => s.corrected),
              uncorrected: pctSpreads(mine, (s) => s.uncorrected),
              sendLagP99Max: Math.max(...mine.map((s) => s.sendLagP99 ?? 0)),
              ...(target !== 'direct' && direct.length > 0
                ? {
                    added: addedSpreads(mine, direct, (s) => s.corrected),
                    addedUncorrected: addedSpreads(mine, direct, (s) => s.uncorrected),
                  }
                : {}),
            }
          : {
              closedP50: spread(mine.map((s) => s.closedLoop?.p50 ?? Number.NaN)).median,
              closedP99: spread(mine.map((s) => s.closedLoop?.p99 ?? Number.NaN)).median,
              vsHaproxy: medianRps(target) / medianRps('haproxy'),
              vsHaproxyPerCore: hasProc ? perCore(target) / perCore('haproxy') : Number.NaN,
              vsUndici: medianRps(target) / medianRps('undici'),
            }),
      };
      rows.push(row);
    }
  }
  return rows;
}

export function summariseMemory(snapshots: readonly MemorySnapshot[]): MemoryRow[] {
  const keys = [...new Set(snapshots.map((m) => `${m.target}\u0000${m.role}`))];
  const mb = (kb: number | undefined): number | undefined => (kb === undefined ? undefined : kb / 1024);
  return keys.map((key) => {
    const [target, role] = key.split('\u0000') as [TargetId, string];
    const mine = snapshots.filter((m) => m.target === target && m.role === role);
    const at = (when: string): MemorySnapshot | undefined => mine.filter((m) => m.when === when).pop();
    const last = mine[mine.length - 1];
    return {
      target,
      role,
      idleRssMb: mb(at('idle')?.rssKb),
      idleAnonMb: mb(at('idle')?.anonKb),
      hwmAfterH1RateMb: mb(at('after h1-1k')?.hwmKb),
      hwmAfterRatesMb: mb(at('after fixed-rate')?.hwmKb),
      peakHwmMb: mb(last?.hwmKb),
      endRssMb: mb(last?.rssKb),
    };
  });
}
