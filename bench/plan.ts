// The scenarios the issue asks for, and how long and how often each runs in quick and full mode.
import type { LoadProtocol } from './loadgen/cli.js';
import { bytesPath, GRPC_ECHO_PATH, SMALL_PATH } from './origin/contract.js';
import type { Protocol, TargetId } from './targets/target.js';

export type ScenarioKind = 'rate' | 'max';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Which of a target's endpoints the clients use. */
  readonly endpoint: Protocol;
  readonly kind: ScenarioKind;
  readonly tool: 'meshload' | 'wrk' | 'h2load';
  readonly loadProtocol: LoadProtocol;
  readonly path: string;
  readonly connections: number;
  /** h2load: concurrent streams per connection. */
  readonly streams: number;
  /** meshload: requests per second (open loop). */
  readonly rate: number;
  readonly bodyBytes: number;
  /** Body-size scenarios run fewer repetitions in full mode to keep the whole run near 15 minutes. */
  readonly secondary: boolean;
  /** Part of the default run (the others are selected with --scenarios). */
  readonly byDefault: boolean;
}

const SMALL_BODY = 13;

const base = { streams: 1, rate: 0, bodyBytes: SMALL_BODY, secondary: false, byDefault: true } as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    ...base,
    id: 'h1-1k',
    title: 'HTTP/1.1 at 1,000 RPS (open loop, 16 connections)',
    endpoint: 'h1',
    kind: 'rate',
    tool: 'meshload',
    loadProtocol: 'h1',
    path: SMALL_PATH,
    connections: 16,
    rate: 1000,
  },
  {
    ...base,
    id: 'h2-1k',
    title: 'HTTP/2 (h2c) at 1,000 RPS (open loop, 10 connections)',
    endpoint: 'h2',
    kind: 'rate',
    tool: 'meshload',
    loadProtocol: 'h2',
    path: SMALL_PATH,
    connections: 10,
    rate: 1000,
  },
  {
    ...base,
    id: 'grpc-1k',
    title: 'gRPC unary at 1,000 RPS (open loop, 10 connections, 64-byte message)',
    endpoint: 'grpc',
    kind: 'rate',
    tool: 'meshload',
    loadProtocol: 'grpc',
    path: GRPC_ECHO_PATH,
    connections: 10,
    rate: 1000,
    bodyBytes: 64,
  },
  {
    ...base,
    id: 'h1-1kb-1k',
    title: 'HTTP/1.1 at 1,000 RPS with 1 KB responses (Istio’s method)',
    endpoint: 'h1',
    kind: 'rate',
    tool: 'meshload',
    loadProtocol: 'h1',
    path: bytesPath(1024),
    connections: 16,
    rate: 1000,
    bodyBytes: 1024,
    byDefault: false,
  },
  {
    ...base,
    id: 'h1-max',
    title: 'HTTP/1.1 saturation (wrk -t1 -c50)',
    endpoint: 'h1',
    kind: 'max',
    tool: 'wrk',
    loadProtocol: 'h1',
    path: SMALL_PATH,
    connections: 50,
  },
  {
    ...base,
    id: 'h2-max',
    title: 'HTTP/2 saturation (h2load -t1 -c10 -m10)',
    endpoint: 'h2',
    kind: 'max',
    tool: 'h2load',
    loadProtocol: 'h2',
    path: SMALL_PATH,
    connections: 10,
    streams: 10,
  },
  {
    ...base,
    id: 'grpc-max',
    title: 'gRPC unary saturation (h2load -t1 -c10 -m10, 64-byte message)',
    endpoint: 'grpc',
    kind: 'max',
    tool: 'h2load',
    loadProtocol: 'grpc',
    path: GRPC_ECHO_PATH,
    connections: 10,
    streams: 10,
    bodyBytes: 64,
  },
  {
    ...base,
    id: 'tcp-max',
    title: 'TCP pass-through: HTTP/1.1 keep-alive through an opaque forwarder (wrk -t1 -c50)',
    endpoint: 'tcp',
    kind: 'max',
    tool: 'wrk',
    loadProtocol: 'h1',
    path: SMALL_PATH,
    connections: 50,
  },
  {
    ...base,
    id: 'h1-1kb-max',
    title: 'HTTP/1.1 saturation, 1 KB responses (wrk -t1 -c50)',
    endpoint: 'h1',
    kind: 'max',
    tool: 'wrk',
    loadProtocol: 'h1',
    path: bytesPath(1024),
    connections: 50,
    bodyBytes: 1024,
    secondary: true,
  },
  {
    ...base,
    id: 'h1-100kb-max',
    title: 'HTTP/1.1 saturation, 100 KB responses (wrk -t1 -c50)',
    endpoint: 'h1',
    kind: 'max',
    tool: 'wrk',
    loadProtocol: 'h1',
    path: bytesPath(100 * 1024),
    connections: 50,
    bodyBytes: 100 * 1024,
    secondary: true,
  },
  {
    ...base,
    id: 'tcp-100kb-max',
    title: 'TCP pass-through throughput, 100 KB responses (wrk -t1 -c50)',
    endpoint: 'tcp',
    kind: 'max',
    tool: 'wrk',
    loadProtocol: 'h1',
    path: bytesPath(100 * 1024),
    connections: 50,
    bodyBytes: 100 * 1024,
    secondary: true,
  },
];

export interface Timing {
  readonly rateS: number;
  readonly maxS: number;
  /** Repetitions of fixed-rate runs: many short ones, so a burst of noise spoils a few, not the median. */
  readonly rateReps: number;
  readonly reps: number;
  readonly secondaryReps: number;
  readonly warmupS: number;
}

export const QUICK: Timing = { rateS: 3, maxS: 3, rateReps: 3, reps: 2, secondaryReps: 1, warmupS: 1 };
export const FULL: Timing = { rateS: 4, maxS: 4, rateReps: 6, reps: 3, secondaryReps: 2, warmupS: 2 };

/** Targets that make sense for a scenario (the runner also drops those without the endpoint). */
export function targetsFor(s: Scenario, selected: readonly TargetId[]): TargetId[] {
  // The pair is the latency story; its throughput is shown for HTTP only, not for body sizes or TCP.
  return selected.filter((t) => !(t === 'meshctl-pair' && (s.secondary || s.endpoint === 'tcp')));
}
