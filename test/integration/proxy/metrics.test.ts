// After a known mix of requests, /metrics reports exactly those counts per route, status and class.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMeshPath } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';
import { samplesOf, sumOf } from '../../helpers/prom.js';

test('golden metrics count a known request mix exactly, on both proxies', async (t) => {
  const origin = await startHttpOrigin(t, (req, res) => {
    if (req.url === '/fail') res.statusCode = 500;
    else if (req.method === 'POST') res.statusCode = 201;
    res.end('x');
  });
  const { client, server } = await startMeshPath(t, origin.address);
  const send = async (method: string, path: string) => {
    const res = await request(`http://${client.outbound}${path}`, { method, headers: { host: 'web.test' } });
    await res.body.dump();
  };
  for (let i = 0; i < 30; i++) await send('GET', `/users/${1000 + i}`);
  for (let i = 0; i < 10; i++) await send('POST', '/users');
  for (let i = 0; i < 5; i++) await send('GET', '/fail');

  for (const [proxy, direction] of [
    [client, 'outbound'],
    [server, 'inbound'],
  ] as const) {
    const m = await proxy.metrics();
    const base = { direction, authority: 'web.test:80' };
    assert.equal(sumOf(m, 'request_total', base), 45, direction);
    assert.equal(sumOf(m, 'response_total', { ...base, status_code: '200', classification: 'success' }), 30);
    assert.equal(sumOf(m, 'response_total', { ...base, status_code: '201', classification: 'success' }), 10);
    assert.equal(sumOf(m, 'response_total', { ...base, status_code: '500', classification: 'failure' }), 5);
    assert.equal(sumOf(m, 'route_request_total', { ...base, route: 'GET /users/{id}' }), 30);
    assert.equal(
      sumOf(m, 'route_response_total', { ...base, route: 'GET /users/{id}', status_code: '200' }),
      30,
    );
    assert.equal(sumOf(m, 'route_response_total', { ...base, route: 'POST /users', status_code: '201' }), 10);
    assert.equal(
      sumOf(m, 'route_response_total', {
        ...base,
        route: 'GET /fail',
        status_code: '500',
        classification: 'failure',
      }),
      5,
    );
    // Histogram counts equal request counts, per status and in the +Inf bucket.
    assert.equal(sumOf(m, 'response_latency_ms_count', { ...base, status_code: '200' }), 30);
    assert.equal(sumOf(m, 'response_latency_ms_bucket', { ...base, le: '+Inf' }), 45);
    assert.equal(sumOf(m, 'route_response_latency_ms_count', { ...base, route: 'POST /users' }), 10);
    // Buckets are cumulative: never decreasing with le.
    const buckets = samplesOf(m, 'response_latency_ms_bucket', { ...base, status_code: '200' });
    for (let i = 1; i < buckets.length; i++) {
      assert.ok((buckets[i]?.value ?? 0) >= (buckets[i - 1]?.value ?? 0));
    }
  }
});
