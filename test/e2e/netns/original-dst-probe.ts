// Runs inside a test's network namespace whose OUTPUT chain redirects a few addresses to local listeners:
// connects to each address and prints (as JSON) what the proxy's original-destination layer found out
// about the accepted connection, for IPv4, IPv4 on a dual-stack socket, IPv6, and a direct connection.
//   node original-dst-probe.js V4_TARGET V6_TARGET V4_PORT V6_PORT DUAL_STACK_PORT
// (connects to V4_TARGET:80, V4_TARGET:81 and [V6_TARGET]:80; the rules send them to the three ports)
import net from 'node:net';
import { loadOriginalDst, type OriginalDstResult } from '../../../src/proxy/original-dst.js';

const originalDst = loadOriginalDst();

async function listen(host: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.end(JSON.stringify(originalDst.lookup(socket)));
  });
  await new Promise<void>((resolve) => server.listen({ host, port, ipv6Only: false }, resolve));
  return server;
}

function ask(host: string, port: number): Promise<OriginalDstResult | { kind: 'error'; reason: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d: string) => (data += d));
    socket.on('end', () => resolve(JSON.parse(data) as OriginalDstResult));
    socket.on('error', (err) => resolve({ kind: 'error', reason: err.message }));
  });
}

async function main(): Promise<void> {
  const [v4Target = '', v6Target = '', ...ports] = process.argv.slice(2);
  const [v4Port, v6Port, dualStackPort] = ports.map(Number) as [number, number, number];
  const servers = [
    await listen('127.0.0.1', v4Port),
    await listen('::1', v6Port),
    await listen('::', dualStackPort),
  ];
  const results = {
    available: originalDst.available,
    v4: await ask(v4Target, 80),
    dualStack: await ask(v4Target, 81),
    v6: await ask(v6Target, 80),
    direct: await ask('127.0.0.1', v4Port),
  };
  process.stdout.write(JSON.stringify(results) + '\n');
  for (const s of servers) s.close();
}

void main();
