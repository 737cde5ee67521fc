// Service-profile retries: a retryable route whose endpoint fails 30 % of the time still succeeds, retries
// stay within the budget when everything fails, and a POST no profile marks retryable is never retried.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { MeshFile, startTestControl } from '../../helpers/control.js';
import { startTestProxy, type TestProxy } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';
import { sumOf } from '../../helpers/prom.js';
import { waitFor } from '../../helpers/wait.js';

/** Fails attempts 1, 2 and 5 of every 10 (30 %), so results do not depend on chance. */
const FAILING = new Set([1, 2, 5]);

async function setup(t: TestContext, retryBudget: Record<string, unknown>) {
  const attempts = { flaky: 0, down: 0, submit: 0 };
  const origin = await startHttpOrigin(t, (req, res) => {
    if (req.url === '/flaky') {
      res.statusCode = FAILING.has(attempts.flaky++ % 10) ? 503 : 200;
    } else if (req.url === '/down') {
      attempts.down++;
      res.statusCode = 500;
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 3000);
      return;
    } else if (req.url === '/submit') {
      res.statusCode = FAILING.has(attempts.submit++ % 10) ? 503 : 201;
    }
    req.resume();
    req.on('end', () => res.end('x'));
  });
  const server = await startTestProxy(t, { app: origin.address });
  const mesh = new MeshFile(t, {
    services: [
      {
        name: 'orders',
        namespace: 'shop',
        ports: [80],
        workload: 'orders',
        profile: {
          routes: [
            { name: 'GET /flaky', method: 'GET', pathRegex: '/flaky', retryable: true },
            { name: 'GET /down', method: 'GET', pathRegex: '/down', retryable: true },
            { name: 'GET /slow', method: 'GET', pathRegex: '/slow', timeout: '200ms' },
          ],
          retryBudget,
        },
      },
    ],
    workloads: [
      { name: 'orders', namespace: 'shop', instances: [{ name: 'orders-0', address: server.inbound }] },
    ],
  });
  const control = await startTestControl(t, mesh.path, { components: ['destination'] });
  const client = await startTestProxy(t, { args: ['--control-plane', control.grpc] });
  // Wait until the profile has reached the client: the route label switches to the profile's name.
  await waitFor(
    async () => {
      await send(client, 'GET', '/warmup');
      const m = await client.metrics();
      return sumOf(m, 'route_request_total', { route: 'GET /warmup' }) > 0 && (await profileLoaded(client));
    },
    { what: 'the service profile to reach the client proxy' },
  );
  return { attempts, client };
}

async function profileLoaded(client: TestProxy): Promise<boolean> {
  const debug = (await (await fetch(`http://${client.admin}/debug`)).json()) as {
    outbound: { authority: string; profileRoutes: number }[];
  };
  return debug.outbound.some((s) => s.authority === 'orders.shop:80' && s.profileRoutes === 3);
}

async function send(client: TestProxy, method: string, path: string): Promise<number> {
  const res = await request(`http://${client.outbound}${path}`, {
    method,
    headers: { host: 'orders.shop' },
    body: method === 'POST' ? '{"item":1}' : null,
  });
  await res.body.dump();
  return res.statusCode;
}

test('a retryable route failing 30 % of the time succeeds for idempotent requests; an unmarked POST is never retried', async (t) => {
  const { attempts, client } = await setup(t, { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' });
  const N = 300;
  let ok = 0;
  for (let i = 0; i < N; i++) if ((await send(client, 'GET', '/flaky')) === 200) ok++;
  assert.ok(ok / N >= 0.99, `success ${((ok / N) * 100).toFixed(1)} %`);
  const retries = attempts.flaky - N;
  t.diagnostic(
    `GET /flaky: ${ok}/${N} succeeded with ${retries} retries (${attempts.flaky} attempts at the app)`,
  );
  assert.ok(retries > 0 && retries <= 0.2 * N + 100, `retries ${retries} within the budget`);
  const m = await client.metrics();
  assert.equal(sumOf(m, 'route_retry_total', { route: 'GET /flaky' }), retries);
  assert.equal(sumOf(m, 'route_response_total', { route: 'GET /flaky', classification: 'success' }), ok);

  let posted = 0;
  for (let i = 0; i < 100; i++) if ((await send(client, 'POST', '/submit')) === 201) posted++;
  assert.equal(attempts.submit, 100, 'every POST reached the app exactly once');
  assert.equal(posted, 70);
  assert.equal(sumOf(await client.metrics(), 'route_retry_total', { route: 'POST /submit' }), 0);
});

test('when every attempt fails, retries stop at the budget', async (t) => {
  // The budget allows 20 % of requests plus 1 retry/s over a 10 s window: at most 0.2·N + 10 retries.
  const { attempts, client } = await setup(t, { retryRatio: 0.2, minRetriesPerSecond: 1, ttl: '10s' });
  const N = 200;
  let failed = 0;
  for (let i = 0; i < N; i++) if ((await send(client, 'GET', '/down')) === 500) failed++;
  assert.equal(failed, N);
  const retries = attempts.down - N;
  t.diagnostic(`GET /down: ${retries} retries for ${N} failing requests`);
  assert.ok(retries <= 0.2 * N + 10, `retries ${retries} exceed the budget`);
  assert.ok(retries >= 0.2 * N - 5, `retries ${retries}: the budget was not used`);
});

test("a route's timeout answers 504 when the app is too slow", async (t) => {
  const { client } = await setup(t, { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' });
  const started = Date.now();
  const res = await request(`http://${client.outbound}/slow`, { headers: { host: 'orders.shop' } });
  await res.body.dump();
  assert.equal(res.statusCode, 504);
  assert.match(String(res.headers['mesh-proxy-error']), /^MESH_RESPONSE_TIMEOUT/);
  assert.ok(Date.now() - started < 2500, 'answered at the route timeout, not when the app finished');
  const m = await client.metrics();
  assert.equal(
    sumOf(m, 'route_response_total', { route: 'GET /slow', status_code: '504', classification: 'failure' }),
    1,
  );
});
