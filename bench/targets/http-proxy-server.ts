// Comparison target: the Node ecosystem's classic reverse proxy, npm `http-proxy`, with a keep-alive agent
// (without one it opens a connection per request and measures socket exhaustion, not the proxy).
// Run as its own process: `node http-proxy-server.js <origin-port>`; prints {"port": N} when listening.
import { http } from '../../src/common/node-http.js';
import type net from 'node:net';
import httpProxy from 'http-proxy';

const originPort = Number(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${originPort}`, agent, xfwd: false });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502).end();
  else res.destroy();
});
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => proxy.web(req, res));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
