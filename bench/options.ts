// `npm run bench -- [options]`: which scenarios and targets, how long, and the special modes.
import { parseArgs } from 'node:util';
import { FULL, QUICK, SCENARIOS, type Scenario, type Timing } from './plan.js';
import { TARGET_IDS, type TargetId } from './targets/target.js';

export interface BenchOptions {
  readonly mode: 'quick' | 'full' | 'custom';
  readonly timing: Timing;
  readonly scenarios: readonly Scenario[];
  readonly targets: readonly TargetId[];
  readonly install: boolean;
  readonly mtls: boolean;
  readonly meshctlNodeFlags: readonly string[];
  readonly outDir: string | undefined;
  readonly action: 'bench' | 'validate' | 'profile' | 'report' | 'list' | 'help';
  /** --report: a saved results JSON to render again. */
  readonly reportFile: string | undefined;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick                 short runs (3 × 3 s fixed-rate, 2 × 3 s saturation): ~5 minutes
  --scenarios LIST        comma-separated scenario ids, or: rate, max, all, default (default: default)
  --targets LIST          comma-separated targets (default: all): ${TARGET_IDS.join(', ')}
                          direct is always added: every "added" figure subtracts it
  --reps N                repetitions per scenario (overrides the mode)
  --duration S            seconds per measured run (fixed-rate and saturation alike)
  --warmup S              unrecorded warm-up per target and scenario (0 to skip)
  --meshctl-node-flags=F Node flags for the meshctl proxies, e.g. --meshctl-node-flags="--max-semi-space-size=4" (with =: the value starts with a dash)
  --no-mtls               run the sidecar pair in plaintext (default: mesh mTLS between the two proxies)
  --no-install            never run apt-get; skip targets whose tools are missing
  --out DIR               where results go (default: bench/results)
  --validate              compare meshload with h2load --rps and wrk instead of benchmarking
  --profile               profile the meshctl proxy (CPU profile, GC trace) at 1k RPS and at saturation
  --report FILE           render a saved results JSON again (latest.md, latest.svg, terminal) with the current code
  --list                  list scenarios and targets
  -h, --help
`;

function list<T extends string>(text: string, allowed: readonly T[], what: string): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const i of items) {
    if (!allowed.includes(i as T)) throw new Error(`unknown ${what} "${i}" (known: ${allowed.join(', ')})`);
  }
  return items as T[];
}

function positive(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      reps: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'meshctl-node-flags': { type: 'string' },
      mtls: { type: 'boolean' },
      'no-mtls': { type: 'boolean' },
      'no-install': { type: 'boolean' },
      out: { type: 'string' },
      validate: { type: 'boolean' },
      profile: { type: 'boolean' },
      report: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.mtls === true && values['no-mtls'] === true) throw new Error('--mtls and --no-mtls contradict');
  let timing: Timing = values.quick === true ? QUICK : FULL;
  let mode: BenchOptions['mode'] = values.quick === true ? 'quick' : 'full';
  if (values.reps !== undefined) {
    const reps = Math.max(1, Math.round(positive('reps', values.reps)));
    timing = { ...timing, reps, rateReps: reps, secondaryReps: Math.min(timing.secondaryReps, reps) };
    mode = 'custom';
  }
  if (values.duration !== undefined) {
    const d = positive('duration', values.duration);
    timing = { ...timing, rateS: d, maxS: d };
    mode = 'custom';
  }
  if (values.warmup !== undefined) timing = { ...timing, warmupS: positive('warmup', values.warmup) };

  const ids = SCENARIOS.map((s) => s.id);
  const wanted = values.scenarios ?? 'default';
  let scenarios: Scenario[];
  if (wanted === 'default') scenarios = SCENARIOS.filter((s) => s.byDefault);
  else if (wanted === 'all') scenarios = [...SCENARIOS];
  else if (wanted === 'rate' || wanted === 'max') scenarios = SCENARIOS.filter((s) => s.kind === wanted);
  else {
    const chosen = list(wanted, ids, 'scenario');
    scenarios = SCENARIOS.filter((s) => chosen.includes(s.id));
  }
  const targets = values.targets === undefined ? [...TARGET_IDS] : list(values.targets, TARGET_IDS, 'target');
  if (!targets.includes('direct')) targets.unshift('direct');

  const action: BenchOptions['action'] =
    values.help === true
      ? 'help'
      : values.list === true
        ? 'list'
        : values.validate === true
          ? 'validate'
          : values.profile === true
            ? 'profile'
            : values.report !== undefined
              ? 'report'
              : 'bench';
  return {
    mode,
    timing,
    scenarios,
    targets: TARGET_IDS.filter((t) => targets.includes(t)),
    install: values['no-install'] !== true,
    // mTLS is the default (the figure is the pair with mTLS); --mtls is accepted for explicitness.
    mtls: values['no-mtls'] !== true,
    meshctlNodeFlags: (values['meshctl-node-flags'] ?? '').split(/\s+/).filter((s) => s !== ''),
    outDir: values.out,
    action,
    reportFile: values.report,
  };
}
