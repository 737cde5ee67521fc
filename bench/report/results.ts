// The shape of bench/results/<timestamp>.json: everything needed to redraw the tables and charts or to
// compare two runs — machine, versions, exact commands, raw runs, summaries and the targets verdicts.
import type { Scenario, Timing } from '../plan.js';
import type { MemorySnapshot, RunSample } from '../runner.js';
import type { MachineInfo } from '../system/machine.js';
import type { Protocol, TargetId, TargetEndpoint } from '../targets/target.js';
import type { Check } from './checks.js';
import type { MemoryRow, ScenarioRow } from './summary.js';

export interface TargetRecord {
  readonly id: TargetId;
  readonly label: string;
  readonly notes: readonly string[];
  readonly processes: readonly { role: string; commandLine: string }[];
  readonly endpoints: Partial<Record<Protocol, Omit<TargetEndpoint, 'processes'> & { roles: string[] }>>;
  readonly configs: Readonly<Record<string, string>>;
}

export interface DiscardedRun {
  readonly scenario: string;
  readonly target: TargetId;
  readonly rep: number;
  readonly sendLagP99: number | undefined;
  readonly p99: number | undefined;
}

export interface BenchResults {
  readonly schema: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'quick' | 'full' | 'custom';
  /** The sidecar pair ran with mTLS (optional: sets saved before the field existed had none). */
  readonly mtls?: boolean;
  readonly argv: readonly string[];
  readonly timing: Timing;
  readonly machine: MachineInfo;
  readonly noise: {
    readonly loadAvgStart: number;
    readonly loadAvgEnd: number;
    /** Median over runs of the machine's busy cores (all processes), by scenario kind. */
    readonly note: string;
  };
  readonly origin: { readonly commandLine: string; readonly ports: Record<string, number> };
  readonly scenarios: readonly Scenario[];
  readonly targets: readonly TargetRecord[];
  readonly samples: readonly RunSample[];
  /** Fixed-rate runs repeated because the machine starved the load generator (only what identifies them). */
  readonly discarded: readonly DiscardedRun[];
  readonly memorySnapshots: readonly MemorySnapshot[];
  readonly rows: readonly ScenarioRow[];
  readonly memory: readonly MemoryRow[];
  readonly checks: readonly Check[];
  readonly skipped: readonly string[];
}
