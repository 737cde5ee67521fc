import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../../src/common/errors.js';
import { resolveControlPlane, resolveNamespace } from '../../../src/cli/control-plane.js';

test('the control plane comes from the flag, then the environment, then the live demo, then the default', (t) => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'meshctl-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const env = { MESHCTL_HOME: home };
  assert.deepEqual(resolveControlPlane(undefined, env), { address: '127.0.0.1:8086', source: 'default' });

  const record = (pid: number) =>
    writeFileSync(
      path.join(home, 'control-plane.json'),
      JSON.stringify({ address: '127.0.0.1:40001', admin: '127.0.0.1:1', pid, dir: home, startedAt: '' }),
    );
  record(process.pid);
  assert.deepEqual(resolveControlPlane(undefined, env), { address: '127.0.0.1:40001', source: 'demo' });
  const withEnv = { ...env, MESHCTL_CONTROL_PLANE: '127.0.0.1:40002' };
  assert.deepEqual(resolveControlPlane(undefined, withEnv), { address: '127.0.0.1:40002', source: 'env' });
  assert.deepEqual(resolveControlPlane('[::1]:40003', withEnv), { address: '[::1]:40003', source: 'flag' });

  // A record left by a demo that is gone is ignored.
  record(2 ** 22 + 12345);
  assert.equal(resolveControlPlane(undefined, env).source, 'default');
});

test('a malformed address is a usage error naming where it came from', () => {
  assert.throws(
    () => resolveControlPlane('nope', {}),
    (e: unknown) => e instanceof UsageError && /--control-plane/.test(e.message),
  );
  assert.throws(
    () => resolveControlPlane(undefined, { MESHCTL_CONTROL_PLANE: 'x:y' }),
    (e: unknown) => e instanceof UsageError && /MESHCTL_CONTROL_PLANE/.test(e.message),
  );
});

test("-n defaults to the running demo's namespace only when the demo is the control plane", async (t) => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'meshctl-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const env = { MESHCTL_HOME: home };
  assert.equal(await resolveNamespace(undefined, {}, env), 'default');
  writeFileSync(
    path.join(home, 'control-plane.json'),
    JSON.stringify({
      address: '127.0.0.1:40001',
      admin: '127.0.0.1:1',
      pid: process.pid,
      dir: home,
      startedAt: '',
      namespace: 'demo',
    }),
  );
  assert.equal(await resolveNamespace(undefined, {}, env), 'demo');
  assert.equal(await resolveNamespace('shop', {}, env), 'shop', '-n wins');
  assert.equal(
    await resolveNamespace(undefined, { controlPlane: '127.0.0.1:9999' }, env),
    'default',
    'another control plane',
  );
  assert.equal(
    await resolveNamespace(undefined, {}, { ...env, MESHCTL_CONTROL_PLANE: '127.0.0.1:9999' }),
    'default',
  );
  // A cluster's control plane: the kubeconfig context's namespace, as kubectl does.
  const kubeconfig = path.join(home, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}, {name: y, context: {cluster: c, user: u}}]',
      'current-context: x',
    ].join('\n'),
  );
  assert.equal(await resolveNamespace(undefined, { kubeconfig }, env), 'shop');
  assert.equal(await resolveNamespace(undefined, { kubeconfig, context: 'y' }, env), 'default');
  await assert.rejects(
    resolveNamespace(undefined, { kubeconfig, controlPlane: '127.0.0.1:1' }, env),
    (e: unknown) => e instanceof UsageError && /cannot be combined/.test(e.message),
  );
});
