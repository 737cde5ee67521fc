// Summaries of V8 profiles: self time per function and per area from a .cpuprofile (only samples inside
// the load window), and bytes allocated per function and area from a sampling heap profile.

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface CpuNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

export interface CpuProfile {
  readonly nodes: readonly CpuNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HeapNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

export interface Hotspot {
  readonly name: string;
  readonly area: string;
  /** Share of the window's non-idle samples (CPU) or of all sampled bytes (allocation). */
  readonly share: number;
  /** Allocation only: bytes per request. */
  readonly bytesPerRequest?: number;
}

export interface CpuSummary {
  readonly busySamples: number;
  readonly idleShare: number;
  readonly top: readonly Hotspot[];
  readonly areas: readonly Hotspot[];
}

export interface AllocSummary {
  readonly totalMb: number;
  readonly bytesPerRequest: number;
  readonly top: readonly Hotspot[];
  readonly areas: readonly Hotspot[];
}

/** The part of the code a frame belongs to, coarse enough to act on. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'native / V8 (program)';
  const src = /\/dist\/src\/(.+)\.js$/.exec(url);
  if (src !== null) return `meshctl ${src[1]}`;
  if (url.includes('node_modules/undici/')) return 'undici';
  if (url.includes('node_modules/pino')) return 'pino (logging)';
  if (url.includes('node_modules/@grpc/')) return 'grpc-js';
  if (/node:(internal\/http2|http2)/.test(url)) return 'node http2';
  if (/node:(_http|internal\/http|http)/.test(url)) return 'node http (h1)';
  if (/node:(internal\/streams|stream|internal\/webstreams)/.test(url)) return 'node streams';
  if (/node:(net|internal\/net|internal\/stream_base_commons|internal\/dtrace)/.test(url)) return 'node net';
  if (/node:(events|internal\/events)/.test(url)) return 'node events';
  if (/node:internal\/(timers|process\/task_queues)|node:timers/.test(url)) return 'node timers / ticks';
  if (url.startsWith('node:')) return 'node other';
  if (url === '') return functionName === '' ? 'native' : 'native / builtins';
  return 'other';
}

function nameOf(frame: CallFrame): string {
  const fn = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return fn;
  const short = frame.url
    .replace(/^.*\/dist\/src\//, 'src/')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\//, '');
  return `${fn} ${short}:${frame.lineNumber + 1}`;
}

function ranked(map: Map<string, { area: string; n: number }>, total: number, limit: number): Hotspot[] {
  return [...map.entries()]
    .sort((a, b) => b[1].n - a[1].n)
    .slice(0, limit)
    .map(([name, v]) => ({ name, area: v.area, share: v.n / total }));
}

/** Self-time summary of the samples taken between `fromMs` and `toMs` after the profile started. */
export function summariseCpuProfile(
  profile: CpuProfile,
  fromMs: number,
  toMs: number,
  limit = 20,
): CpuSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, { area: string; n: number }>();
  const areas = new Map<string, { area: string; n: number }>();
  let t = profile.startTime;
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const rel = (t - profile.startTime) / 1000;
    if (rel < fromMs || rel > toMs) continue;
    const node = byId.get(profile.samples[i] as number);
    if (node === undefined) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle++;
      continue;
    }
    if (frame.functionName === '(root)') continue;
    busy++;
    const area = areaOf(frame);
    const key = nameOf(frame);
    const f = fn.get(key) ?? { area, n: 0 };
    f.n++;
    fn.set(key, f);
    const a = areas.get(area) ?? { area, n: 0 };
    a.n++;
    areas.set(area, a);
  }
  return {
    busySamples: busy,
    idleShare: busy + idle === 0 ? 0 : idle / (busy + idle),
    top: ranked(fn, Math.max(1, busy), limit),
    areas: ranked(areas, Math.max(1, busy), 40),
  };
}

export function summariseHeapProfile(head: HeapNode, requests: number, limit = 15): AllocSummary {
  const fn = new Map<string, { area: string; n: number }>();
  const areas = new Map<string, { area: string; n: number }>();
  let total = 0;
  const stack: HeapNode[] = [head];
  while (stack.length > 0) {
    const node = stack.pop() as HeapNode;
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    total += node.selfSize;
    const area = areaOf(node.callFrame);
    const key = nameOf(node.callFrame);
    const f = fn.get(key) ?? { area, n: 0 };
    f.n += node.selfSize;
    fn.set(key, f);
    const a = areas.get(area) ?? { area, n: 0 };
    a.n += node.selfSize;
    areas.set(area, a);
  }
  const perRequest = (h: Hotspot): Hotspot => ({
    ...h,
    bytesPerRequest: (h.share * total) / Math.max(1, requests),
  });
  return {
    totalMb: total / 1e6,
    bytesPerRequest: total / Math.max(1, requests),
    top: ranked(fn, Math.max(1, total), limit).map(perRequest),
    areas: ranked(areas, Math.max(1, total), 40).map(perRequest),
  };
}
