// Balancing across endpoints: peak-EWMA steers traffic away from a slow endpoint, and connect failures move
// requests to another endpoint so that none fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { request } from 'undici';
import { startTestProxy } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';

async function runConcurrently(
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

test('an endpoint 50 ms slower than the others gets under 20 % of requests', async (t) => {
  const origins = await Promise.all(
    [0, 0, 50].map((delay) =>
      startHttpOrigin(t, (_req, res) => {
        if (delay > 0) setTimeout(() => res.end('slow'), delay);
        else res.end('fast');
      }),
    ),
  );
  const proxy = await startTestProxy(t, { endpoints: { 'pool.test:80': origins.map((o) => o.address) } });
  await runConcurrently(400, 4, async () => {
    const res = await request(`http://${proxy.outbound}/`, { headers: { host: 'pool.test' } });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
  });
  const slowShare = (origins[2]?.requests ?? 0) / 400;
  assert.ok(slowShare < 0.2, `slow endpoint got ${(slowShare * 100).toFixed(1)} %`);
  assert.equal(
    origins.reduce((n, o) => n + o.requests, 0),
    400,
  );
});

test('with one endpoint refusing connections, no request fails', async (t) => {
  const origins = await Promise.all([0, 1].map(() => startHttpOrigin(t, (_req, res) => res.end('ok'))));
  const refusing = await (async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    return `127.0.0.1:${port}`;
  })();
  const proxy = await startTestProxy(t, {
    endpoints: { 'pool.test:80': [origins[0]?.address ?? '', refusing, origins[1]?.address ?? ''] },
  });
  let failures = 0;
  await runConcurrently(300, 4, async (i) => {
    const res = await request(`http://${proxy.outbound}/${i}`, {
      method: i % 2 ? 'POST' : 'GET',
      headers: { host: 'pool.test' },
      body: i % 2 ? 'payload' : null,
    });
    if (res.statusCode !== 200) failures++;
    await res.body.dump();
  });
  assert.equal(failures, 0);
  assert.equal(
    origins.reduce((n, o) => n + o.requests, 0),
    300,
  );
});
