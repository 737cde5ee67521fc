// The benchmark origin, run as its own process: an HTTP/1.1 server, an h2c (prior knowledge) server and a
// gRPC unary echo server (@grpc/grpc-js with Buffer passthrough serializers, so no .proto is needed).
// Bodies are prebuilt: GET / answers 13 bytes, GET /bytes/<n> answers n bytes; GET /block/<ms> freezes the
// origin for that long (the load generator's validation uses it). It prints its ports as one
// JSON line on stdout and exits when its stdin closes, so it never outlives the harness.
import { http } from '../../src/common/node-http.js';
import http2 from 'node:http2';
import type net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { GRPC_ECHO_PATH, type OriginPorts } from './contract.js';

const SMALL = Buffer.from('hello, world\n');
const bodies = new Map<string, Buffer>([['/', SMALL]]);

/** The body for a path, or undefined (404). /bytes/<n> bodies are made once and kept. */
function bodyFor(path: string): Buffer | undefined {
  const known = bodies.get(path);
  if (known !== undefined) return known;
  const m = /^\/bytes\/(\d{1,8})$/.exec(path);
  if (m === null) return undefined;
  const body = Buffer.alloc(Number(m[1]), 0x61);
  bodies.set(path, body);
  return body;
}

function startH1(): Promise<number> {
  const server = http.createServer({ keepAliveTimeout: 60_000, headersTimeout: 60_000 }, (req, res) => {
    const body = bodyFor(req.url ?? '/');
    if (req.method === 'POST') {
      // Upload scenarios: swallow the body, answer small.
      req.on('end', () => res.writeHead(200, { 'content-length': SMALL.length }).end(SMALL));
      req.resume();
      return;
    }
    if (body === undefined) {
      const stall = /^\/block\/(\d{1,4})$/.exec(req.url ?? '');
      if (stall !== null) {
        // Validation only: freeze the whole origin, as a GC pause or a descheduled process would.
        const until = performance.now() + Number(stall[1]);
        while (performance.now() < until) {
          // busy
        }
      }
      res.writeHead(stall === null ? 404 : 200, { 'content-length': 0 }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
  });
  server.keepAliveTimeout = 60_000;
  return listen(server);
}

function startH2(): Promise<number> {
  const server = http2.createServer({ settings: { maxConcurrentStreams: 1000, initialWindowSize: 1 << 20 } });
  server.on('session', (s: http2.ServerHttp2Session) => {
    s.on('error', () => undefined);
    s.once('connect', () => s.setLocalWindowSize(8 << 20));
  });
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on('error', () => undefined);
    const body = bodyFor(headers[':path'] ?? '/');
    if (body === undefined) {
      stream.respond({ ':status': 404 }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': body.length });
    stream.end(body);
  });
  return listen(server);
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function startGrpc(): Promise<number> {
  const server = new grpc.Server();
  const passthrough = (b: Buffer): Buffer => b;
  server.addService(
    {
      Echo: {
        path: GRPC_ECHO_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: passthrough,
        requestDeserialize: passthrough,
        responseSerialize: passthrough,
        responseDeserialize: passthrough,
      },
    },
    {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
        callback(null, call.request),
    },
  );
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err !== null) reject(err);
      else resolve(port);
    });
  });
}

async function main(): Promise<void> {
  const [h1, h2, grpcPort] = await Promise.all([startH1(), startH2(), startGrpc()]);
  const ports: OriginPorts = { h1, h2, grpc: grpcPort };
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(`origin: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
