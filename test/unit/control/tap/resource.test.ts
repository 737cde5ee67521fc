// Tap targets: each resource type (and alias) covers the right instances, follows registry changes, and
// unknown or malformed targets are refused with the right code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../../../src/api/gen/common.js';
import { TargetError, resolveTarget } from '../../../../src/control/tap/resource.js';
import { meshSpec, testRegistry } from '../../../helpers/registry.js';

const spec = meshSpec(
  [
    {
      name: 'web',
      namespace: 'demo',
      instances: [
        { name: 'web-0', address: '127.0.0.1:1001', tap: '127.0.0.1:2001' },
        { name: 'web-1', address: '127.0.0.1:1002', tap: '127.0.0.1:2002' },
      ],
    },
    { name: 'api', namespace: 'demo', instances: [{ name: 'api-0', address: '127.0.0.1:1003' }] },
    { name: 'db', namespace: 'data', instances: [{ name: 'db-0', address: '127.0.0.1:1004' }] },
  ],
  [
    { name: 'web-svc', namespace: 'demo', workload: 'web' },
    { name: 'api', namespace: 'demo' },
  ],
);

const res = (type: string, name = '', namespace = 'demo'): Resource => ({ type, namespace, name });

test('each type and alias covers the right instances', (t) => {
  const registry = testRegistry(t, spec);
  const names = (r: Resource) =>
    resolveTarget(r, registry, 'default')
      .instances(registry)
      .map((i) => i.name)
      .sort();
  for (const type of ['workload', 'deployment', 'deploy', 'DEPLOY']) {
    assert.deepEqual(names(res(type, 'web')), ['web-0', 'web-1'], type);
  }
  for (const type of ['pod', 'po']) assert.deepEqual(names(res(type, 'web-1')), ['web-1'], type);
  for (const type of ['service', 'svc']) assert.deepEqual(names(res(type, 'web-svc')), ['web-0', 'web-1']);
  assert.deepEqual(names(res('namespace', 'demo', '')), ['api-0', 'web-0', 'web-1']);
  assert.deepEqual(names(res('namespace', '', '')), ['api-0', 'db-0', 'web-0', 'web-1'], 'whole mesh');
  assert.deepEqual(names(res('workload', '', 'demo')), ['api-0', 'web-0', 'web-1'], 'every workload');
  assert.deepEqual(names(res('authority', 'web-svc.demo:80')), ['web-0', 'web-1']);
});

test('the default namespace applies when a target names none', (t) => {
  const registry = testRegistry(t, spec);
  const target = resolveTarget({ type: 'workload', namespace: '', name: 'db' }, registry, 'data');
  assert.deepEqual(
    target.instances(registry).map((i) => i.name),
    ['db-0'],
  );
});

test('unknown resources are NOT_FOUND; bad types and missing targets are INVALID_ARGUMENT', (t) => {
  const registry = testRegistry(t, spec);
  const code = (r: Resource | undefined) => {
    try {
      resolveTarget(r, registry, 'default');
      return 'OK';
    } catch (err) {
      assert.ok(err instanceof TargetError);
      return err.code;
    }
  };
  assert.equal(code(res('workload', 'nope')), 'NOT_FOUND');
  assert.throws(() => resolveTarget(res('pod', 'x\ny'), registry, 'default'), {
    message: 'pod "demo/x\\ny" not found in the mesh',
  });
  assert.equal(code(res('pod', 'web-9')), 'NOT_FOUND');
  assert.equal(code(res('svc', 'nope')), 'NOT_FOUND');
  assert.equal(code(res('namespace', 'nope', '')), 'NOT_FOUND');
  assert.equal(code(res('workload', '', 'nope')), 'NOT_FOUND');
  assert.equal(code(res('authority', 'nope.demo:80')), 'NOT_FOUND');
  assert.equal(code(res('cronjob', 'x')), 'INVALID_ARGUMENT');
  assert.equal(code(res('', 'x')), 'INVALID_ARGUMENT');
  assert.equal(code(undefined), 'INVALID_ARGUMENT');
  assert.equal(code(res('pod', 'x'.repeat(300))), 'INVALID_ARGUMENT');
});

test('a target follows the registry: instances added and removed, a service moved to another workload', (t) => {
  const registry = testRegistry(t, spec);
  const svc = resolveTarget(res('svc', 'web-svc'), registry, 'default');
  const next = meshSpec(
    [
      {
        name: 'web',
        namespace: 'demo',
        instances: [
          { name: 'web-1', address: '127.0.0.1:1002' },
          { name: 'web-2', address: '127.0.0.1:1005' },
        ],
      },
      { name: 'api', namespace: 'demo', instances: [{ name: 'api-0', address: '127.0.0.1:1003' }] },
    ],
    [{ name: 'web-svc', namespace: 'demo', workload: 'web' }],
  );
  registry.replace(next);
  assert.deepEqual(
    svc.instances(registry).map((i) => i.name),
    ['web-1', 'web-2'],
  );
  registry.replace(
    meshSpec(
      next.workloads.map((w) => ({ name: w.name, namespace: w.namespace, instances: [] })),
      [{ name: 'web-svc', namespace: 'demo', workload: 'api' }],
    ),
  );
  assert.deepEqual(svc.instances(registry), [], 'nothing left: the target stays valid and empty');
});
