// Comparison target: the fastest usual Node proxy shape, an http server in front of an undici Pool
// (what @fastify/reply-from does), streaming both ways with hop-by-hop headers removed.
// Run as its own process: `node undici-proxy-server.js <origin-port>`; prints {"port": N} when listening.
import type { IncomingHttpHeaders } from 'node:http';
import { http } from '../../src/common/node-http.js';
import type net from 'node:net';
import { Pool } from 'undici';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'trailer',
  'proxy-connection',
  'expect',
]);

const originPort = Number(process.argv[2]);
const pool = new Pool(`http://127.0.0.1:${originPort}`, { connections: 128, pipelining: 1 });

function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool.stream(
    {
      path: req.url ?? '/',
      method: req.method ?? 'GET',
      headers: forwardHeaders(req.headers),
      body: hasBody ? req : null,
      opaque: res,
    },
    ({ statusCode, headers, opaque }) => {
      opaque.writeHead(statusCode, forwardHeaders(headers));
      return opaque;
    },
    (err) => {
      if (err === null) return;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
