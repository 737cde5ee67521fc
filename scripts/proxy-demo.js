// The README's first command until `meshctl demo` lands: a sample app, a server-side proxy in front of it,
// a client-side proxy that routes web.demo:80 to it, and curl through both every second. Ctrl-C stops all.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const [appPort, inPort, srvOut, srvAdmin, srvTap, cliIn, cliOut, cliAdmin, cliTap] = await Promise.all(
  Array.from({ length: 9 }, freePort),
);
let served = 0;
const app = http.createServer((req, res) => {
  served++;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ service: 'web', path: req.url, served }) + '\n');
});
await new Promise((r) => app.listen(appPort, '127.0.0.1', r));

const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-proxy-demo-'));
const endpoints = path.join(dir, 'endpoints.json');
writeFileSync(endpoints, JSON.stringify({ 'web.demo:80': [`127.0.0.1:${inPort}`] }));
const empty = path.join(dir, 'none.json');
writeFileSync(empty, '{}');

const proxy = (args) =>
  spawn(process.execPath, [path.join(root, 'bin/meshctl.js'), 'proxy', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
const server = proxy([
  '--app',
  `127.0.0.1:${appPort}`,
  '--inbound',
  `127.0.0.1:${inPort}`,
  '--outbound',
  `127.0.0.1:${srvOut}`,
  '--admin',
  `127.0.0.1:${srvAdmin}`,
  '--tap',
  `127.0.0.1:${srvTap}`,
  '--endpoints',
  empty,
]);
const client = proxy([
  '--inbound',
  `127.0.0.1:${cliIn}`,
  '--outbound',
  `127.0.0.1:${cliOut}`,
  '--admin',
  `127.0.0.1:${cliAdmin}`,
  '--tap',
  `127.0.0.1:${cliTap}`,
  '--endpoints',
  endpoints,
]);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping proxies…');
  server.kill('SIGTERM');
  client.kill('SIGTERM');
  app.close();
  rmSync(dir, { recursive: true, force: true });
  setTimeout(() => process.exit(0), 300).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const p of [server, client])
  p.on('exit', (code) => !stopping && (console.error(`a proxy exited (${code})`), stop()));

const ready = async (port) => {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('proxy did not become ready');
};
await Promise.all([ready(srvAdmin), ready(cliAdmin)]);

console.log(
  `app on 127.0.0.1:${appPort}; server-side proxy inbound 127.0.0.1:${inPort}; client-side proxy outbound 127.0.0.1:${cliOut}`,
);
console.log(`metrics: curl -s http://127.0.0.1:${cliAdmin}/metrics | grep ^response_total`);
console.log(
  `$ curl -s --connect-to web.demo:80:127.0.0.1:${cliOut} http://web.demo/hello   (every second, Ctrl-C to stop)\n`,
);
let n = 0;
const tick = () => {
  if (stopping) return;
  n++;
  execFile(
    'curl',
    ['-s', '-i', '--connect-to', `web.demo:80:127.0.0.1:${cliOut}`, `http://web.demo/hello/${n}`],
    (err, out) => {
      if (err) console.log(`curl failed: ${err.message}`);
      else console.log(out.split('\r\n')[0] + '  ' + out.slice(out.indexOf('\r\n\r\n') + 4).trim());
      setTimeout(tick, 1000);
    },
  );
};
tick();
