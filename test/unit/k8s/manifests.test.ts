// Reading and printing manifests: bad input names file, document and line; untouched documents are
// copied byte for byte; the YAML patcher edits in place and keeps comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseDocument } from 'yaml';
import { MeshError } from '../../../src/common/errors.js';
import { findObjects } from '../../../src/k8s/manifests/objects.js';
import {
  joinRendered,
  parseManifest,
  readSources,
  renderManifest,
} from '../../../src/k8s/manifests/source.js';
import { applyPatchToYaml } from '../../../src/k8s/manifests/yaml-patch.js';
import { FIXTURES_DIR } from '../../helpers/golden.js';

function fails(text: string, name: string, message: RegExp): void {
  assert.throws(
    () => {
      const m = parseManifest({ name, text });
      for (const d of m.docs) findObjects(d, name);
    },
    (err: unknown) => {
      assert.ok(err instanceof MeshError);
      assert.equal(err.code, 'MESH_BAD_MANIFEST');
      assert.match(err.message, message);
      return true;
    },
  );
}

test('bad input names the file, the document and the line', () => {
  fails(
    'kind: ConfigMap\n---\nkind: Pod\nmetadata:\n  name: [broken\n',
    'a.yaml',
    /^a\.yaml: document 2 \(line \d\): invalid YAML: /,
  );
  fails(
    'kind: ConfigMap\n---\n\njust a string\n',
    'b.yaml',
    /^b\.yaml: document 2 \(line 4\): the document is "just a string", not a Kubernetes object/,
  );
  fails(
    '[\n  {"kind": "Pod"}\n]\n',
    'c.json',
    /^c\.json: document 1 \(line 1\): the document is a list, not a Kubernetes object/,
  );
  fails(
    '{"kind": "List", "items": [1]}',
    'd.json',
    /^d\.json: document 1 \(line 1\): items\[0\] is not a Kubernetes object/,
  );
  fails('{"kind": "Pod",}x', 'e.json', /^e\.json: document 1 \(line 1\): invalid JSON/);
});

test('unknown files and directories are errors; directories are read recursively in order', async () => {
  await assert.rejects(
    readSources(['/no/such/file.yaml'], Readable.from([])),
    /cannot read \/no\/such\/file\.yaml: no such file or directory/,
  );
  const dir = await readSources([path.join(FIXTURES_DIR, 'manifests')], Readable.from([]));
  const names = dir.map((s) => path.basename(s.name));
  assert.deepEqual(names, [...names].sort());
  assert.ok(names.includes('pod.json') && names.includes('deployment.yaml'));
  const stdin = await readSources(['-'], Readable.from([Buffer.from('kind: Pod\n')]));
  assert.deepEqual(stdin, [{ name: '-', text: 'kind: Pod\n' }]);
});

test('documents nobody changed are printed exactly as read, separators and comments included', () => {
  const text =
    '# head\nkind: A   # odd spacing\nmetadata: {name: a}\n--- # sep comment\nkind: B\n...\n---\n# only a comment\n';
  const m = parseManifest({ name: 'x', text });
  assert.equal(renderManifest(m, new Set(), 'yaml'), text);
  assert.equal(
    joinRendered(['kind: A\n', '---\nkind: B\n', 'kind: C'], 'yaml'),
    'kind: A\n---\nkind: B\n---\nkind: C\n',
  );
});

test('the YAML patcher edits in place, keeps comments, and puts new keys where people expect them', () => {
  const doc = parseDocument(
    'kind: Pod # a pod\nspec:\n  # the app\n  containers: [] # none yet\n  volumes:\n  - name: a # first\n',
  );
  applyPatchToYaml(
    doc,
    [],
    [
      { op: 'add', path: '/metadata', value: { labels: { 'a/b': 'c' } } },
      { op: 'add', path: '/spec/initContainers', value: [{ name: 'init' }] },
      { op: 'add', path: '/spec/volumes/-', value: { name: 'b' } },
      { op: 'add', path: '/spec/volumes/0', value: { name: 'z' } },
      { op: 'remove', path: '/spec/volumes/0' },
      { op: 'replace', path: '/metadata/labels/a~1b', value: 'd' },
    ],
  );
  const out = doc.toString();
  assert.match(
    out,
    /^kind: Pod # a pod\nmetadata:\n {2}labels:\n {4}a\/b: d\nspec:\n {2}initContainers:\n {4}- name: init\n {2}# the app\n {2}containers: \[\] # none yet\n/,
  );
  assert.match(out, /containers: \[\] # none yet/);
  assert.match(out, /- name: a # first\n {4}- name: b\n$/);
  assert.throws(
    () => applyPatchToYaml(doc, [], [{ op: 'remove', path: '/spec/nothing' }]),
    /nothing to remove/,
  );
});
