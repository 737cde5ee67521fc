// bench/results/latest.md: the targets verdicts first, then one table per scenario (median over
// repetitions, spread in brackets), memory, and how everything was run (machine, versions, commands).
import type { BenchResults } from './results.js';
import type { ScenarioRow, Spread } from './summary.js';

const NBSP = ' ';

export function num(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

function ms(s: Spread | undefined, signed = false): string {
  if (s === undefined || s.n === 0) return '–';
  const f = (v: number): string => `${signed && v >= 0 ? '+' : ''}${num(v, Math.abs(v) >= 10 ? 1 : 3)}`;
  return s.n > 1 ? `${f(s.median)}${NBSP}<sub>${f(s.min)}…${f(s.max)}</sub>` : f(s.median);
}

export function rpsText(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0);
}

function rps(s: Spread): string {
  if (s.n === 0) return '–';
  return s.n > 1
    ? `${rpsText(s.median)}${NBSP}<sub>${rpsText(s.min)}…${rpsText(s.max)}</sub>`
    : rpsText(s.median);
}

function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(0)} %`;
}

function mb(v: number | undefined): string {
  return v === undefined ? '–' : v.toFixed(1);
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function rateTable(r: BenchResults, rows: readonly ScenarioRow[]): string {
  const label = (id: string): string => r.targets.find((t) => t.id === id)?.label ?? id;
  return table(
    [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'added p50',
      'added p99',
      'added p99.9',
      'uncorr. p50 / p99 / p99.9',
      'proxy cores per 1k RPS',
      'errors',
      'noisy runs',
    ],
    rows.map((x) => [
      label(x.target),
      rps(x.rps),
      ms(x.corrected?.p50),
      ms(x.corrected?.p99),
      ms(x.corrected?.p999),
      ms(x.corrected?.max),
      ms(x.added?.p50, true),
      ms(x.added?.p99, true),
      ms(x.added?.p999, true),
      `${num(x.uncorrected?.p50.median ?? Number.NaN)} / ${num(x.uncorrected?.p99.median ?? Number.NaN)} / ${num(x.uncorrected?.p999.median ?? Number.NaN)}`,
      ms(x.cpuPer1kRps),
      String(x.errors),
      `${x.noisyRuns}/${x.runs}`,
    ]),
  );
}

function maxTable(r: BenchResults, rows: readonly ScenarioRow[], bodies: boolean): string {
  const label = (id: string): string => r.targets.find((t) => t.id === id)?.label ?? id;
  return table(
    [
      'target',
      'req/s',
      ...(bodies ? ['MB/s'] : []),
      'vs HAProxy',
      'vs undici',
      'proxy cores',
      'req/s per proxy core',
      'per core vs HAProxy',
      'origin cores',
      'p50 / p99 ms',
      'errors',
    ],
    rows.map((x) => [
      label(x.target),
      rps(x.rps),
      ...(bodies ? [num(x.mbPerSec.median, 0)] : []),
      pct(x.vsHaproxy),
      pct(x.vsUndici),
      num(x.proxyCores?.median ?? Number.NaN, 2),
      rpsText(x.rpsPerCore?.median ?? Number.NaN),
      pct(x.vsHaproxyPerCore),
      num(x.originCores.median, 2),
      `${num(x.closedP50 ?? Number.NaN, 2)} / ${num(x.closedP99 ?? Number.NaN, 2)}`,
      String(x.errors),
    ]),
  );
}

export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`# meshctl benchmarks — ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${r.mode})`);
  out.push('');
  out.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GiB, ${m.distro}, ${m.kernel}. ` +
      `Load average ${r.noise.loadAvgStart} at start, ${r.noise.loadAvgEnd} at the end. ${r.noise.note}`,
  );
  out.push('');
  out.push(
    `Versions: ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}.`,
  );
  out.push('');
  out.push(
    `Timing: fixed-rate runs ${r.timing.rateReps} × ${r.timing.rateS} s, saturation runs ${r.timing.reps} × ${r.timing.maxS} s ` +
      `(${r.timing.secondaryReps} × for body-size/TCP-bytes scenarios), ${r.timing.warmupS} s unrecorded warm-up per target and scenario; ` +
      `targets interleaved, order rotated per repetition. Figures are medians over repetitions; ` +
      `<sub>small numbers</sub> are the min…max over repetitions.`,
  );
  out.push('');
  out.push('## Against the issue’s targets (meshctl, per hop unless noted)');
  out.push('');
  out.push(
    table(
      ['figure', 'measured (median, range)', 'must', 'aim', 'verdict', 'note'],
      r.checks.map((c) => [
        c.figure,
        c.measured,
        c.must,
        c.aim,
        `**${c.verdict}**${c.borderline ? ' (borderline: the range crosses the must)' : ''}`,
        c.note,
      ]),
    ),
  );
  for (const sc of r.scenarios) {
    const rows = r.rows.filter((x) => x.scenario === sc.id);
    if (rows.length === 0) continue;
    out.push('');
    out.push(`## ${sc.id}: ${sc.title}`);
    out.push('');
    out.push(sc.kind === 'rate' ? rateTable(r, rows) : maxTable(r, rows, sc.bodyBytes > 1000));
    const notes = r.targets
      .filter((t) => rows.some((x) => x.target === t.id))
      .flatMap((t) => {
        const n = t.endpoints[sc.endpoint]?.note;
        return n === undefined ? [] : [`${t.label}: ${n}`];
      });
    if (notes.length > 0) out.push('', ...notes.map((n) => `* ${n}`));
  }
  out.push('');
  out.push('## Memory (MB)');
  out.push('');
  out.push(
    table(
      [
        'target',
        'process',
        'idle RSS',
        'idle anon',
        'VmHWM after HTTP/1.1 1k RPS',
        'VmHWM after all 1k RPS runs',
        'VmHWM at end (peak)',
        'RSS at end',
      ],
      r.memory.map((x) => [
        r.targets.find((t) => t.id === x.target)?.label ?? x.target,
        x.role,
        mb(x.idleRssMb),
        mb(x.idleAnonMb),
        mb(x.hwmAfterH1RateMb),
        mb(x.hwmAfterRatesMb),
        mb(x.peakHwmMb),
        mb(x.endRssMb),
      ]),
    ),
  );
  out.push('');
  out.push('## How it ran');
  out.push('');
  out.push(`Command: \`npm run bench -- ${r.argv.join(' ')}\``.replace(' -- `', '`'));
  out.push('');
  out.push(`Origin: \`${r.origin.commandLine}\``);
  out.push('');
  for (const t of r.targets) {
    out.push(`* **${t.label}** — ${t.notes.join('; ')}`);
    for (const p of t.processes) out.push(`  * ${p.role}: \`${p.commandLine}\``);
  }
  out.push('');
  out.push('Load commands (first repetition of each scenario × target; ports differ per run):');
  out.push('');
  out.push('```');
  const seen = new Set<string>();
  for (const s of r.samples) {
    const key = `${s.scenario}/${s.target}`;
    if (seen.has(key) || s.commandLine === '') continue;
    seen.add(key);
    out.push(`${key.padEnd(28)} ${s.commandLine}`);
  }
  out.push('```');
  for (const [name, text] of r.targets.flatMap((t) => Object.entries(t.configs))) {
    out.push('', `<details><summary>${name}</summary>`, '', '```', text.trimEnd(), '```', '', '</details>');
  }
  if (r.skipped.length > 0) {
    out.push('', '## Skipped', '', ...r.skipped.map((s) => `* ${s}`));
  }
  out.push('');
  return `${out.join('\n')}\n`;
}
