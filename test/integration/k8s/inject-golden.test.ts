// inject / uninject over the fixture corpus (test/fixtures/manifests): every output pinned by a golden file,
// every object valid against the Kubernetes schemas, inject idempotent, and uninject giving back the input.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npm run test:only -- 'dist/test/integration/k8s/*.test.js'
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { VERSION } from '../../../src/common/version.js';
import { injectConfig } from '../../../src/k8s/inject/config.js';
import { processManifests, type TransformAction } from '../../../src/k8s/inject/transform.js';
import type { ManifestSource } from '../../../src/k8s/manifests/source.js';
import { resolveValues } from '../../../src/k8s/values.js';
import { FIXTURES_DIR, assertGolden } from '../../helpers/golden.js';
import { validateManifestText } from '../../helpers/k8s-schema.js';

const CORPUS = path.join(FIXTURES_DIR, 'manifests');
const FIXTURES = readdirSync(CORPUS).sort();
const ANCHORS = readFileSync(path.join(FIXTURES_DIR, 'identity', 'trust-anchors.pem'), 'utf8');

/** Golden files hold `<version>` so that a version bump alone does not change them. */
const normalize = (text: string): string => text.split(VERSION).join('<version>');

function source(name: string, text?: string): ManifestSource {
  return {
    name: `test/fixtures/manifests/${name}`,
    text: text ?? readFileSync(path.join(CORPUS, name), 'utf8'),
  };
}

function injectAction(manual: boolean): TransformAction {
  return { action: 'inject', manual, config: injectConfig(resolveValues(), ANCHORS) };
}
const UNINJECT: TransformAction = { action: 'uninject' };

test('the corpus covers every case the issue names', () => {
  for (const name of [
    'deployment.yaml',
    'multi-container.yaml',
    'cronjob.yaml',
    'list.yaml',
    'pod.json',
    'already-injected.yaml',
    'host-network.yaml',
    'kube-system.yaml',
    'disabled.yaml',
    'kinds.yaml',
  ]) {
    assert.ok(FIXTURES.includes(name), name);
  }
});

for (const mode of ['default', 'manual'] as const) {
  for (const name of FIXTURES) {
    test(`inject ${mode === 'manual' ? '--manual ' : ''}${name}`, async () => {
      const input = source(name);
      const out = processManifests([input], injectAction(mode === 'manual'));
      assertGolden(`inject/${mode}/${name}`, normalize(out.stdout));
      assertGolden(`inject/${mode}/${name}.report`, normalize(out.report));
      await validateManifestText(out.stdout, `inject ${mode} ${name}`);
      assert.equal(name.endsWith('.json'), /^\s*\{/.test(out.stdout), 'JSON in, JSON out');

      // Idempotent: injecting the output again changes nothing.
      const again = processManifests([source(name, out.stdout)], injectAction(mode === 'manual'));
      assert.equal(again.stdout, out.stdout, 'a second inject changes nothing');

      // uninject reverses it, back to the input byte for byte where the input had no mesh annotations.
      const back = processManifests([source(name, out.stdout)], UNINJECT);
      assertGolden(`uninject/${mode}/${name}`, normalize(back.stdout));
      assertGolden(`uninject/${mode}/${name}.report`, normalize(back.report));
      await validateManifestText(back.stdout, `uninject ${mode} ${name}`);
      // (already-injected.yaml holds a meshctl proxy that uninject rightly removes, so it has no round trip.)
      if (name === 'already-injected.yaml') return;
      if (name.endsWith('.json')) assert.deepEqual(JSON.parse(back.stdout), JSON.parse(input.text));
      else assert.equal(back.stdout, input.text, 'inject then uninject gives back the input byte for byte');
    });
  }
}

test('every input file together, and -o json / -o yaml conversions, validate', async () => {
  const all = FIXTURES.map((n) => source(n));
  const yaml = processManifests(all, injectAction(true));
  const count = await validateManifestText(yaml.stdout, 'all as YAML');
  const json = processManifests(all, injectAction(true), 'json');
  assert.equal(await validateManifestText(json.stdout, 'all as JSON'), count);
  const fromJson = processManifests([source('pod.json')], injectAction(true), 'yaml');
  assert.doesNotMatch(fromJson.stdout, /^\s*\{/);
  await validateManifestText(fromJson.stdout, 'pod.json as YAML');
});

test('-n names the namespace of objects that do not say theirs', () => {
  const text =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: c\n';
  const config = injectConfig(resolveValues(), ANCHORS);
  for (const [ns, skipped] of [
    ['kube-system', true],
    ['mesh', true],
    ['shop', false],
  ] as const) {
    const out = processManifests([{ name: 'pod.yaml', text }], {
      action: 'inject',
      manual: true,
      config,
      defaultNamespace: ns,
    });
    assert.equal(out.entries[0]?.outcome, skipped ? 'skipped' : 'injected', ns);
    assert.equal(out.stdout === text, skipped);
  }
});
