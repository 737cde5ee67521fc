// install, uninstall, inject and uninject as a user runs them: exit codes, stdout/stderr separation,
// stdin, directories, and the messages bad input gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runMeshctl } from '../../helpers/processes.js';
import { FIXTURES_DIR } from '../../helpers/golden.js';
import { validateManifestText } from '../../helpers/k8s-schema.js';

const fixture = (...p: string[]): string => path.join(FIXTURES_DIR, ...p);

test('install prints the manifest on stdout and the CRD hint on stderr; --crds prints only the CRD', async () => {
  const [install, crds] = await Promise.all([
    runMeshctl(['install', '--version', '1.2.3', '--set', 'proxy.logLevel=debug']),
    runMeshctl(['install', '--crds']),
  ]);
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stdout, /^# The control plane's namespace/);
  assert.match(
    install.stdout,
    /image: ghcr\.io\/meshctl\/meshctl:1\.2\.3\n/,
    '--version is the image tag, not ours',
  );
  assert.match(install.stderr, /meshctl install --crds \| kubectl apply -f -/);
  await validateManifestText(install.stdout, 'install');
  assert.equal(crds.code, 0, crds.stderr);
  assert.equal(crds.stderr, '');
  assert.match(crds.stdout, /kind: CustomResourceDefinition/);
  assert.equal(crds.stdout.match(/^kind: /gm)?.length, 1);
});

test('install refuses unknown values (exit 2), partial and unreadable identity files', async () => {
  const [unknown, partial, missing] = await Promise.all([
    runMeshctl(['install', '--set', 'proxy.loglevel=debug']),
    runMeshctl(['install', '--identity-trust-anchors-file', 'ca.crt']),
    runMeshctl([
      'install',
      '--identity-trust-anchors-file',
      '/nonexistent/ca.crt',
      '--identity-issuer-certificate-file',
      '/nonexistent/issuer.crt',
      '--identity-issuer-key-file',
      '/nonexistent/issuer.key',
    ]),
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown key "proxy\.loglevel" in --set \(did you mean "proxy\.logLevel"\?\)/);
  assert.equal(unknown.stdout, '');
  assert.equal(partial.code, 2);
  assert.match(
    partial.stderr,
    /--identity-trust-anchors-file given without --identity-issuer-certificate-file, --identity-issuer-key-file/,
  );
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /cannot read --identity-trust-anchors-file \/nonexistent\/ca\.crt: no such file/,
  );
});

test('inject reads stdin and reports on stderr; uninject gives the input back', async () => {
  const input = readFileSync(fixture('manifests', 'deployment.yaml'), 'utf8');
  const injected = await runMeshctl(['inject', '-'], { input });
  assert.equal(injected.code, 0, injected.stderr);
  assert.match(injected.stdout, /mesh\.io\/inject: enabled/);
  assert.equal(
    injected.stderr,
    '\nserviceaccount "web" skipped: this resource kind is unsupported\ndeployment "web" injected\nservice "web-svc" skipped: this resource kind is unsupported\n',
  );
  const back = await runMeshctl(['uninject', '-'], { input: injected.stdout });
  assert.equal(back.code, 0, back.stderr);
  assert.equal(back.stdout, input);
  assert.match(back.stderr, /deployment "web" uninjected/);
});

test('inject --manual over a directory, as JSON, validates', async () => {
  const r = await runMeshctl([
    'inject',
    '--manual',
    '-o',
    'json',
    '--identity-trust-anchors-file',
    fixture('identity', 'trust-anchors.pem'),
    fixture('manifests'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\{/);
  assert.ok((await validateManifestText(r.stdout, 'inject --manual dir')) > 10);
  assert.match(r.stderr, /daemonset "node-exporter" skipped: hostNetwork is enabled/);
  assert.doesNotMatch(r.stderr, /warning/);
  const noAnchors = await runMeshctl(['inject', '--manual', fixture('manifests', 'cronjob.yaml')]);
  assert.match(noAnchors.stderr, /^warning: no --identity-trust-anchors-file/);
});

test('bad input exits 1 naming the file, the document and the line', async () => {
  const [missing, invalid, scalar, json] = await Promise.all([
    runMeshctl(['inject', 'no-such.yaml']),
    runMeshctl(['inject', fixture('manifests-bad', 'invalid.yaml')]),
    runMeshctl(['uninject', fixture('manifests-bad', 'scalar-doc.yaml')]),
    runMeshctl(['inject', fixture('manifests-bad', 'array.json')]),
  ]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'error: cannot read no-such.yaml: no such file or directory\n');
  for (const r of [invalid, scalar, json]) {
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '', 'nothing is printed when any input is bad');
  }
  assert.match(invalid.stderr, /invalid\.yaml: document 2 \(line \d+\): invalid YAML/);
  assert.match(
    scalar.stderr,
    /scalar-doc\.yaml: document 2 \(line 6\): the document is "just a string", not a Kubernetes object/,
  );
  assert.match(json.stderr, /array\.json: document 1 \(line 1\): the document is a list/);
});

test('uninstall lists the objects for kubectl delete -f -', async () => {
  const r = await runMeshctl(['uninstall', '--control-plane-namespace', 'mesh2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^apiVersion: admissionregistration\.k8s\.io\/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n {2}name: mesh-proxy-injector\n---\n/,
  );
  assert.match(r.stdout, /kind: Namespace\nmetadata:\n {2}name: mesh2\n/);
  assert.match(r.stdout, /name: serviceprofiles\.mesh\.io\n$/);
});

test('--help lists every flag with examples', async () => {
  const flags: Record<string, string[]> = {
    install: [
      '--crds',
      '--ha',
      '--identity-trust-anchors-file',
      '--identity-issuer-certificate-file',
      '--identity-issuer-key-file',
      '--set',
      '--proxy-image',
      '--controller-image',
      '--proxy-init-image',
      '--version',
      '--control-plane-namespace',
      '--cluster-domain',
      '--identity-trust-domain',
    ],
    inject: [
      '--manual',
      '-n, --namespace',
      '-o, --output',
      '--identity-trust-anchors-file',
      '--set',
      '--proxy-image',
      '--version',
    ],
    uninject: ['-o, --output'],
    uninstall: ['--control-plane-namespace', '--set'],
  };
  const results = await Promise.all(Object.keys(flags).map((cmd) => runMeshctl([cmd, '--help'])));
  Object.keys(flags).forEach((cmd, i) => {
    const r = results[i];
    assert.ok(r);
    assert.equal(r.code, 0, r.stderr);
    for (const f of flags[cmd] ?? []) assert.ok(r.stdout.includes(f), `${cmd} --help lists ${f}`);
    assert.match(r.stdout, /Examples:\n {2}meshctl /, `${cmd} --help has examples`);
  });
});
