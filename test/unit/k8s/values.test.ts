// Install values: manifests/values.yaml and the rules agree, --set converts and validates, errors say what
// was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/common/errors.js';
import { VERSION } from '../../../src/common/version.js';
import { VALUE_KEYS_HELP } from '../../../src/cli/commands/value-flags.js';
import { VALUE_KEYS, defaultValues, parseSet, resolveValues } from '../../../src/k8s/values.js';

function usage(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

test('manifests/values.yaml documents exactly the known keys, and the defaults are valid', () => {
  assert.deepEqual([...defaultValues().keys()].sort(), [...VALUE_KEYS].sort());
  const v = resolveValues();
  assert.equal(v.version, VERSION, 'an empty version means this meshctl');
  assert.equal(v.webhook.failurePolicy, 'Ignore');
  assert.equal(v.webhook.timeoutSeconds, 10);
  assert.equal(v.proxy.uid, 2102);
  assert.equal(v.controllerReplicas, 1);
});

test('--help lists every key', () => {
  const listed = new Set<string>();
  for (const line of VALUE_KEYS_HELP.split('\n')) {
    for (const part of line.trim().split(', ')) {
      const m = /^([\w.]+?)\.?\{(.+)\}$/.exec(part);
      if (m) for (const k of (m[2] ?? '').split(',')) listed.add(`${m[1] ?? ''}.${k}`);
      else if (part) listed.add(part);
    }
  }
  assert.deepEqual([...listed].sort(), [...VALUE_KEYS].sort());
});

test('--set converts to the key’s type, flags come first, --ha means 3 replicas', () => {
  const v = resolveValues({
    flags: { ha: true, proxyImage: 'localhost:5000/mesh', controlPlaneNamespace: undefined },
    sets: [
      parseSet('proxy.uid=3000'),
      parseSet('ha=true'),
      parseSet('proxy.opaquePorts=25,3306'),
      parseSet('controllerResources.cpuLimit='),
    ],
  });
  assert.equal(v.proxy.uid, 3000);
  assert.equal(v.ha, true);
  assert.equal(v.controllerReplicas, 3);
  assert.equal(v.proxyImage, 'localhost:5000/mesh');
  assert.equal(v.proxy.opaquePorts, '25,3306', 'commas belong to the value');
  assert.equal(v.controlPlaneNamespace, 'mesh');
  assert.equal(
    resolveValues({ flags: { ha: true }, sets: [parseSet('controllerReplicas=5')] }).controllerReplicas,
    5,
  );
});

test('unknown keys and bad values are usage errors that say what is expected', () => {
  usage(
    () => resolveValues({ sets: [parseSet('proxy.loglevel=debug')] }),
    'MESH_UNKNOWN_VALUE',
    /unknown key "proxy\.loglevel" in --set \(did you mean "proxy\.logLevel"\?\)/,
  );
  usage(
    () => resolveValues({ sets: [parseSet('nonsense=1')] }),
    'MESH_UNKNOWN_VALUE',
    /^unknown key "nonsense" in --set$/,
  );
  usage(() => parseSet('proxy.uid'), 'MESH_BAD_SET', /expected key=value|invalid --set/);
  usage(
    () => resolveValues({ sets: [parseSet('proxy.uid=abc')] }),
    'MESH_BAD_VALUE',
    /proxy\.uid="abc": expected a whole number/,
  );
  usage(
    () => resolveValues({ sets: [parseSet('webhook.failurePolicy=Never')] }),
    'MESH_BAD_VALUE',
    /expected one of Ignore, Fail/,
  );
  usage(
    () => resolveValues({ sets: [parseSet('proxy.memoryLimit=lots')] }),
    'MESH_BAD_VALUE',
    /expected a quantity/,
  );
  usage(
    () => resolveValues({ sets: [parseSet('proxy.opaquePorts=http')] }),
    'MESH_BAD_VALUE',
    /expected ports or ranges/,
  );
  usage(
    () => resolveValues({ flags: { proxyImage: 'ghcr.io/x/proxy:v1' } }),
    'MESH_BAD_VALUE',
    /without a tag/,
  );
  usage(() => resolveValues({ flags: { controlPlaneNamespace: 'Mesh_NS' } }), 'MESH_BAD_VALUE', /DNS label/);
  usage(
    () => resolveValues({ sets: [parseSet('proxy.adminPort=4143')] }),
    'MESH_BAD_VALUE',
    /ports must differ/,
  );
});
