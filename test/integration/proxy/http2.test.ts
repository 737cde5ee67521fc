// HTTP/2 (h2c) through both proxies with nghttp, h2load and Node's http2 client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import { promisify } from 'node:util';
import { startMeshPath } from '../../helpers/mesh.js';
import { startH2Origin } from '../../helpers/origins.js';
import { sumOf } from '../../helpers/prom.js';
import { waitFor } from '../../helpers/wait.js';

const run = promisify(execFile);

async function echoOrigin(t: Parameters<typeof startH2Origin>[0]) {
  return startH2Origin(t, (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      stream.respond({
        ':status': 200,
        'x-seen-authority': String(headers[':authority']),
        'content-type': 'text/plain',
      });
      stream.end(`${String(headers[':method'])} ${String(headers[':path'])} ${body.length}`);
    });
  });
}

test('nghttp reaches the app over h2c through both proxies', async (t) => {
  const origin = await echoOrigin(t);
  const { client } = await startMeshPath(t, origin.address);
  const { stdout } = await run('nghttp', [
    '-v',
    '-H',
    ':authority: web.test',
    `http://${client.outbound}/hello`,
  ]);
  assert.match(stdout, /:status: 200/);
  assert.match(stdout, /x-seen-authority: web\.test/);
  assert.match(stdout, /GET \/hello 0/);
});

test('100 concurrent streams on one client connection all complete', async (t) => {
  const origin = await echoOrigin(t);
  const { client } = await startMeshPath(t, origin.address);
  const session = http2.connect(`http://${client.outbound}`);
  t.after(() => session.destroy());
  const results = await Promise.all(
    Array.from(
      { length: 100 },
      (_, i) =>
        new Promise<string>((resolve, reject) => {
          const req = session.request({ ':method': 'POST', ':path': `/s/${i}`, ':authority': 'web.test' });
          let body = '';
          req.setEncoding('utf8');
          req.on('data', (d: string) => (body += d));
          req.on('end', () => resolve(body));
          req.on('error', reject);
          req.end(Buffer.alloc(i * 100, 1));
        }),
    ),
  );
  results.forEach((body, i) => assert.equal(body, `POST /s/${i} ${i * 100}`));
  const m = await client.metrics();
  assert.equal(sumOf(m, 'tcp_open_total', { direction: 'outbound', peer: 'src' }), 1);
  assert.equal(sumOf(m, 'request_total', { direction: 'outbound', authority: 'web.test:80' }), 100);
});

test('h2load with 100 concurrent streams on one connection: no failures', async (t) => {
  const origin = await echoOrigin(t);
  const { client } = await startMeshPath(t, origin.address);
  const { stdout } = await run('h2load', [
    '-n',
    '2000',
    '-c',
    '1',
    '-m',
    '100',
    '-H',
    ':authority: web.test',
    `http://${client.outbound}/load`,
  ]);
  assert.match(stdout, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/);
  assert.match(stdout, /status codes: 2000 2xx/);
});

test('RST_STREAM is propagated both ways: upstream reset to the client, client cancel to the app', async (t) => {
  let appSawClose: number | undefined;
  const origin = await startH2Origin(t, (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':path'] === '/refuse') {
      // Node only emits a real RST_STREAM (rather than END_STREAM) before a response has started.
      stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      return;
    }
    stream.respond({ ':status': 200 });
    stream.write('started');
    stream.on('close', () => (appSawClose = stream.rstCode));
  });
  const { client } = await startMeshPath(t, origin.address);
  const session = http2.connect(`http://${client.outbound}`);
  t.after(() => session.destroy());

  const refused = session.request({ ':path': '/refuse', ':authority': 'web.test' });
  refused.on('error', () => undefined);
  refused.resume();
  await new Promise<void>((resolve) => refused.on('close', () => resolve()));
  assert.equal(refused.rstCode, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);

  const cancelled = session.request({ ':path': '/long', ':authority': 'web.test' });
  cancelled.on('error', () => undefined);
  await new Promise<void>((resolve) => cancelled.once('data', () => resolve()));
  cancelled.close(http2.constants.NGHTTP2_CANCEL);
  await waitFor(() => appSawClose !== undefined, { what: 'the app stream to close' });
  assert.equal(appSawClose, http2.constants.NGHTTP2_CANCEL);
});

test('on SIGTERM the proxy sends GOAWAY: streams in flight finish, the session is told to go', async (t) => {
  const origin = await startH2Origin(t, (stream) => {
    stream.on('error', () => undefined);
    setTimeout(() => {
      stream.respond({ ':status': 200 });
      stream.end('done');
    }, 500);
  });
  const { client } = await startMeshPath(t, origin.address);
  const session = http2.connect(`http://${client.outbound}`);
  t.after(() => session.destroy());
  let goaway = false;
  session.on('goaway', () => (goaway = true));
  const req = session.request({ ':path': '/slow', ':authority': 'web.test' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => (body += d));
  const ended = new Promise<void>((resolve) => req.on('end', () => resolve()));
  await waitFor(() => origin.requests === 1, { what: 'the stream at the app' });
  client.proc.child.kill('SIGTERM');
  await ended;
  assert.equal(body, 'done');
  await waitFor(() => goaway, { what: 'GOAWAY from the draining proxy' });
  assert.equal(await client.proc.exited, 0);
});
