// The local registry answers IP authorities as Kubernetes' Destination answers pod IPs: the one instance at
// that address, at the port asked for, with its identity (so transparent proxies originate mTLS to it).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { stringify } from 'yaml';
import { LocalRegistry } from '../../../../src/control/registry/local-registry.js';

function registry(t: test.TestContext, spec: unknown): LocalRegistry {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mesh.yaml');
  writeFileSync(file, stringify(spec));
  const r = new LocalRegistry(file, () => undefined, 0);
  t.after(() => r.close());
  return r;
}

const spec = {
  services: [
    { name: 'b', namespace: 'demo', ports: [8080, 9000], opaquePorts: [9000], workload: 'b' },
    { name: 'local', namespace: 'demo', ports: [80], workload: 'local' },
  ],
  workloads: [
    {
      name: 'b',
      namespace: 'demo',
      instances: [{ name: 'b-0', address: '10.250.0.3:8080', admin: '10.250.0.3:4191' }],
    },
    { name: 'orphan', namespace: 'demo', instances: [{ name: 'o-0', address: '10.250.0.4:8080' }] },
    {
      name: 'local',
      namespace: 'demo',
      instances: [
        { name: 'l-0', address: '127.0.0.1:4143', admin: '127.0.0.1:4191' },
        { name: 'l-1', address: '127.0.0.1:5143', admin: '127.0.0.1:5191' },
      ],
    },
  ],
};

test('a pod IP resolves to that instance at the port asked for, under the service that serves the port', (t) => {
  const r = registry(t, spec);
  const opaque = r.resolve('10.250.0.3:9000');
  assert.ok(opaque);
  assert.equal(opaque.service.name, 'b');
  assert.equal(opaque.opaque, true);
  assert.deepEqual(
    opaque.endpoints.map((e) => [e.address, e.instance.name, e.instance.meshed]),
    [[{ host: '10.250.0.3', port: 9000 }, 'b-0', true]],
  );
  assert.equal(r.resolve('10.250.0.3:7777')?.endpoints[0]?.address.port, 7777, 'any port of the pod');
});

test('unknown, ambiguous and service-less IPs are not resolved; an exact address picks among many', (t) => {
  const r = registry(t, spec);
  assert.equal(r.resolve('10.250.0.99:80'), undefined);
  assert.equal(r.resolve('10.250.0.4:8080'), undefined, 'backs no service');
  assert.equal(r.resolve('127.0.0.1:9999'), undefined, 'two instances share 127.0.0.1');
  assert.equal(r.resolve('127.0.0.1:5143')?.endpoints[0]?.instance.name, 'l-1');
  assert.equal(r.resolve('b.demo:8080')?.endpoints[0]?.address.port, 8080, 'names resolve as before');
});
