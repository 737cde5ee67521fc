// HTTP/1.1 through a client-side and a server-side proxy in series, with real clients (curl, undici, ws).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { WebSocketServer, WebSocket } from 'ws';
import { patternStream, sha256Of } from '../../helpers/bytes.js';
import { startMeshPath, startTestProxy } from '../../helpers/mesh.js';
import { readBody, startHttpOrigin } from '../../helpers/origins.js';
import { sumOf } from '../../helpers/prom.js';
import { waitFor } from '../../helpers/wait.js';

const run = promisify(execFile);

function portOf(addr: string): string {
  return addr.slice(addr.lastIndexOf(':') + 1);
}

test('curl and a Node client get the app response through both proxies, Host kept', async (t) => {
  const origin = await startHttpOrigin(t, (req, res) => {
    res.setHeader('x-seen-host', req.headers.host ?? '');
    res.setHeader('x-seen-path', req.url ?? '');
    res.end('hello from web\n');
  });
  const { client } = await startMeshPath(t, origin.address);
  const { stdout } = await run('curl', [
    '-sS',
    '-i',
    '--connect-to',
    `web.test:80:127.0.0.1:${portOf(client.outbound)}`,
    'http://web.test/greet?x=1',
  ]);
  assert.match(stdout, /^HTTP\/1\.1 200 OK/);
  assert.match(stdout, /x-seen-host: web\.test/i);
  assert.match(stdout, /x-seen-path: \/greet\?x=1/i);
  assert.match(stdout, /hello from web/);

  const res = await request(`http://${client.outbound}/json`, { headers: { host: 'web.test' } });
  assert.equal(res.statusCode, 200);
  assert.equal(await res.body.text(), 'hello from web\n');
});

test('100 MB upload and download arrive byte-identical while proxy memory stays bounded', async (t) => {
  const SIZE = 100 * 1024 * 1024;
  const origin = await startHttpOrigin(t, (req, res) => {
    if (req.method === 'POST') {
      void sha256Of(req).then(({ hash, bytes }) => res.end(JSON.stringify({ hash, bytes })));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    patternStream(SIZE, 7).pipe(res);
  });
  const { client, server } = await startMeshPath(t, origin.address);
  const before = { client: client.memory().rss, server: server.memory().rss };

  const expectedUp = await sha256Of(patternStream(SIZE, 3));
  const up = await request(`http://${client.outbound}/upload`, {
    method: 'POST',
    headers: { host: 'web.test', 'content-length': String(SIZE) },
    body: patternStream(SIZE, 3),
  });
  assert.equal(up.statusCode, 200);
  assert.deepEqual(JSON.parse(await up.body.text()), { hash: expectedUp.hash, bytes: SIZE });

  const expectedDown = await sha256Of(patternStream(SIZE, 7));
  const down = await request(`http://${client.outbound}/download`, { headers: { host: 'web.test' } });
  assert.equal(down.statusCode, 200);
  assert.deepEqual(await sha256Of(down.body), expectedDown);

  for (const [name, proxy] of [
    ['client', client],
    ['server', server],
  ] as const) {
    const growth = proxy.memory().hwm - before[name];
    assert.ok(growth < 64 * 1024 * 1024, `${name} proxy grew by ${(growth / 1048576).toFixed(1)} MB`);
  }
});

test('chunked request and response bodies stream through without buffering', async (t) => {
  const origin = await startHttpOrigin(t, (req, res) => {
    res.setHeader('x-request-te', req.headers['transfer-encoding'] ?? 'none');
    // No content-length: Node answers with chunked encoding, written as the request arrives.
    res.flushHeaders();
    req.on('data', (chunk: Buffer) => res.write(chunk));
    req.on('end', () => res.end());
  });
  const { client } = await startMeshPath(t, origin.address);
  // A body whose end is not known when the request starts: it must go out chunked on every hop, and each part
  // must come back before the next is sent — proof that nothing is buffered to the end anywhere.
  const parts = ['alpha-', 'beta-', 'gamma-', 'delta'];
  const body = new Readable({ read() {} });
  const pending = request(`http://${client.outbound}/echo`, {
    method: 'POST',
    headers: { host: 'web.test' },
    body,
  });
  body.push(parts[0]);
  const res = await pending;
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['x-request-te'], 'chunked');
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  let received = '';
  let sent = 1;
  for await (const chunk of res.body) {
    received += (chunk as Buffer).toString();
    // Everything sent so far has come back: send the next part (and end the body after the last).
    if (sent < parts.length && received === parts.slice(0, sent).join('')) {
      body.push(parts[sent++]);
      if (sent === parts.length) body.push(null);
    }
  }
  assert.equal(received, parts.join(''));
});

test('Expect: 100-continue uploads are answered and delivered', async (t) => {
  const origin = await startHttpOrigin(t, (req, res) => {
    void readBody(req).then((b) => res.end(`got ${b.length}`));
  });
  const { client } = await startMeshPath(t, origin.address);
  const { stdout } = await run('sh', [
    '-c',
    `head -c 200000 /dev/zero | curl -sS -i -H 'Expect: 100-continue' --data-binary @- --connect-to web.test:80:127.0.0.1:${portOf(client.outbound)} http://web.test/upload`,
  ]);
  assert.match(stdout, /^HTTP\/1\.1 100 Continue/);
  assert.match(stdout, /HTTP\/1\.1 200 OK/);
  assert.match(stdout, /got 200000$/);
});

test('keep-alive connections are reused across requests on every hop', async (t) => {
  const origin = await startHttpOrigin(t, (_req, res) => res.end('ok'));
  const { client, server } = await startMeshPath(t, origin.address);
  const agent = new Agent({ connections: 1 });
  t.after(() => agent.close());
  for (let i = 0; i < 25; i++) {
    const res = await request(`http://${client.outbound}/r/${i}`, {
      headers: { host: 'web.test' },
      dispatcher: agent,
    });
    assert.equal(await res.body.text(), 'ok');
  }
  assert.equal(origin.requests, 25);
  assert.equal(origin.connections, 1, 'the server-side proxy reuses its connection to the app');
  const cm = await client.metrics();
  assert.equal(
    sumOf(cm, 'tcp_open_total', { direction: 'outbound', peer: 'src' }),
    1,
    'one client connection',
  );
  assert.equal(
    sumOf(cm, 'tcp_open_total', { direction: 'outbound', peer: 'dst' }),
    1,
    'one proxy-to-proxy connection',
  );
  const sm = await server.metrics();
  assert.equal(sumOf(sm, 'tcp_open_total', { direction: 'inbound', peer: 'dst' }), 1);
});

test('a WebSocket echo works through both proxies', async (t) => {
  const origin = await startHttpOrigin(t, (_req, res) => res.end('not a websocket'));
  const wss = new WebSocketServer({ server: origin.server });
  wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  t.after(() => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  const { client } = await startMeshPath(t, origin.address);
  const ws = new WebSocket(`ws://${client.outbound}/socket`, { headers: { host: 'web.test' } });
  t.after(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const received: string[] = [];
  ws.on('message', (d: Buffer) => received.push(d.toString()));
  for (const m of ['one', 'two', 'x'.repeat(100_000)]) ws.send(m);
  await waitFor(() => received.length === 3, { what: '3 echoes' });
  assert.deepEqual(received, ['one', 'two', 'x'.repeat(100_000)]);
});

test('request smuggling vectors get 400 and never reach the app', async (t) => {
  const origin = await startHttpOrigin(t, (_req, res) => res.end('should not happen'));
  const { client } = await startMeshPath(t, origin.address);
  const vectors: Record<string, string> = {
    'content-length with transfer-encoding':
      'POST / HTTP/1.1\r\nHost: web.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'two different content-lengths':
      'POST / HTTP/1.1\r\nHost: web.test\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde',
    'bad chunk size':
      'POST / HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
    'chunk size overflow':
      'POST / HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nabc\r\n0\r\n\r\n',
    'obfuscated transfer-encoding':
      'POST / HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
    'duplicate host': 'GET / HTTP/1.1\r\nHost: web.test\r\nHost: evil.test\r\n\r\n',
    'absolute-form disagreeing with host': 'GET http://evil.test/ HTTP/1.1\r\nHost: web.test\r\n\r\n',
  };
  for (const [name, raw] of Object.entries(vectors)) {
    const reply = await rawExchange(client.outbound, raw);
    assert.match(reply, /^HTTP\/1\.1 400 /, `${name}: ${reply.split('\r\n')[0]}`);
  }
  assert.equal(origin.requests, 0, 'the app saw none of them');
});

test('upstream failures answer 502, 503 and 504 with a mesh-proxy-error header', async (t) => {
  const slow = await startHttpOrigin(t, (_req, res) => {
    setTimeout(() => res.end('late'), 2000);
  });
  const server = await startTestProxy(t, { app: slow.address });
  const closedPort = await (async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const p = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    return p;
  })();
  const client = await startTestProxy(t, {
    endpoints: {
      'slow.test:80': [server.inbound],
      'down.test:80': [`127.0.0.1:${closedPort}`],
      'empty.test:80': [],
    },
    args: ['--response-timeout', '300ms'],
  });
  const cases: [string, number, RegExp][] = [
    ['down.test', 502, /^MESH_CONNECT_REFUSED: /],
    ['empty.test', 503, /^MESH_NO_ENDPOINTS: /],
    ['unknown.test', 503, /^MESH_UNKNOWN_AUTHORITY: /],
    ['slow.test', 504, /^MESH_RESPONSE_TIMEOUT: /],
  ];
  for (const [host, status, header] of cases) {
    const res = await request(`http://${client.outbound}/`, { headers: { host } });
    await res.body.text();
    assert.equal(res.statusCode, status, host);
    assert.match(String(res.headers['mesh-proxy-error']), header, host);
  }
});

async function rawExchange(address: string, payload: string): Promise<string> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(portOf(address))];
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(payload));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('end', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(data);
    });
  });
}
