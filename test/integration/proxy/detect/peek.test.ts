import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { peekProtocol } from '../../../../src/proxy/detect/peek.js';
import { parseClientHelloSni } from '../../../../src/proxy/detect/detect.js';
import { waitFor } from '../../../helpers/wait.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const EMPTY_SETTINGS = Buffer.from('000000040000000000', 'hex');

interface Acceptor {
  readonly port: number;
  /** The next accepted connection, in order. */
  next(): Promise<net.Socket>;
}

/** A plain TCP listener that hands accepted sockets to the test; everything it opened is closed after. */
async function listenAcceptor(t: TestContext): Promise<Acceptor> {
  const queued: net.Socket[] = [];
  const waiting: ((s: net.Socket) => void)[] = [];
  const all = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    all.add(socket);
    // A reset before the test attaches its own listeners must not crash the runner.
    socket.on('error', () => {});
    const waiter = waiting.shift();
    if (waiter) waiter(socket);
    else queued.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of all) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    next: () => {
      const s = queued.shift();
      return s ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** A raw client socket owned by the test. */
async function connectRaw(t: TestContext, port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
  socket.on('error', () => {});
  t.after(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return socket;
}

/** Collects everything a socket receives. */
function collect(socket: net.Socket): { data(): Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { data: () => Buffer.concat(chunks), ended };
}

/**
 * Writes `pieces` one at a time, each only after the server side has received the previous one, so the
 * peeker really sees them as separate reads.
 */
async function sendInLockstep(client: net.Socket, server: net.Socket, pieces: Buffer[]): Promise<number> {
  let chunks = 0;
  const count = (): void => void chunks++;
  server.on('data', count);
  try {
    for (let i = 0; i < pieces.length; i++) {
      client.write(pieces[i] as Buffer);
      // The read that completes detection still reaches this listener: an emit calls every listener it
      // had when it started, even though the peeker pauses the socket in the first one.
      await waitFor(() => chunks > i, { intervalMs: 1, what: `piece ${i}` });
    }
  } finally {
    server.removeListener('data', count);
  }
  return chunks;
}

function split(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function listenerCounts(socket: net.Socket): number[] {
  return ['data', 'end', 'close', 'error', 'readable'].map((e) => socket.listenerCount(e));
}

function timeoutCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

async function selfSignedCert(t: TestContext, name: string): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshctl-peek-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await promisify(execFile)(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
      .concat(['-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${name}`])
      .concat(['-addext', `subjectAltName=DNS:${name}`]),
    { timeout: 20_000 },
  );
  return { key: await readFile(keyFile), cert: await readFile(certFile) };
}

test('HTTP/1: a real http.Server serves the replayed request', async (t) => {
  const acc = await listenAcceptor(t);
  const server = http.createServer((req, res) => res.end(`${req.method} ${req.url}`));
  const body = new Promise<string>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: acc.port, path: '/hello?x=1', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve(`${res.statusCode} ${text}`));
    });
    req.on('error', reject);
  });
  const socket = await acc.next();
  const peeked = await peekProtocol(socket, 5000);
  assert.equal(peeked.protocol, 'http1');
  assert.equal(peeked.timedOut, false);
  assert.match(peeked.prefix.toString('latin1'), /^GET \/hello\?x=1 HTTP\/1\.1\r\n/);
  server.emit('connection', socket);
  socket.resume(); // http.Server does not restart a paused socket by itself
  assert.equal(await body, '200 GET /hello?x=1');
});

test('HTTP/2: a real http2 server serves the replayed preface and request', async (t) => {
  const acc = await listenAcceptor(t);
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200 });
    stream.end(`h2 ${String(headers[':path'])}`);
  });
  const client = http2.connect(`http://127.0.0.1:${acc.port}`);
  client.on('error', () => {});
  t.after(() => client.destroy());
  const body = new Promise<string>((resolve, reject) => {
    const req = client.request({ ':path': '/grpc.Service/Method' });
    let text = '';
    req.setEncoding('utf8').on('data', (d: string) => (text += d));
    req.on('end', () => resolve(text));
    req.on('error', reject);
    req.end();
  });
  const socket = await acc.next();
  const peeked = await peekProtocol(socket, 5000);
  assert.equal(peeked.protocol, 'http2');
  assert.ok(peeked.prefix.subarray(0, 24).equals(H2_PREFACE));
  server.emit('connection', socket);
  assert.equal(await body, 'h2 /grpc.Service/Method');
});

test('TLS: a TLSSocket terminates the replayed ClientHello', async (t) => {
  const { key, cert } = await selfSignedCert(t, 'web.test');
  const acc = await listenAcceptor(t);
  const client = tls.connect({ host: '127.0.0.1', port: acc.port, servername: 'web.test', ca: cert });
  client.on('error', () => {});
  t.after(() => client.destroy());
  const socket = await acc.next();
  const peeked = await peekProtocol(socket, 5000);
  assert.equal(peeked.protocol, 'tls');
  const sni = parseClientHelloSni(peeked.prefix);
  // The hello usually arrives in one read; if it did, its SNI is readable from the peeked bytes.
  if (sni.status === 'complete') assert.equal(sni.sni, 'web.test');
  else assert.equal(sni.status, 'need-more');

  const terminated = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: tls.createSecureContext({ key, cert }),
  });
  terminated.on('error', () => {});
  t.after(() => terminated.destroy());
  terminated.on('data', (d: Buffer) => terminated.write(`pong:${d.toString()}`));
  await new Promise<void>((resolve, reject) => {
    client.once('secureConnect', resolve);
    client.once('error', reject);
  });
  assert.equal(client.authorized, true);
  client.write('ping');
  const reply = await new Promise<string>((resolve) =>
    client.once('data', (d: Buffer) => resolve(d.toString())),
  );
  assert.equal(reply, 'pong:ping');
});

test('a request line split into tiny pieces is detected and replayed whole', async (t) => {
  const acc = await listenAcceptor(t);
  const server = http.createServer((req, res) => res.end(`${req.method} ${req.url}`));
  const client = await connectRaw(t, acc.port);
  const received = collect(client);
  const socket = await acc.next();
  const request = Buffer.from('GET /split/path HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n', 'latin1');
  const requestLine = 'GET /split/path HTTP/1.1\r\n'.length;
  const peeking = peekProtocol(socket, 10_000);
  // Request line in 1–2 byte pieces, then the headers in one write after detection.
  const chunks = await sendInLockstep(client, socket, split(request.subarray(0, requestLine), 2));
  const peeked = await peeking;
  assert.equal(peeked.protocol, 'http1');
  assert.equal(chunks, Math.ceil(requestLine / 2), 'one read per piece');
  assert.equal(peeked.prefix.toString('latin1'), request.subarray(0, requestLine).toString('latin1'));
  client.end(request.subarray(requestLine));
  server.emit('connection', socket);
  socket.resume();
  await received.ended;
  const response = received.data().toString('latin1');
  assert.match(response, /^HTTP\/1\.1 200 /);
  assert.ok(response.endsWith('GET /split/path'), response);
});

test('an HTTP/2 preface split byte by byte is detected and accepted by http2', async (t) => {
  const acc = await listenAcceptor(t);
  const server = http2.createServer();
  server.on('session', (session) => session.on('error', () => {}));
  const client = await connectRaw(t, acc.port);
  const received = collect(client);
  const socket = await acc.next();
  const peeking = peekProtocol(socket, 10_000);
  const chunks = await sendInLockstep(client, socket, split(H2_PREFACE, 1));
  const peeked = await peeking;
  assert.equal(peeked.protocol, 'http2');
  assert.equal(chunks, H2_PREFACE.length);
  assert.ok(peeked.prefix.equals(H2_PREFACE));
  server.emit('connection', socket);
  client.write(EMPTY_SETTINGS);
  // nghttp2 acknowledges our SETTINGS only if it accepted the preface in front of them.
  const frames = await waitFor(
    () => {
      const f = parseFrames(received.data());
      return f.some((x) => x.type === 4 && (x.flags & 1) === 1) ? f : undefined;
    },
    { timeoutMs: 5000, what: 'SETTINGS ACK from the http2 server' },
  );
  assert.ok(!frames.some((x) => x.type === 7), 'no GOAWAY');
});

function parseFrames(buf: Buffer): { type: number; flags: number }[] {
  const frames: { type: number; flags: number }[] = [];
  for (let i = 0; i + 9 <= buf.length;) {
    const len = buf.readUIntBE(i, 3);
    frames.push({ type: buf[i + 3] as number, flags: buf[i + 4] as number });
    i += 9 + len;
  }
  return frames;
}

test('a server-first client that sends nothing times out as opaque, then the socket still works', async (t) => {
  const acc = await listenAcceptor(t);
  const client = await connectRaw(t, acc.port);
  const socket = await acc.next();
  const before = listenerCounts(socket);
  const started = Date.now();
  const peeked = await peekProtocol(socket, 150);
  assert.ok(Date.now() - started >= 140, 'waited for the timeout');
  assert.deepEqual(peeked, { protocol: 'opaque', prefix: Buffer.alloc(0), timedOut: true });
  assert.deepEqual(listenerCounts(socket), before, 'no listeners left behind');
  assert.equal(socket.isPaused(), true);

  // The server speaks first (SMTP-style), and the conversation carries on through the same socket.
  const greeting = new Promise<string>((resolve) =>
    client.once('data', (d: Buffer) => resolve(d.toString())),
  );
  socket.write('220 ready\r\n');
  assert.equal(await greeting, '220 ready\r\n');
  const heard = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  socket.resume();
  client.write('HELO client\r\n');
  assert.equal(await heard, 'HELO client\r\n');
});

test('opaque bytes read before the timeout are replayed to the next reader', async (t) => {
  const acc = await listenAcceptor(t);
  const client = await connectRaw(t, acc.port);
  const socket = await acc.next();
  client.write('GET /never-finished');
  const peeked = await peekProtocol(socket, 200);
  assert.equal(peeked.protocol, 'opaque');
  assert.equal(peeked.timedOut, true);
  assert.equal(peeked.prefix.toString(), 'GET /never-finished');
  const next = collect(socket);
  socket.resume(); // a 'data' listener alone does not restart an explicitly paused stream
  client.end(' and more');
  await waitFor(() => socket.readableEnded, { what: 'EOF through the replayed socket' });
  assert.equal(next.data().toString(), 'GET /never-finished and more');
});

test('a decision clears the timer and removes every listener', async (t) => {
  const acc = await listenAcceptor(t);
  const client = await connectRaw(t, acc.port);
  const socket = await acc.next();
  const listeners = listenerCounts(socket);
  const timers = timeoutCount();
  const peeking = peekProtocol(socket, 60_000);
  assert.equal(timeoutCount(), timers + 1, 'the peek armed one timer');
  client.write('\x00\x00\x00\x08'); // a binary protocol: opaque on the first byte
  const peeked = await peeking;
  assert.deepEqual(peeked, { protocol: 'opaque', prefix: Buffer.from([0, 0, 0, 8]), timedOut: false });
  assert.equal(timeoutCount(), timers, 'the timer is gone');
  assert.deepEqual(listenerCounts(socket), listeners);
});

test('a client that connects and closes at once is reported as closed', async (t) => {
  const acc = await listenAcceptor(t);
  for (const how of ['fin', 'rst', 'fin-after-partial-line'] as const) {
    const client = await connectRaw(t, acc.port);
    const socket = await acc.next();
    const listeners = listenerCounts(socket);
    const peeking = peekProtocol(socket, 10_000);
    if (how === 'fin') client.end();
    else if (how === 'rst') client.resetAndDestroy();
    else client.end('GET /');
    const peeked = await peeking;
    assert.equal(peeked.protocol, 'closed', how);
    assert.equal(peeked.timedOut, false, how);
    assert.equal(peeked.prefix.toString(), how === 'fin-after-partial-line' ? 'GET /' : '', how);
    assert.deepEqual(listenerCounts(socket), listeners, how);
  }
  // A socket that is already gone resolves at once.
  const client = await connectRaw(t, acc.port);
  const socket = await acc.next();
  socket.destroy();
  assert.deepEqual(await peekProtocol(socket, 10_000), {
    protocol: 'closed',
    prefix: Buffer.alloc(0),
    timedOut: false,
  });
  client.destroy();
});
