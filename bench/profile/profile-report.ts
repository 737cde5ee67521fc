// bench/results/profile.md: GC and allocation per request, CPU self time by area and function, allocation
// sites, and the idle-RSS cost of each dependency.
import type { PhaseResult, RssProbe } from './profile.js';
import type { Hotspot } from './profiles.js';

export interface ProfileReport {
  readonly startedAt: string;
  readonly node: string;
  readonly warmupS: number;
  readonly durationS: number;
  readonly phases: readonly PhaseResult[];
  readonly rss: readonly RssProbe[];
}

const f = (v: number | undefined, d = 2): string =>
  v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d);
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

function hotspots(title: string, list: readonly Hotspot[], bytes: boolean, limit: number): string[] {
  return [
    '',
    `**${title}**`,
    '',
    `| ${bytes ? 'bytes/request' : 'share of busy samples'} | ${bytes ? 'share of bytes' : 'area'} | function |`,
    '|---|---|---|',
    ...list
      .slice(0, limit)
      .map((h) =>
        bytes
          ? `| ${f(h.bytesPerRequest, 0)} | ${pct(h.share)} | \`${h.name}\` (${h.area}) |`
          : `| ${pct(h.share)} | ${h.area} | \`${h.name}\` |`,
      ),
  ];
}

export function renderProfileMarkdown(r: ProfileReport): string {
  const out: string[] = [
    `# meshctl proxy profile — ${r.startedAt}`,
    '',
    `Node ${r.node}. Each phase runs on a fresh proxy: ${r.warmupS} s warm-up, then ${r.durationS} s measured. ` +
      '1k = meshload at 1,000 RPS (open loop); max = wrk -t1 -c50 (HTTP/1.1) or h2load -t1 -c10 -m10 (gRPC). ' +
      'The machine is shared, so latencies here are indicative only; the per-request counts are what matter.',
    '',
    '## GC and allocation per request (`node --trace-gc`)',
    '',
    '| phase | requests | proxy cores | scavenges | mean / max scavenge ms | MB freed by scavenges | ≈ KB allocated per request | mark-compacts (max ms) | GC pause, % of wall | p99 / p99.9 ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of r.phases.filter((x) => x.gc !== undefined)) {
    const g = p.gc!;
    out.push(
      `| ${p.phase.id} | ${p.requests} | ${f(p.proxyCores)} | ${g.scavenges} | ${f(g.scavengeMeanMs)} / ${f(g.scavengeMaxMs)} | ${f(g.scavengeFreedMb, 0)} | ${f((g.scavengeFreedMb * 1024) / p.requests, 1)} | ${g.markCompacts} (${f(g.markCompactMaxMs)}) | ${f((g.totalPauseMs / (p.durationS * 1000)) * 100)} % | ${f(p.p99Ms)} / ${f(p.p999Ms)} |`,
    );
  }
  for (const p of r.phases.filter((x) => x.cpu !== undefined)) {
    const c = p.cpu!;
    out.push('', `## CPU: ${p.phase.id} (\`--cpu-prof\`)`, '');
    out.push(
      `${p.requests} requests (${f(p.rps, 0)}/s), proxy ${f(p.proxyCores)} cores, ${pct(c.idleShare)} of samples idle. ` +
        'Shares below are of the busy (non-idle) samples in the measured window, self time only.',
    );
    out.push(
      '',
      '| area | share |',
      '|---|---|',
      ...c.areas.slice(0, 14).map((a) => `| ${a.name} | ${pct(a.share)} |`),
    );
    out.push(...hotspots('Top functions by self time', c.top, false, 18));
  }
  for (const p of r.phases.filter((x) => x.alloc !== undefined)) {
    const a = p.alloc!;
    out.push('', `## Allocation: ${p.phase.id} (sampling heap profiler, collected objects included)`, '');
    out.push(
      `${p.requests} requests; sampled allocation ≈ ${f(a.bytesPerRequest / 1024, 1)} KB per request (${f(a.totalMb, 0)} MB in the window; the sampler estimates, --trace-gc measures).`,
    );
    out.push(
      '',
      '| area | bytes/request | share |',
      '|---|---|---|',
      ...a.areas.slice(0, 12).map((x) => `| ${x.name} | ${f(x.bytesPerRequest, 0)} | ${pct(x.share)} |`),
    );
    out.push(...hotspots('Top allocation sites (self)', a.top, true, 15));
  }
  out.push('', '## Idle RSS by module (fresh `node` that imports one module, 1.5 s later)', '');
  out.push('| module | RSS MB | anonymous MB | heap used MB |', '|---|---|---|---|');
  for (const p of r.rss)
    out.push(
      `| ${p.module === '' ? 'bare node' : `\`${p.module}\``} | ${f(p.rssMb, 1)} | ${f(p.anonMb, 1)} | ${f(p.heapUsedMb, 1)} |`,
    );
  out.push('', '## Commands', '');
  for (const p of r.phases) out.push(`* ${p.phase.id}: \`${p.commandLine}\` ← \`${p.loadCommand}\``);
  out.push('');
  return `${out.join('\n')}\n`;
}
