// Transparent inbound: which local port a connection is delivered to.
import assert from 'node:assert/strict';
import test from 'node:test';
import { setOriginalTarget } from '../../../../src/proxy/accept/original-target.js';
import { Endpoint } from '../../../../src/proxy/endpoint/endpoint.js';
import { FixedPicker } from '../../../../src/proxy/endpoint/picker.js';
import { ProxyError } from '../../../../src/proxy/errors.js';
import { AppPorts } from '../../../../src/proxy/inbound/app-ports.js';
import { ProxyMetrics } from '../../../../src/proxy/metrics/proxy-metrics.js';

const deps = {
  direction: 'inbound' as const,
  metrics: new ProxyMetrics({ authorityLimit: 10, routeLimit: 10 }),
  connectTimeoutMs: 1000,
  clock: { now: () => 0 },
  random: () => 0.5,
};

test('a connection goes to 127.0.0.1:<its original port>; one picker per port, reused', () => {
  const ports = new AppPorts(deps, undefined, new Set([4143, 4140, 4191, 4190]));
  const picker = ports.pickerFor({ host: '10.0.0.5', port: 8081 });
  assert.ok(!(picker instanceof ProxyError));
  assert.equal(picker.authority, '127.0.0.1:8081');
  assert.equal(picker.pick()?.key, '127.0.0.1:8081');
  assert.equal(ports.pickerFor({ host: '10.0.0.5', port: 8081 }), picker);
  // The router reads the target recorded on the request's connection.
  const conn = {};
  setOriginalTarget(conn, { host: '10.0.0.5', port: 9000 });
  assert.equal((ports.route('web:80', conn) as FixedPicker).authority, '127.0.0.1:9000');
  ports.destroy();
});

test('not redirected: --app if there is one, else MESH_NO_ORIGINAL_DST; the proxy never delivers to itself', () => {
  const app = new FixedPicker('127.0.0.1:8080', new Endpoint({ host: '127.0.0.1', port: 8080 }, deps));
  assert.equal(new AppPorts(deps, app, new Set()).route(undefined, {}), app);
  const none = new AppPorts(deps, undefined, new Set([4143]));
  const missing = none.pickerFor(undefined);
  assert.ok(missing instanceof ProxyError && missing.code === 'MESH_NO_ORIGINAL_DST');
  const loop = none.pickerFor({ host: '10.0.0.5', port: 4143 });
  assert.ok(loop instanceof ProxyError && /own port 4143/.test(loop.message));
});
