// `meshctl control`: gRPC health for each component, /metrics and /ready on the admin port, precise
// errors for bad mesh files, and a clean exit on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus as Serving,
  HealthClient,
  type HealthCheckResponse,
} from '../../../src/api/gen/health.js';
import { MeshFile, startTestControl } from '../../helpers/control.js';
import { portIsFree } from '../../helpers/ports.js';
import { runMeshctl } from '../../helpers/processes.js';

const SPEC = {
  services: [{ name: 'web', namespace: 'demo', ports: [80], workload: 'web' }],
  workloads: [{ name: 'web', namespace: 'demo', instances: [{ name: 'web-0', address: '127.0.0.1:4143' }] }],
};

function check(client: HealthClient, service: string): Promise<HealthCheckResponse | grpc.ServiceError> {
  return new Promise((resolve) => client.check({ service }, (err, res) => resolve(err ?? res)));
}

test('the control plane serves grpc.health.v1, /metrics and /ready, and stops cleanly on SIGTERM', async (t) => {
  const mesh = new MeshFile(t, SPEC);
  const control = await startTestControl(t, mesh.path, { components: ['destination'] });
  const health = new HealthClient(control.grpc, grpc.credentials.createInsecure());
  t.after(() => health.close());
  assert.deepEqual(await check(health, ''), { status: Serving.SERVING });
  assert.deepEqual(await check(health, 'mesh.destination.v1.Destination'), { status: Serving.SERVING });
  const unknown = (await check(health, 'no.such.Service')) as grpc.ServiceError;
  assert.equal(unknown.code, grpc.status.NOT_FOUND);

  const metrics = await (await fetch(`http://${control.admin}/metrics`)).text();
  assert.match(metrics, /^destination_endpoint_streams 0$/m);
  assert.match(metrics, /^process_resident_memory_bytes \d+$/m);
  assert.equal((await fetch(`http://${control.admin}/live`)).status, 200);

  control.proc.child.kill('SIGTERM');
  assert.equal(await control.proc.exited, 0);
  for (const addr of [control.grpc, control.admin])
    assert.ok(await portIsFree(Number(addr.split(':')[1])), addr);
});

test('a bad mesh file is refused with the file, the path of the bad value and what is expected', async (t) => {
  const mesh = new MeshFile(t, SPEC);
  const cases: [string, RegExp][] = [
    ['services: [\n  - name: web\n    ports: [80\n', /mesh\.yaml:\d+:\d+: invalid YAML/],
    ['services:\n  - name: Web_1\n', /services\[0\]\.name: expected a DNS label/],
    [
      'workloads:\n  - name: web\n    instances:\n      - {name: web-0, address: nowhere}\n',
      /workloads\[0\]\.instances\[0\]\.address: expected HOST:PORT/,
    ],
    [
      'services:\n  - {name: api, workload: ghost}\n',
      /services\[0\]\.workload: no workload "ghost" in namespace default/,
    ],
    [
      'services:\n  - name: web\n    profile: {routes: [{name: r, pathRegex: "(("}]}\nworkloads: [{name: web}]\n',
      /services\[0\]\.profile\.routes\[0\]\.pathRegex: not a valid regular expression/,
    ],
  ];
  for (const [text, expected] of cases) {
    writeFileSync(mesh.path, text);
    const r = await runMeshctl([
      'control',
      '--mesh-file',
      mesh.path,
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, expected);
  }
  const missing = await runMeshctl(['control', '--listen', '127.0.0.1:0']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no mesh file: pass --mesh-file FILE or set MESH_CONTROL_MESH_FILE/);
  const bogus = await runMeshctl(['control', 'teleport', '--mesh-file', mesh.path]);
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /unknown component "teleport"/);
});
