// meshload: a constant-rate HTTP/1.1, HTTP/2 and gRPC load generator whose latencies are measured from each
// request's intended send time (coordinated-omission corrected), with HDR-style percentiles.
//
//   node dist/bench/loadgen/cli.js --url http://127.0.0.1:8080/ --rate 1000 --connections 16 --duration 10
//        [--protocol h1|h2|grpc] [--authority h1.bench] [--grpc-bytes 64] [--grace 5] [--json]
//
// Prints one JSON object (OpenLoopResult plus the arguments) on stdout with --json, else a short table.
import { parseArgs } from 'node:util';
import { buildGetRequest, H1Transport } from './h1-transport.js';
import { H2Transport } from './h2-transport.js';
import { OpenLoop, type OpenLoopResult } from './open-loop.js';

export type LoadProtocol = 'h1' | 'h2' | 'grpc';

export interface LoadgenReport extends OpenLoopResult {
  readonly tool: 'meshload';
  readonly protocol: LoadProtocol;
  readonly url: string;
  readonly connections: number;
  readonly errorSamples: readonly string[];
}

function positive(name: string, text: string | undefined, fallback: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      rate: { type: 'string' },
      connections: { type: 'string', short: 'c' },
      duration: { type: 'string', short: 'd' },
      protocol: { type: 'string' },
      authority: { type: 'string' },
      'grpc-bytes': { type: 'string' },
      grace: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (values.url === undefined) throw new Error('--url is required');
  const url = new URL(values.url);
  const protocol = (values.protocol ?? 'h1') as LoadProtocol;
  if (!['h1', 'h2', 'grpc'].includes(protocol)) throw new Error('--protocol must be h1, h2 or grpc');
  const rate = positive('rate', values.rate, 1000);
  const connections = Math.round(positive('connections', values.connections, 16));
  const durationS = positive('duration', values.duration, 10);
  const graceS = positive('grace', values.grace, 5);
  const authority = values.authority ?? url.host;
  const host = url.hostname;
  const port = Number(url.port || 80);
  const path = `${url.pathname}${url.search}`;

  const loop = new OpenLoop(rate, durationS * 1000);
  let transport: H1Transport | H2Transport;
  if (protocol === 'h1') {
    const t = new H1Transport({ host, port, request: buildGetRequest(path, authority) }, loop, connections);
    await t.open();
    transport = t;
  } else {
    const grpcMessage =
      protocol === 'grpc'
        ? Buffer.alloc(Math.round(positive('grpc-bytes', values['grpc-bytes'], 64)), 0x78)
        : undefined;
    const t = new H2Transport({ host, port, path, authority, grpcMessage }, loop, connections);
    await t.open();
    transport = t;
  }
  loop.attach(transport);
  const result = await loop.run(graceS * 1000);
  const report: LoadgenReport = {
    tool: 'meshload',
    protocol,
    url: values.url,
    connections,
    errorSamples: transport.errorSamples,
    ...result,
  };
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const c = result.corrected;
    const u = result.uncorrected;
    process.stdout.write(
      `${protocol} ${values.url} rate ${rate}/s × ${durationS}s, ${connections} connections\n` +
        `completed ${result.completed} (${result.achievedRps}/s), errors ${result.errors}, unfinished ${result.unfinished}\n` +
        `corrected   p50 ${c.p50} p90 ${c.p90} p99 ${c.p99} p99.9 ${c.p999} p99.99 ${c.p9999} max ${c.max} ms\n` +
        `uncorrected p50 ${u.p50} p90 ${u.p90} p99 ${u.p99} p99.9 ${u.p999} p99.99 ${u.p9999} max ${u.max} ms\n` +
        `send lag    p50 ${result.sendLag.p50} p99 ${result.sendLag.p99} max ${result.sendLag.max} ms, max backlog ${result.maxBacklog}\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`meshload: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
