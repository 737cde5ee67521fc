// The results chart as a self-contained SVG (no dependencies): added p99 latency at 1,000 RPS per target
// and protocol, with the issue's must lines; and saturation throughput per target and scenario.
import type { BenchResults } from './results.js';

interface Series {
  readonly name: string;
  readonly color: string;
}

interface BarChart {
  readonly title: string;
  readonly groups: readonly string[];
  readonly series: readonly Series[];
  /** values[group][series]; NaN = not measured. */
  readonly values: readonly (readonly number[])[];
  readonly format: (v: number) => string;
  readonly refLines: readonly { value: number; label: string }[];
}

const W = 960;
const PANEL_H = 330;
const PAD = { left: 60, right: 20, top: 48, bottom: 70 };
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(c: BarChart, y0: number): string {
  const out: string[] = [];
  const plotW = W - PAD.left - PAD.right;
  const plotH = PANEL_H - PAD.top - PAD.bottom;
  const finite = c.values.flat().filter((v) => Number.isFinite(v));
  const hi = niceMax(Math.max(0, ...finite, ...c.refLines.map((r) => r.value)));
  const lo = Math.min(0, ...finite);
  const span = hi - lo || 1;
  const y = (v: number): number => y0 + PAD.top + plotH * (1 - (v - lo) / span);
  out.push(
    `<text x="${W / 2}" y="${y0 + 24}" text-anchor="middle" font-size="15" font-weight="bold">${esc(c.title)}</text>`,
  );
  // Axis and grid.
  for (let i = 0; i <= 4; i++) {
    const v = lo + (span * i) / 4;
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#555">${esc(c.format(v))}</text>`,
    );
  }
  out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`);
  const groupW = plotW / Math.max(1, c.groups.length);
  const barW = Math.min(28, (groupW * 0.8) / Math.max(1, c.series.length));
  c.groups.forEach((g, gi) => {
    const gx = PAD.left + gi * groupW + (groupW - barW * c.series.length) / 2;
    c.series.forEach((s, si) => {
      const v = c.values[gi]?.[si] ?? Number.NaN;
      const x = gx + si * barW;
      if (!Number.isFinite(v)) {
        out.push(
          `<text x="${x + barW / 2}" y="${y(0) - 4}" text-anchor="middle" font-size="9" fill="#999">–</text>`,
        );
        return;
      }
      const top = Math.min(y(v), y(0));
      const h = Math.max(1, Math.abs(y(v) - y(0)));
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(`${g} — ${s.name}: ${c.format(v)}`)}</title></rect>`,
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="9" fill="#333">${esc(c.format(v))}</text>`,
      );
    });
    out.push(
      `<text x="${PAD.left + gi * groupW + groupW / 2}" y="${y0 + PANEL_H - PAD.bottom + 16}" text-anchor="middle" font-size="12">${esc(g)}</text>`,
    );
  });
  for (const r of c.refLines) {
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(r.value)}" y2="${y(r.value)}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${W - PAD.right - 4}" y="${y(r.value) - 4}" text-anchor="end" font-size="11" fill="#c00">${esc(r.label)}</text>`,
    );
  }
  // Legend.
  let lx = PAD.left;
  const ly = y0 + PANEL_H - 22;
  for (const s of c.series) {
    out.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${lx + 16}" y="${ly}" font-size="12">${esc(s.name)}</text>`,
    );
    lx += 24 + s.name.length * 7;
  }
  return out.join('\n');
}

export function renderSvg(r: BenchResults): string {
  const label = (id: string): string => r.targets.find((t) => t.id === id)?.label ?? id;
  const row = (scenario: string, target: string) =>
    r.rows.find((x) => x.scenario === scenario && x.target === target);
  const proxies = r.targets.map((t) => t.id).filter((id) => id !== 'direct');
  const rateScenarios = [
    ['h1-1k', 'HTTP/1.1'],
    ['h2-1k', 'HTTP/2'],
    ['grpc-1k', 'gRPC unary'],
  ].filter(([id]) => r.rows.some((x) => x.scenario === id));
  const latency: BarChart = {
    title: 'Added p99 latency over direct at 1,000 RPS (ms, CO-corrected, median of repetitions)',
    groups: proxies.map(label),
    series: rateScenarios.map(([, name], i) => ({ name: name as string, color: COLORS[i] as string })),
    values: proxies.map((t) =>
      rateScenarios.map(([id]) => row(id as string, t)?.added?.p99.median ?? Number.NaN),
    ),
    format: (v) => v.toFixed(2),
    refLines: [
      { value: 0.5, label: 'HTTP/1.1 must ≤ 0.5 ms' },
      { value: 1, label: 'HTTP/2 & gRPC must ≤ 1 ms' },
    ],
  };
  const maxScenarios = [
    ['h1-max', 'HTTP/1.1'],
    ['h2-max', 'HTTP/2'],
    ['grpc-max', 'gRPC'],
    ['tcp-max', 'TCP pass-through'],
  ].filter(([id]) => r.rows.some((x) => x.scenario === id));
  const all = r.targets.map((t) => t.id);
  const throughput: BarChart = {
    title: 'Saturation throughput (req/s, one load-generator thread, median of repetitions)',
    groups: all.map(label),
    series: maxScenarios.map(([, name], i) => ({ name: name as string, color: COLORS[i] as string })),
    values: all.map((t) => maxScenarios.map(([id]) => row(id as string, t)?.rps.median ?? Number.NaN)),
    format: (v) => (v >= 1000 ? `${(v / 1000).toFixed(0)}k` : v.toFixed(0)),
    refLines: [],
  };
  const panels = [latency, throughput].filter((p) => p.series.length > 0);
  const h = panels.length * PANEL_H + 30;
  const body = panels.map((p, i) => panel(p, i * PANEL_H)).join('\n');
  const foot = `meshctl bench ${r.startedAt.slice(0, 16)} UTC · ${r.machine.cpus} × ${r.machine.cpuModel} · ${r.mode} mode · shared machine: see latest.md for spread`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${body}
<text x="${W / 2}" y="${h - 10}" text-anchor="middle" font-size="11" fill="#666">${esc(foot)}</text>
</svg>
`;
}
