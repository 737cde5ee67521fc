// `meshctl install` / `uninstall` pinned by golden files (certificate bytes masked), every object valid
// against the Kubernetes schemas, and the properties the issue asks for checked one by one.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npm run test:only -- 'dist/test/integration/k8s/*.test.js'
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { VERSION } from '../../../src/common/version.js';
import { createIssuer, createTrustAnchor } from '../../../src/identity/pki.js';
import { installCertificates } from '../../../src/k8s/install/certs.js';
import {
  renderControlPlane,
  renderCrds,
  renderStream,
  renderUninstall,
  uninstallRefs,
} from '../../../src/k8s/install/render.js';
import { resolveValues, type ResolveValuesInput } from '../../../src/k8s/values.js';
import { assertGolden } from '../../helpers/golden.js';
import { validateManifestText } from '../../helpers/k8s-schema.js';

/** Certificates are the only bytes that differ between runs: mask them (and what is derived from them). */
export function maskCertificates(text: string): string {
  return text
    .replace(
      /^(\s*)(-----BEGIN ([A-Z ]+)-----\n)(?:\1[A-Za-z0-9+/=]+\n)+(\1-----END \3-----)/gm,
      '$1$2$1<masked>\n$4',
    )
    .replace(/^(\s*(?:tls\.crt|tls\.key|caBundle): )[A-Za-z0-9+/=]+$/gm, '$1<masked base64>')
    .replace(/(mesh\.io\/trust-root-sha256: )[0-9a-f]{64}/g, '$1<masked>');
}

const normalize = (text: string): string => maskCertificates(text).split(VERSION).join('<version>');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

function objects(text: string): K8sObject[] {
  return (parseAllDocuments(text) as unknown as { toJS(): K8sObject }[]).map((d) => d.toJS());
}

async function render(input: ResolveValuesInput = {}, files = {}): Promise<string> {
  const values = resolveValues(input);
  const { certs } = await installCertificates(values, files);
  return renderStream(renderControlPlane(values, certs));
}

const find = (objs: K8sObject[], kind: string, name: string): K8sObject => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name}`);
  return o;
};

interface PodSpecLike {
  containers: { name: string; securityContext?: Record<string, unknown>; args?: string[] }[];
  initContainers?: { name: string; env?: { name: string; value?: string }[]; restartPolicy?: string }[];
}
const podSpec = (d: K8sObject): PodSpecLike =>
  (d['spec'] as { template: { spec: PodSpecLike } }).template.spec;

test('install (default) matches its golden file and the Kubernetes schemas', async () => {
  const text = await render();
  assertGolden('install/default.yaml', normalize(text));
  const count = await validateManifestText(text, 'install');
  assert.equal(count, objects(text).length);
  // Deterministic: a second run differs only in certificate bytes.
  assert.equal(normalize(await render()), normalize(text));
});

test('install --ha matches its golden file: 3 replicas, anti-affinity, a PodDisruptionBudget per component', async () => {
  const text = await render({ flags: { ha: true } });
  assertGolden('install/ha.yaml', normalize(text));
  await validateManifestText(text, 'install --ha');
  const objs = objects(text);
  const deployments = objs.filter((o) => o.kind === 'Deployment');
  assert.equal(deployments.length, 5);
  for (const d of deployments) {
    const spec = d['spec'] as { replicas: number; template: { spec: { affinity?: unknown } } };
    assert.equal(spec.replicas, 3, d.metadata.name);
    assert.ok(spec.template.spec.affinity, `${d.metadata.name} has anti-affinity`);
    find(objs, 'PodDisruptionBudget', d.metadata.name);
  }
});

test('install with supplied certificates uses them verbatim (golden with certificate bytes masked)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshctl-install-'));
  try {
    const anchor = await createTrustAnchor({ trustDomain: 'mesh.cluster.local' });
    const issuer = await createIssuer(anchor, { trustDomain: 'mesh.cluster.local' });
    const files = {
      trustAnchorsFile: path.join(dir, 'ca.crt'),
      issuerCertificateFile: path.join(dir, 'issuer.crt'),
      issuerKeyFile: path.join(dir, 'issuer.key'),
    };
    writeFileSync(files.trustAnchorsFile, anchor.certPem);
    writeFileSync(files.issuerCertificateFile, issuer.certPem);
    writeFileSync(files.issuerKeyFile, issuer.keyPem);
    const text = await render(
      { flags: { controlPlaneNamespace: 'linkerd-like', identityTrustDomain: 'example.org' } },
      files,
    );
    assertGolden('install/supplied-certificates.yaml', normalize(text));
    await validateManifestText(text, 'install with certificates');
    const objs = objects(text);
    const roots = find(objs, 'ConfigMap', 'mesh-identity-trust-roots')['data'] as Record<string, string>;
    assert.equal(roots['ca.crt'], anchor.certPem);
    const secret = find(objs, 'Secret', 'mesh-identity-issuer')['data'] as Record<string, string>;
    assert.equal(Buffer.from(secret['tls.crt'] ?? '', 'base64').toString(), issuer.certPem);
    assert.equal(Buffer.from(secret['tls.key'] ?? '', 'base64').toString(), issuer.keyPem);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('install --crds prints only the ServiceProfile CRD; uninstall lists every object for kubectl delete', async () => {
  const values = resolveValues();
  const crds = renderStream(renderCrds(values));
  assertGolden('install/crds.yaml', normalize(crds));
  assert.equal(await validateManifestText(crds, 'install --crds'), 1);
  const uninstall = renderUninstall(uninstallRefs(values));
  assertGolden('install/uninstall.yaml', normalize(uninstall));
  const refs = objects(uninstall);
  assert.equal(refs[0]?.kind, 'MutatingWebhookConfiguration', 'the webhook goes first');
  assert.equal(refs.at(-1)?.kind, 'CustomResourceDefinition', 'the CRDs go last');
  const installed = objects(await render({ flags: { ha: true } }));
  assert.equal(refs.length, installed.length + 1, 'every installed object (with --ha) plus the CRD');
  for (const r of refs) assert.deepEqual(Object.keys(r), ['apiVersion', 'kind', 'metadata']);
});

test('the webhook never blocks: Ignore, 10 s, not kube-system nor the control plane, caBundle trusts the serving cert', async () => {
  const objs = objects(await render());
  const hook = find(objs, 'MutatingWebhookConfiguration', 'mesh-proxy-injector')['webhooks'] as Record<
    string,
    unknown
  >[];
  const w = hook[0] as {
    failurePolicy: string;
    timeoutSeconds: number;
    sideEffects: string;
    admissionReviewVersions: string[];
    clientConfig: { caBundle: string; service: { name: string; namespace: string } };
    namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  };
  assert.equal(w.failurePolicy, 'Ignore');
  assert.equal(w.timeoutSeconds, 10);
  assert.equal(w.sideEffects, 'None');
  assert.deepEqual(w.admissionReviewVersions, ['v1']);
  const names = w.namespaceSelector.matchExpressions.find((e) => e.key === 'kubernetes.io/metadata.name');
  assert.deepEqual(names, {
    key: 'kubernetes.io/metadata.name',
    operator: 'NotIn',
    values: ['kube-system', 'mesh'],
  });
  const ca = new X509Certificate(Buffer.from(w.clientConfig.caBundle, 'base64'));
  const tls = find(objs, 'Secret', 'mesh-injector-k8s-tls')['data'] as Record<string, string>;
  const serving = new X509Certificate(Buffer.from(tls['tls.crt'] ?? '', 'base64'));
  assert.ok(serving.verify(ca.publicKey), 'the serving certificate is signed by the caBundle');
  assert.ok(serving.checkHost(`${w.clientConfig.service.name}.${w.clientConfig.service.namespace}.svc`));
  assert.equal(serving.ca, false);
});

test('least-privilege RBAC: each component gets exactly the access it needs', async () => {
  const objs = objects(await render());
  const rules = (name: string): unknown => find(objs, 'ClusterRole', `mesh-${name}-mesh`)['rules'];
  assert.deepEqual(rules('destination'), [
    { apiGroups: [''], resources: ['services', 'pods'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  ]);
  assert.deepEqual(rules('identity'), [
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  ]);
  // tap and metrics run the same Kubernetes registry as destination (service and authority targets).
  for (const c of ['tap', 'metrics']) {
    assert.deepEqual(rules(c), [
      { apiGroups: [''], resources: ['services', 'pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
  }
  assert.deepEqual(rules('injector'), [
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
  ]);
  for (const c of ['destination', 'identity', 'tap', 'metrics', 'injector']) {
    const binding = find(objs, 'ClusterRoleBinding', `mesh-${c}-mesh`) as unknown as {
      subjects: { name: string }[];
    };
    assert.deepEqual(
      binding.subjects.map((s) => s.name),
      [`mesh-${c}`],
    );
    find(objs, 'ServiceAccount', `mesh-${c}`);
    find(objs, 'Service', `mesh-${c}`);
  }
});

test('every component is meshed, non-root and read-only; the identity proxy asks its own pod', async () => {
  const objs = objects(await render());
  for (const d of objs.filter((o) => o.kind === 'Deployment')) {
    const spec = podSpec(d);
    assert.deepEqual(
      (spec.initContainers ?? []).map((c) => c.name),
      ['mesh-init', 'mesh-proxy'],
      `${d.metadata.name} has its own proxy`,
    );
    const app = spec.containers[0];
    assert.ok(app);
    assert.equal(app.securityContext?.['runAsNonRoot'], true);
    assert.equal(app.securityContext?.['readOnlyRootFilesystem'], true);
    assert.equal(app.securityContext?.['allowPrivilegeEscalation'], false);
    assert.equal(app.args?.[0], 'control');
  }
  const identityProxy = podSpec(find(objs, 'Deployment', 'mesh-identity')).initContainers?.[1];
  assert.equal(
    identityProxy?.env?.find((e) => e.name === 'MESH_PROXY_IDENTITY_ADDR')?.value,
    'localhost:8080',
  );
  const webProxy = podSpec(find(objs, 'Deployment', 'mesh-destination')).initContainers?.[1];
  assert.equal(
    webProxy?.env?.find((e) => e.name === 'MESH_PROXY_IDENTITY_ADDR')?.value,
    'mesh-identity.mesh.svc.cluster.local.:8080',
  );
});

test('--set overrides reach the output; --proxy-image and --version set the images', async () => {
  const text = await render({
    flags: { proxyImage: 'registry.local:5000/mesh/proxy', version: 'dev-1' },
    sets: [
      { key: 'proxy.logLevel', value: 'debug' },
      { key: 'webhook.timeoutSeconds', value: '5' },
    ],
  });
  assert.match(text, /image: registry\.local:5000\/mesh\/proxy:dev-1/);
  assert.match(text, /name: MESH_PROXY_LOG_LEVEL\n\s+value: debug/);
  assert.match(text, /timeoutSeconds: 5/);
  await validateManifestText(text, 'install --set');
});
