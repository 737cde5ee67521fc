// HTTP/2 (h2c) through both proxies with nghttp, h2load and Node's http2 client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import { promisify } from 'node:util';
import { startMeshPath } from '../../helpers/mesh.js';
import { startH2Origin } from '../../helpers/origins.js';
import { sumOf } from '../../helpers/prom.js';

const run = promisify(execFile);

async function echoOrigin(t: Parameters<typeof startH2Origin>[0]) {
  return startH2Origin(t, (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      stream.respond({ ':status': 200, 'x-seen-authority': String(headers[':authority']), 'content-type': 'text/plain' });
      stream.end(`${String(headers[':method'])} ${String(headers[':path'])} ${body.length}`);
    });
  });
}

test('nghttp reaches the app over h2c through both proxies', async (t) => {
  const origin = await echoOrigin(t);
  const { client } = await startMeshPath(t, origin.address);
  const { stdout } = await run('nghttp', ['-v', '-H', ':authority: web.test', `http://${client.outbound}/hello`]);
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
    Array.from({ length: 100 }, (_, i) =>
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
  const { stdout } = await run('h2load', ['-n', '2000', '-c', '1', '-m', '100', '-H', ':authority: web.test', `http://${client.outbound}/load`]);
  assert.match(stdout, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/);
  assert.match(stdout, /status codes: 2000 2xx/);
});

test('an upstream RST_STREAM reaches the client as a reset', async (t) => {
  const origin = await startH2Origin(t, (stream) => {
    stream.respond({ ':status': 200 });
    stream.write('partial');
    setTimeout(() => stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM), 20);
  });
  const { client } = await startMeshPath(t, origin.address);
  const session = http2.connect(`http://${client.outbound}`);
  t.after(() => session.destroy());
  const req = session.request({ ':path': '/reset', ':authority': 'web.test' });
  req.on('data', () => undefined);
  req.on('error', () => undefined);
  await new Promise<void>((resolve) => req.on('close', () => resolve()));
  assert.equal(req.rstCode, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
});
