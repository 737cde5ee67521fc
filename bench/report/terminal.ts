// What `npm run bench` prints at the end: an asciichart percentile spectrum (log scale) of each fixed-rate
// scenario, bars for saturation throughput, and the targets verdicts.
import * as asciichart from 'asciichart';
import { SPECTRUM_PERCENTILES } from '../loadgen/histogram.js';
import { num, rpsText } from './markdown.js';
import type { BenchResults } from './results.js';
import { spread } from './summary.js';

const CHART_COLORS = [
  asciichart.lightgray,
  asciichart.green,
  asciichart.cyan,
  asciichart.yellow,
  asciichart.magenta,
  asciichart.blue,
  asciichart.red,
];
/** Columns per spectrum point, so the chart is wide enough to read. */
const STRETCH = 6;

function colour(text: string, c: string | undefined, tty: boolean): string {
  return tty && c !== undefined ? `${c}${text}${asciichart.reset}` : text;
}

function spectrumChart(r: BenchResults, scenario: string, tty: boolean): string[] {
  const targets = r.targets.map((t) => t.id);
  const lines: string[] = [];
  const series: number[][] = [];
  const colors: string[] = [];
  const legend: string[] = [];
  targets.forEach((t, i) => {
    const specs = r.samples
      .filter(
        (s) => s.scenario === scenario && s.target === t && s.spectrum !== undefined && s.spectrum.length > 0,
      )
      .map((s) => s.spectrum as readonly number[]);
    if (specs.length === 0) return;
    const median = SPECTRUM_PERCENTILES.map((_, k) => spread(specs.map((sp) => sp[k] ?? Number.NaN)).median);
    const logs = median.flatMap((v) => Array<number>(STRETCH).fill(Math.log10(Math.max(v, 0.01))));
    series.push(logs);
    colors.push(CHART_COLORS[i % CHART_COLORS.length] as string);
    const label = r.targets.find((x) => x.id === t)?.label ?? t;
    legend.push(colour(`■ ${label}`, CHART_COLORS[i % CHART_COLORS.length], tty));
  });
  if (series.length === 0) return lines;
  lines.push(`${scenario}: corrected latency by percentile (ms, log scale), median of repetitions`);
  lines.push(
    asciichart.plot(series, {
      height: 12,
      colors: tty ? colors : undefined,
      format: (x: number) => `${num(10 ** x, 10 ** x >= 10 ? 1 : 2).padStart(7)} ┤`.slice(0, 9),
    }),
  );
  const axis = SPECTRUM_PERCENTILES.map((p) => (p === 0 ? 'min' : `p${p}`).padEnd(STRETCH)).join('');
  lines.push(`${' '.repeat(10)}${axis}`);
  lines.push(`  ${legend.join('  ')}`);
  return lines;
}

function throughputBars(r: BenchResults, scenario: string): string[] {
  const rows = r.rows.filter((x) => x.scenario === scenario);
  if (rows.length === 0) return [];
  const top = Math.max(...rows.map((x) => x.rps.median).filter(Number.isFinite), 1);
  const lines = [`${scenario}: ${r.scenarios.find((s) => s.id === scenario)?.title ?? ''}`];
  for (const x of rows) {
    const label = (r.targets.find((t) => t.id === x.target)?.label ?? x.target).padEnd(24);
    const width = Number.isFinite(x.rps.median) ? Math.round((x.rps.median / top) * 40) : 0;
    const vs = Number.isFinite(x.vsHaproxy ?? Number.NaN)
      ? ` ${((x.vsHaproxy as number) * 100).toFixed(0)}% of HAProxy`
      : '';
    lines.push(
      `  ${label} ${'█'.repeat(width)}${' '.repeat(40 - width)} ${rpsText(x.rps.median).padStart(6)} req/s${vs}`,
    );
  }
  return lines;
}

export function renderTerminal(r: BenchResults, tty: boolean): string {
  const out: string[] = [''];
  for (const sc of r.scenarios.filter((s) => s.kind === 'rate')) {
    const chart = spectrumChart(r, sc.id, tty);
    if (chart.length > 0) out.push(...chart, '');
  }
  for (const sc of r.scenarios.filter((s) => s.kind === 'max')) {
    const bars = throughputBars(r, sc.id);
    if (bars.length > 0) out.push(...bars, '');
  }
  out.push('Targets (meshctl):');
  for (const c of r.checks) {
    const mark =
      c.verdict === 'miss'
        ? colour('✗ miss', asciichart.red, tty)
        : c.verdict === 'n/a'
          ? '– n/a'
          : c.verdict === 'inconclusive'
            ? colour('? inconclusive', asciichart.yellow, tty)
            : colour(`✓ ${c.verdict}`, asciichart.green, tty);
    out.push(
      `  ${mark.padEnd(tty ? 24 : 15)} ${c.figure}: ${c.measured} (must ${c.must}, aim ${c.aim})${c.borderline ? ' borderline' : ''}${c.note === '' ? '' : ` — ${c.note}`}`,
    );
  }
  return `${out.join('\n')}\n`;
}
