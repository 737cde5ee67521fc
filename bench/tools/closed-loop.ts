// Closed-loop saturation runs with wrk (HTTP/1.1, also used through opaque TCP forwarders) and h2load
// (HTTP/2 and gRPC, and HTTP/1.1 fixed rate with --h1 --rps for cross-checking meshload), and parsers for
// their output. h2load's per-request log gives the full latency distribution.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Histogram } from '../loadgen/histogram.js';
import type { ProcessRegistry } from '../system/processes.js';

export interface ClosedLoopLatency {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number | undefined;
  readonly max: number;
}

export interface ClosedLoopResult {
  readonly tool: 'wrk' | 'h2load';
  readonly commandLine: string;
  readonly durationS: number;
  readonly requests: number;
  readonly rps: number;
  readonly bytesPerSec: number;
  /** Socket errors, failed/errored/timed-out requests. */
  readonly errors: number;
  readonly non2xx: number;
  /** Milliseconds. Closed-loop latencies are service times (not corrected for coordinated omission). */
  readonly latency: ClosedLoopLatency;
}

const TIME_UNITS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

function toMs(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text ?? '');
  return m === null ? Number.NaN : Number(m[1]) * (TIME_UNITS[m[2] as string] as number);
}

function toBytes(text: string | undefined): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text ?? '');
  return m === null ? Number.NaN : Number(m[1]) * (BYTE_UNITS[m[2] as string] as number);
}

export function parseWrk(stdout: string, commandLine: string): ClosedLoopResult {
  const pct = (p: string): number => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(stdout)?.[1]);
  const total = /(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/.exec(stdout);
  if (total === null) throw new Error(`unexpected wrk output:\n${stdout.slice(0, 800)}`);
  const requests = Number(total[1]);
  const durationS = toMs(total[2]) / 1000;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = sock === null ? 0 : sock.slice(1).reduce((a, b) => a + Number(b), 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const max = toMs(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(stdout)?.[1]);
  return {
    tool: 'wrk',
    commandLine,
    durationS,
    requests,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? requests / durationS),
    bytesPerSec: toBytes(total[3]) / durationS,
    errors,
    non2xx,
    latency: { p50: pct('50'), p90: pct('90'), p99: pct('99'), p999: undefined, max },
  };
}

export function parseH2load(stdout: string, log: string, commandLine: string): ClosedLoopResult {
  const fin = /finished in ([\d.]+\w+), ([\d.]+) req\/s, ([\d.]+\w+)\/s/.exec(stdout);
  const req =
    /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      stdout,
    );
  if (fin === null || req === null) throw new Error(`unexpected h2load output:\n${stdout.slice(-800)}`);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  const h = new Histogram();
  for (const line of log.split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab > 0) h.record(Number(line.slice(tab + 1)) * 1000);
  }
  const s = h.summaryMs();
  return {
    tool: 'h2load',
    commandLine,
    durationS: toMs(fin[1]) / 1000,
    requests: Number(req[4]),
    rps: Number(fin[2]),
    bytesPerSec: toBytes(fin[3]),
    errors: Number(req[5]) + Number(req[6]) + Number(req[7]),
    non2xx: codes === null ? 0 : Number(codes[3]) + Number(codes[4]),
    latency: { p50: s.p50, p90: s.p90, p99: s.p99, p999: s.p999, max: s.max },
  };
}

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly host?: string;
}

export async function runWrk(
  registry: ProcessRegistry,
  wrk: string,
  o: WrkOptions,
): Promise<ClosedLoopResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--latency'];
  if (o.host !== undefined) args.push('-H', `Host: ${o.host}`);
  args.push(o.url);
  const r = await registry.run('wrk', wrk, args, (o.durationS + 30) * 1000);
  if (r.code !== 0) throw new Error(`wrk exited ${r.code}: ${r.stderr.slice(-400)}`);
  return parseWrk(r.stdout, r.commandLine);
}

export interface H2loadOptions {
  readonly url: string;
  readonly clients: number;
  readonly streams: number;
  readonly durationS: number;
  readonly authority?: string;
  /** Requests per second per client (fixed rate; not corrected for coordinated omission). */
  readonly rpsPerClient?: number;
  readonly h1?: boolean;
  /** gRPC: the length-prefixed message to POST. */
  readonly grpcFrame?: Buffer;
}

export async function runH2load(
  registry: ProcessRegistry,
  h2load: string,
  o: H2loadOptions,
): Promise<ClosedLoopResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshbench-h2load-'));
  try {
    const logFile = path.join(dir, 'requests.log');
    const args = ['-t1', `-c${o.clients}`, `-m${o.streams}`, `-D${o.durationS}`, `--log-file=${logFile}`];
    if (o.h1 === true) args.push('--h1');
    if (o.rpsPerClient !== undefined) args.push(`--rps=${o.rpsPerClient}`);
    // The authority goes in the URL and --connect-to names the socket: `-H host:` would send a second Host
    // header in --h1 mode, which a proxy must refuse (request smuggling).
    let url = o.url;
    if (o.authority !== undefined) {
      const u = new URL(o.url);
      args.push(`--connect-to=${u.host}`);
      url = `${u.protocol}//${o.authority}${u.pathname}${u.search}`;
    }
    if (o.grpcFrame !== undefined) {
      const dataFile = path.join(dir, 'grpc-request.bin');
      writeFileSync(dataFile, o.grpcFrame);
      args.push('-d', dataFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers');
    }
    args.push(url);
    const r = await registry.run('h2load', h2load, args, (o.durationS + 30) * 1000);
    if (r.code !== 0) throw new Error(`h2load exited ${r.code}: ${(r.stderr || r.stdout).slice(-400)}`);
    return parseH2load(r.stdout, readFileSync(logFile, 'utf8'), r.commandLine.replaceAll(dir, '$TMP'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
