// Parses `node --trace-gc` lines into per-window totals: how many scavenges and mark-compacts, how long
// they paused the proxy, and how much the scavenges freed — which, over a steady window, is what the
// proxy allocated (short-lived garbage), so MB freed ÷ requests ≈ bytes allocated per request.

export interface GcEvent {
  /** ms since the isolate started (the number before "ms:"). */
  readonly atMs: number;
  readonly kind: 'scavenge' | 'mark-compact' | 'other';
  readonly beforeMb: number;
  readonly afterMb: number;
  readonly pauseMs: number;
}

export interface GcSummary {
  readonly scavenges: number;
  readonly scavengeMeanMs: number;
  readonly scavengeMaxMs: number;
  readonly scavengeFreedMb: number;
  readonly markCompacts: number;
  readonly markCompactMaxMs: number;
  /** All GC pause time in the window, ms. */
  readonly totalPauseMs: number;
}

const LINE =
  /\s(\d+) ms: (Scavenge|Mark-Compact|Minor Mark-Sweep|Mark-Compact \(reduce\))\b.*? ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB,(?: pooled: [\d.]+ MB,)? ([\d.]+) \/ ([\d.]+) ms/;

export function parseGcLine(line: string): GcEvent | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const name = m[2] as string;
  return {
    atMs: Number(m[1]),
    kind: name === 'Scavenge' ? 'scavenge' : name.startsWith('Mark-Compact') ? 'mark-compact' : 'other',
    beforeMb: Number(m[3]),
    afterMb: Number(m[5]),
    pauseMs: Number(m[7]),
  };
}

export function summariseGc(events: readonly GcEvent[]): GcSummary {
  const sc = events.filter((e) => e.kind === 'scavenge');
  const mc = events.filter((e) => e.kind === 'mark-compact');
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    scavenges: sc.length,
    scavengeMeanMs: sc.length === 0 ? 0 : sum(sc.map((e) => e.pauseMs)) / sc.length,
    scavengeMaxMs: Math.max(0, ...sc.map((e) => e.pauseMs)),
    scavengeFreedMb: sum(sc.map((e) => Math.max(0, e.beforeMb - e.afterMb))),
    markCompacts: mc.length,
    markCompactMaxMs: Math.max(0, ...mc.map((e) => e.pauseMs)),
    totalPauseMs: sum(events.map((e) => e.pauseMs)),
  };
}
