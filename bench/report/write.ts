// Writing a results set: <timestamp>.json (compact), latest.md and latest.svg, plus the terminal summary;
// and recomputing the summaries of a saved set, so `--report FILE` re-renders it with the current code.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateTargets } from './checks.js';
import { renderMarkdown } from './markdown.js';
import type { BenchResults, DiscardedRun } from './results.js';
import { summarise, summariseMemory } from './summary.js';
import { renderSvg } from './svg.js';
import { renderTerminal } from './terminal.js';

/** Rows, memory and verdicts derived again from the raw runs. */
export function refresh(r: BenchResults): BenchResults {
  const rows = summarise(r.scenarios, r.samples);
  const memory = summariseMemory(r.memorySnapshots);
  return { ...r, rows, memory, checks: evaluateTargets(rows, memory, r.mtls ?? false) };
}

export function readResults(file: string): BenchResults {
  const r = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  // Sets saved before discarded runs were slimmed kept whole samples; keep only what identifies them.
  const discarded = (r.discarded as readonly (DiscardedRun & { corrected?: { p99: number } })[]).map((d) => ({
    scenario: d.scenario,
    target: d.target,
    rep: d.rep,
    sendLagP99: d.sendLagP99,
    p99: d.p99 ?? d.corrected?.p99,
  }));
  // Sets saved before fixed-rate runs had their own repetition count ran them `reps` times.
  const timing = {
    ...r.timing,
    rateReps: (r.timing as Partial<BenchResults['timing']>).rateReps ?? r.timing.reps,
  };
  return refresh({ ...r, timing, discarded });
}

export function writeResults(r: BenchResults, outDir: string, log: (line: string) => void): void {
  mkdirSync(outDir, { recursive: true });
  const stamp = r.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const jsonFile = path.join(outDir, `${stamp}.json`);
  // Compact, four decimals: a full run stays under 200 KB, small enough to attach to an issue note.
  const round = (_key: string, v: unknown): unknown =>
    typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e4) / 1e4 : v;
  writeFileSync(jsonFile, `${JSON.stringify(r, round)}\n`);
  writeFileSync(path.join(outDir, 'latest.md'), renderMarkdown(r));
  writeFileSync(path.join(outDir, 'latest.svg'), renderSvg(r));
  process.stdout.write(renderTerminal(r, process.stdout.isTTY && process.env.NO_COLOR === undefined));
  const rel = (f: string): string => path.relative(process.cwd(), f);
  log(
    `\nwrote ${rel(jsonFile)}, ${rel(path.join(outDir, 'latest.md'))}, ${rel(path.join(outDir, 'latest.svg'))}`,
  );
}
