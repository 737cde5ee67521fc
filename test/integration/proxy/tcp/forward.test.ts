import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { connectTcp, forwardTcp } from '../../../../src/proxy/tcp/forward.js';
import { peekProtocol } from '../../../../src/proxy/detect/peek.js';
import { errorCode } from '../../../../src/common/errors.js';
import type { HostPort } from '../../../../src/common/address.js';
import { freePort } from '../../../helpers/ports.js';
import { startProcess } from '../../../helpers/processes.js';
import { waitFor } from '../../../helpers/wait.js';

interface Finished {
  readonly err: Error | undefined;
  /** Whether both sockets had closed when onDone ran. */
  readonly bothClosed: boolean;
}

interface Proxy {
  readonly target: HostPort;
  readonly port: number;
  /** One entry per onDone call, in order. */
  readonly finished: Finished[];
  /** The proxy's own sockets for each forwarded connection (client side, upstream side). */
  readonly forwarded: { client: net.Socket; upstream: net.Socket }[];
}

/** Everything a test opened, closed after it whatever happened. */
function owner(t: TestContext): { socket(s: net.Socket): net.Socket; server(s: net.Server): net.Server } {
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });
  return {
    socket(s) {
      sockets.add(s);
      s.on('error', () => {}); // e.g. a reset while the test tears things down
      return s;
    },
    server(s) {
      servers.push(s);
      s.on('connection', (c: net.Socket) => sockets.add(c));
      return s;
    },
  };
}

async function listen(server: net.Server): Promise<HostPort> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

/** An upstream server; `onSocket` plays the application. */
async function startUpstream(
  own: ReturnType<typeof owner>,
  onSocket: (s: net.Socket) => void,
): Promise<HostPort> {
  const server = own.server(
    net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      onSocket(s);
    }),
  );
  return listen(server);
}

/** The opaque path of the proxy: accept, optionally peek, connect, forward. */
async function startProxy(own: ReturnType<typeof owner>, target: HostPort, peekMs?: number): Promise<Proxy> {
  const finished: Finished[] = [];
  const forwarded: Proxy['forwarded'] = [];
  const server = own.server(
    net.createServer({ allowHalfOpen: true }, (client) => {
      client.on('error', () => {}); // until forwardTcp owns it
      void (async () => {
        if (peekMs !== undefined) await peekProtocol(client, peekMs);
        let upstream: net.Socket;
        try {
          upstream = own.socket(await connectTcp(target, 2000));
        } catch {
          client.destroy();
          return;
        }
        forwarded.push({ client, upstream });
        forwardTcp(client, upstream, (err) => {
          finished.push({ err, bothClosed: client.closed && upstream.closed });
        });
      })();
    }),
  );
  const { port } = await listen(server);
  return { target, port, finished, forwarded };
}

async function connectClient(own: ReturnType<typeof owner>, port: number): Promise<net.Socket> {
  const socket = own.socket(net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Reads a socket to its end and returns everything, with its SHA-256. */
function readAll(socket: net.Socket): Promise<{ bytes: Buffer; sha: string }> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('end', () => {
      const bytes = Buffer.concat(chunks);
      resolve({ bytes, sha: sha256(bytes) });
    });
  });
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

test('client-first echo: a few MB arrive back byte-exact, with and without a peek in front', async (t) => {
  const own = owner(t);
  const echo = await startUpstream(own, (s) => s.pipe(s));
  for (const peekMs of [undefined, 1000]) {
    const proxy = await startProxy(own, echo, peekMs);
    const client = await connectClient(own, proxy.port);
    const payload = randomBytes(4 * 1024 * 1024 + 17);
    const echoed = readAll(client);
    client.end(payload);
    const { bytes, sha } = await echoed;
    assert.equal(bytes.length, payload.length, `peek ${peekMs}`);
    assert.equal(sha, sha256(payload), `peek ${peekMs}`);
    await waitFor(() => proxy.finished.length === 1, { what: 'onDone' });
    assert.deepEqual(proxy.finished, [{ err: undefined, bothClosed: true }]);
  }
});

test('half-close: each side keeps receiving after its peer has sent FIN', async (t) => {
  const own = owner(t);
  const reply = randomBytes(2 * 1024 * 1024);
  let upstreamSawEof = false;
  const upstream = await startUpstream(own, (s) => {
    const question: Buffer[] = [];
    s.on('data', (c: Buffer) => question.push(c));
    s.on('end', () => {
      // Answer only after the client's FIN, as `nc -N`, HTTP/1.0 clients and many RPC shims expect.
      upstreamSawEof = true;
      s.write(Buffer.concat(question));
      s.end(reply);
    });
  });
  const proxy = await startProxy(own, upstream);
  const client = await connectClient(own, proxy.port);
  const answer = readAll(client);
  client.end('question?');
  const { bytes } = await answer;
  assert.equal(upstreamSawEof, true);
  assert.equal(bytes.subarray(0, 9).toString(), 'question?');
  assert.equal(sha256(bytes.subarray(9)), sha256(reply));
  await waitFor(() => proxy.finished.length === 1, { what: 'onDone' });
  assert.deepEqual(proxy.finished, [{ err: undefined, bothClosed: true }]);
});

test('half-close the other way: the upstream ends first and still receives what the client sends after', async (t) => {
  const own = owner(t);
  let received: Promise<string> | undefined;
  const upstream = await startUpstream(own, (s) => {
    s.end('bye early\n');
    received = readAll(s).then((r) => r.bytes.toString());
  });
  const proxy = await startProxy(own, upstream);
  const client = await connectClient(own, proxy.port);
  const fromUpstream = readAll(client);
  assert.equal((await fromUpstream).bytes.toString(), 'bye early\n');
  const late = randomBytes(256 * 1024).toString('hex');
  client.end(late);
  assert.equal(await waitFor(() => received, { what: 'upstream connection' }), late);
  await waitFor(() => proxy.finished.length === 1, { what: 'onDone' });
  assert.deepEqual(proxy.finished, [{ err: undefined, bothClosed: true }]);
});

test('server-first: the upstream banner reaches a silent client, directly and after a peek times out', async (t) => {
  const own = owner(t);
  const upstream = await startUpstream(own, (s) => {
    s.write('220 upstream ready\r\n');
    s.setEncoding('utf8');
    s.on('data', (line: string) => s.write(`250 ${line}`));
    s.on('end', () => s.end());
  });
  for (const peekMs of [undefined, 100]) {
    const proxy = await startProxy(own, upstream, peekMs);
    const client = await connectClient(own, proxy.port);
    client.setEncoding('utf8');
    let text = '';
    client.on('data', (d: string) => (text += d));
    await waitFor(() => text === '220 upstream ready\r\n', { what: `banner (peek ${peekMs})` });
    client.write('HELO client\r\n');
    await waitFor(() => text.endsWith('250 HELO client\r\n'), { what: `reply (peek ${peekMs})` });
    client.end();
    await waitFor(() => proxy.finished.length === 1, { what: 'onDone' });
    assert.deepEqual(proxy.finished, [{ err: undefined, bothClosed: true }]);
  }
});

test('back-pressure: 50 MB to a slow reader never piles up in the proxy', async (t) => {
  const own = owner(t);
  const total = 50 * 1024 * 1024;
  const upstreamHash = createHash('sha256');
  let upstreamBytes = 0;
  const upstream = await startUpstream(own, (s) => {
    s.on('data', (c: Buffer) => {
      upstreamHash.update(c);
      upstreamBytes += c.length;
      // A reader much slower than loopback: one chunk, then a pause.
      s.pause();
      setTimeout(() => s.resume(), 1);
    });
    s.on('end', () => s.end());
  });
  const proxy = await startProxy(own, upstream);
  const client = await connectClient(own, proxy.port);
  const { client: inbound, upstream: outbound } = await waitFor(() => proxy.forwarded[0], {
    what: 'forward',
  });
  let maxQueued = 0;
  let maxBuffered = 0;
  let drains = 0;
  // Sampled right after forwardTcp wrote each chunk (its listener runs first).
  inbound.on('data', () => {
    maxQueued = Math.max(maxQueued, outbound.writableLength);
    maxBuffered = Math.max(maxBuffered, inbound.readableLength);
    if (outbound.writableNeedDrain) drains++;
  });
  const rssBefore = process.memoryUsage().rss;
  let maxRss = rssBefore;
  const block = randomBytes(64 * 1024);
  const sentHash = createHash('sha256');
  // The client itself respects back-pressure, so any growth would be the proxy's.
  for (let sent = 0; sent < total; sent += block.length) {
    block.writeUInt32BE(sent, 0); // every block differs, so reordering would show in the hash
    sentHash.update(block);
    if (!client.write(Buffer.from(block))) await new Promise((resolve) => client.once('drain', resolve));
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }
  client.end();
  await waitFor(() => upstreamBytes === total, { timeoutMs: 120_000, what: 'all bytes at the upstream' });
  await waitFor(() => proxy.finished.length === 1, { what: 'onDone' });
  assert.equal(upstreamHash.digest('hex'), sentHash.digest('hex'));
  t.diagnostic(`max write queue ${maxQueued} B, max read buffer ${maxBuffered} B, ${drains} waits for drain`);
  assert.ok(drains > 0, 'the slow reader must have pushed back at least once');
  assert.ok(maxQueued <= 256 * 1024, `proxy write queue grew to ${maxQueued} bytes`);
  assert.ok(maxBuffered <= 256 * 1024, `proxy read buffer grew to ${maxBuffered} bytes`);
  assert.ok(maxRss - rssBefore < 64 * 1024 * 1024, `RSS grew by ${maxRss - rssBefore} bytes`);
});

test('connectTcp rejects with ECONNREFUSED when nothing listens', async () => {
  const port = await freePort();
  await assert.rejects(connectTcp({ host: '127.0.0.1', port }, 2000), (err: unknown) => {
    assert.equal(errorCode(err), 'ECONNREFUSED');
    return true;
  });
});

test('connectTcp gives up with ETIMEDOUT when the listener never answers', async (t) => {
  // A listener whose accept queue is full drops further SYNs, so connects hang: a child process listens with
  // a backlog of 1 and then blocks its event loop, so it never accepts.
  const child = startProcess(t, process.execPath, [
    '-e',
    `const s = require('node:net').createServer();
     s.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       process.stdout.write(s.address().port + '\\n');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
     });`,
  ]);
  const port = Number(await waitFor(() => /^(\d+)\n/.exec(child.stdout())?.[1], { what: 'child port' }));
  const own = owner(t);
  let timedOut: unknown;
  for (let attempt = 0; attempt < 16 && timedOut === undefined; attempt++) {
    const started = Date.now();
    try {
      own.socket(await connectTcp({ host: '127.0.0.1', port }, 300)); // filled a slot in the accept queue
    } catch (err) {
      timedOut = err;
      assert.ok(Date.now() - started >= 290, 'rejected at the deadline, not before');
    }
  }
  assert.ok(timedOut instanceof Error, 'some connect must time out once the queue is full');
  assert.equal(errorCode(timedOut), 'ETIMEDOUT');
});

test('an upstream reset tears down the client and reports the error once', async (t) => {
  const own = owner(t);
  const upstream = await startUpstream(own, (s) => s.once('data', () => s.resetAndDestroy()));
  const proxy = await startProxy(own, upstream);
  const client = await connectClient(own, proxy.port);
  const clientError = new Promise<unknown>((resolve) => {
    client.once('error', resolve);
    client.once('close', () => resolve(undefined));
  });
  client.resume();
  client.write('hello');
  // The proxy passes the reset on, so the client sees an abort rather than a clean end of stream.
  assert.equal(errorCode(await clientError), 'ECONNRESET');
  await waitFor(() => proxy.finished.length > 0, { what: 'onDone' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(proxy.finished.length, 1);
  assert.equal(errorCode(proxy.finished[0]?.err), 'ECONNRESET');
  assert.equal(proxy.finished[0]?.bothClosed, true);
});

test('a client reset tears down the upstream and reports the error once', async (t) => {
  const own = owner(t);
  let upstreamSocket: net.Socket | undefined;
  let upstreamGotData = false;
  const upstream = await startUpstream(own, (s) => {
    upstreamSocket = s;
    s.on('data', () => (upstreamGotData = true));
  });
  const proxy = await startProxy(own, upstream);
  const client = await connectClient(own, proxy.port);
  client.write('hello');
  await waitFor(() => upstreamGotData, { what: 'the upstream to hear from the client' });
  const upstreamSide = upstreamSocket as net.Socket;
  const upstreamError = new Promise<unknown>((resolve) => {
    upstreamSide.once('error', resolve);
    upstreamSide.once('close', () => resolve(undefined));
  });
  client.resetAndDestroy();
  assert.equal(errorCode(await upstreamError), 'ECONNRESET');
  await waitFor(() => proxy.finished.length > 0, { what: 'onDone' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(proxy.finished.length, 1);
  assert.equal(errorCode(proxy.finished[0]?.err), 'ECONNRESET');
  assert.equal(proxy.finished[0]?.bothClosed, true);
});

test('a client that left before forwarding started still ends the forward, once', async (t) => {
  const own = owner(t);
  let upstreamSide: net.Socket | undefined;
  const upstream = await startUpstream(own, (s) => (upstreamSide = s));
  // A bare listener stands in for the proxy: its accepted socket is the `client` handed to forwardTcp.
  const accepted: net.Socket[] = [];
  const front = await listen(own.server(net.createServer({ allowHalfOpen: true }, (s) => accepted.push(s))));
  await connectClient(own, front.port);
  const client = await waitFor(() => accepted[0], { what: 'accept' });
  client.destroy();
  await new Promise((resolve) => client.once('close', resolve));
  const outbound = own.socket(await connectTcp(upstream, 2000));
  const finished: (Error | undefined)[] = [];
  let synchronous = true;
  forwardTcp(client, outbound, (err) => {
    assert.equal(synchronous, false, 'onDone must not run inside forwardTcp');
    finished.push(err);
  });
  synchronous = false;
  await waitFor(() => finished.length === 1, { what: 'onDone' });
  await waitFor(() => upstreamSide?.closed, { what: 'the upstream connection to be torn down' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(finished, [undefined]);
  assert.equal(outbound.destroyed, true);
});
