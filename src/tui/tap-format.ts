// One tap line as text for the tail: time, kind, status, request, latency, in a fixed order that survives
// cutting at any width (the most useful facts come first).
import { formatDuration } from '../common/duration.js';
import type { TapLine } from './state/tap-log.js';

function clock(at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `10:00:01 end 503 ✗ GET web.demo:80/users/7  12ms  tls` — request facts are blank when unknown. */
export function formatTapLine(line: TapLine): string {
  const status = line.status === null ? '   ' : String(line.status).padStart(3);
  const mark = line.failure === true ? '✗' : ' ';
  const request = line.method || line.path ? `${line.method} ${line.authority}${line.path}` : `id=${line.id}`;
  const latency = line.latencyMs === null ? '' : formatDuration(line.latencyMs);
  const grpc = line.grpcStatus === null ? '' : ` grpc=${line.grpcStatus}`;
  const parts = [clock(line.at), line.kind, line.kind === 'req' ? '   ' : status, mark, request];
  const tail = [latency + grpc, line.tls ? 'tls' : 'plain'].filter((s) => s !== '').join('  ');
  return `${parts.join(' ')}  ${tail}`;
}
