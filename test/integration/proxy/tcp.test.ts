// Opaque TCP through both proxies: a client-first protocol (detected as not HTTP) and a server-first one
// on a configured opaque port (detection skipped, so the banner flows at once).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { startTestProxy } from '../../helpers/mesh.js';
import { freePort } from '../../helpers/ports.js';
import { patternStream } from '../../helpers/bytes.js';

async function tcpServer(t: TestContext, onConnection: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

test('a client-first binary protocol is forwarded byte-exact both ways, with half-close', async (t) => {
  // The app hashes what it receives until EOF, then answers with the hash (it needs the client's FIN).
  const appPort = await tcpServer(t, (s) => {
    const h = createHash('sha256');
    let n = 0;
    s.on('data', (d: Buffer) => {
      h.update(d);
      n += d.length;
    });
    s.on('end', () => s.end(`${n} ${h.digest('hex')}`));
  });
  const server = await startTestProxy(t, { app: `127.0.0.1:${appPort}` });
  const fwdPort = await freePort();
  await startTestProxy(t, {
    endpoints: { 'blob.test:7000': [server.inbound] },
    args: ['--forward', `127.0.0.1:${fwdPort}=blob.test:7000`],
  });
  const SIZE = 8 * 1024 * 1024;
  const expected = createHash('sha256');
  const reply = await new Promise<string>((resolve, reject) => {
    const c = net.connect(fwdPort, '127.0.0.1');
    let out = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
    // A leading 0x00 cannot start TLS, HTTP/2 or HTTP/1: detection decides "opaque" at once.
    c.write(Buffer.from([0, 1, 2, 3]));
    expected.update(Buffer.from([0, 1, 2, 3]));
    const body = patternStream(SIZE, 11);
    body.on('data', (b: Buffer) => expected.update(b));
    body.pipe(c);
  });
  assert.equal(reply, `${SIZE + 4} ${expected.digest('hex')}`);
});

test('a server-first protocol on an opaque port gets its banner without waiting for detection', async (t) => {
  const appPort = await tcpServer(t, (s) => {
    s.write('220 mail.test ESMTP ready\r\n');
    s.on('data', (d: Buffer) => {
      if (d.toString().startsWith('QUIT')) s.end('221 bye\r\n');
      else s.write(`250 ok ${d.toString().trim()}\r\n`);
    });
  });
  const server = await startTestProxy(t, {
    app: `127.0.0.1:${appPort}`,
    args: ['--opaque-ports', String(appPort), '--detect-timeout', '30s'],
  });
  const fwdPort = await freePort();
  await startTestProxy(t, {
    endpoints: { 'mail.test:2525': [server.inbound] },
    args: [
      '--forward',
      `127.0.0.1:${fwdPort}=mail.test:2525`,
      '--opaque-ports',
      '2525',
      '--detect-timeout',
      '30s',
    ],
  });
  const started = Date.now();
  const transcript = await new Promise<string>((resolve, reject) => {
    const c = net.connect(fwdPort, '127.0.0.1');
    let out = '';
    let step = 0;
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      out += d;
      if (step === 0 && out.endsWith('ready\r\n')) {
        step = 1;
        c.write('HELO me\r\n');
      } else if (step === 1 && out.includes('250 ok HELO me')) {
        step = 2;
        c.write('QUIT\r\n');
      }
    });
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
  assert.equal(transcript, '220 mail.test ESMTP ready\r\n250 ok HELO me\r\n221 bye\r\n');
  assert.ok(Date.now() - started < 10_000, 'the banner did not wait for the 30 s detect timeout');
});
