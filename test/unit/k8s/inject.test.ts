// The shared injection function, driven directly as the webhook will drive it: its JSON Patch is applied
// with a plain RFC 6902 applier (as the API server applies it), never through the YAML layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injectConfig } from '../../../src/k8s/inject/config.js';
import { annotatePod, checkInjectable, injectPod, type WorkloadRef } from '../../../src/k8s/inject/inject.js';
import { PROXY_ENV, proxyInitArgs } from '../../../src/k8s/inject/proxy-env.js';
import { uninjectPod } from '../../../src/k8s/inject/uninject.js';
import {
  type JsonValue,
  type PatchOperation,
  type PodTemplate,
  parsePointer,
} from '../../../src/k8s/model.js';
import { resolveValues } from '../../../src/k8s/values.js';

const ANCHORS = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const config = injectConfig(resolveValues(), ANCHORS, 'meshctl/test');
const web: WorkloadRef = { kind: 'Deployment', name: 'web', namespace: 'shop' };

/** RFC 6902 add/remove/replace on plain JSON, strict about missing parents as the API server is. */
function applyPatch<T>(doc: T, patch: readonly PatchOperation[]): T {
  const root = structuredClone(doc) as unknown as Record<string, JsonValue>;
  for (const op of patch) {
    const segs = parsePointer(op.path);
    const last = segs.pop();
    assert.ok(last !== undefined);
    let parent: JsonValue = root;
    for (const s of segs) {
      const next: JsonValue | undefined = Array.isArray(parent)
        ? parent[Number(s)]
        : (parent as Record<string, JsonValue>)[s];
      assert.ok(next !== undefined && next !== null, `${op.op} ${op.path}: missing parent ${s}`);
      parent = next;
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      assert.ok(i >= 0 && i <= parent.length, `${op.path}: index out of range`);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[i] = structuredClone(op.value);
      else parent.splice(i, 1);
    } else {
      const obj = parent as Record<string, JsonValue>;
      if (op.op === 'remove') {
        assert.ok(last in obj, `${op.path}: nothing to remove`);
        delete obj[last];
      } else obj[last] = structuredClone(op.value);
    }
  }
  return root as unknown as T;
}

function pod(extra: Partial<PodTemplate> = {}): PodTemplate {
  return {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'web:1',
          ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }],
        },
      ],
    },
    ...extra,
  };
}

interface Injected {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    initContainers: {
      name: string;
      args?: string[];
      env?: { name: string; value?: string }[];
      resources?: unknown;
    }[];
    volumes: { name: string }[];
  };
}

function inject(p: PodTemplate, w: WorkloadRef = web, c = config): Injected {
  const r = injectPod(p, w, c);
  assert.equal(r.status, 'injected', r.status === 'skipped' ? r.message : '');
  return applyPatch(p, r.status === 'injected' ? r.patch : []) as unknown as Injected;
}

const env = (i: Injected, name: string): string | undefined =>
  i.spec.initContainers.find((c) => c.name === 'mesh-proxy')?.env?.find((e) => e.name === name)?.value;

test('the patch adds proxy-init and the proxy first, the volumes, and the labels and annotations', () => {
  const out = inject(pod());
  assert.deepEqual(
    out.spec.initContainers.map((c) => c.name),
    ['mesh-init', 'mesh-proxy'],
  );
  assert.deepEqual(
    out.spec.volumes.map((v) => v.name),
    ['mesh-identity-token', 'mesh-proxy-init-xtables-lock'],
  );
  assert.deepEqual(out.metadata.labels, {
    app: 'web',
    'mesh.io/control-plane-ns': 'mesh',
    'mesh.io/proxy-deployment': 'web',
  });
  assert.equal(out.metadata.annotations['mesh.io/created-by'], 'meshctl/test');
  assert.match(out.metadata.annotations['mesh.io/trust-root-sha256'] ?? '', /^[0-9a-f]{64}$/);
  assert.equal(env(out, PROXY_ENV.trustAnchors), ANCHORS);
  assert.equal(env(out, PROXY_ENV.app), '127.0.0.1:8080');
  assert.equal(env(out, PROXY_ENV.transparent), 'true', 'proxy-init redirects, so the proxy is transparent');
  assert.equal(env(out, PROXY_ENV.inboundPorts), '8080', 'UDP ports are not the proxy’s');
  assert.equal(env(out, PROXY_ENV.controlPlane), 'mesh-destination.mesh.svc.cluster.local.:8086');
  assert.equal(
    env(out, PROXY_ENV.identityName),
    '$(MESH_PROXY_SERVICE_ACCOUNT).$(MESH_PROXY_NAMESPACE).serviceaccount.identity.mesh.cluster.local',
  );
  assert.equal(env(out, PROXY_ENV.opaquePorts), undefined, 'the proxy default applies unless annotated');
});

test('existing init containers, volumes and annotations are kept, and keys with / are escaped', () => {
  const p = pod({
    metadata: { annotations: { 'example.com/owner': 'team-a' } },
    spec: {
      initContainers: [{ name: 'migrate' }],
      containers: [{ name: 'web' }],
      volumes: [{ name: 'data' }],
    },
  });
  const r = injectPod(p, web, config);
  assert.equal(r.status, 'injected');
  assert.ok(
    r.status === 'injected' && r.patch.some((op) => op.path === '/metadata/annotations/mesh.io~1created-by'),
  );
  const out = inject(p);
  assert.deepEqual(
    out.spec.initContainers.map((c) => c.name),
    ['mesh-init', 'mesh-proxy', 'migrate'],
  );
  assert.deepEqual(
    out.spec.volumes.map((v) => v.name),
    ['data', 'mesh-identity-token', 'mesh-proxy-init-xtables-lock'],
  );
  assert.equal(out.metadata.annotations['example.com/owner'], 'team-a');
});

test('per-workload annotations set ports, resources and the log level; the namespace gives defaults', () => {
  const annotated = pod({
    metadata: {
      annotations: {
        'config.mesh.io/skip-inbound-ports': '9102, 9103',
        'config.mesh.io/skip-outbound-ports': '5432,4191',
        'config.mesh.io/opaque-ports': '6379',
        'config.mesh.io/proxy-cpu-limit': '1',
        'config.mesh.io/proxy-memory-request': '32Mi',
      },
    },
  });
  const out = inject(annotated, {
    ...web,
    namespaceAnnotations: { 'config.mesh.io/proxy-log-level': 'debug', 'config.mesh.io/opaque-ports': '1' },
  });
  const init = out.spec.initContainers[0];
  assert.deepEqual(
    init?.args,
    proxyInitArgs({
      ports: { inbound: 4143, outbound: 4140, admin: 4191, tap: 4190 },
      proxyUid: 2102,
      skipInboundPorts: ['9102', '9103'],
      skipOutboundPorts: ['5432', '4191'],
    }),
  );
  assert.deepEqual(init?.args?.slice(-4), [
    '--skip-inbound-ports',
    '4191,4190,9102,9103',
    '--skip-outbound-ports',
    '5432,4191',
  ]);
  assert.equal(env(out, PROXY_ENV.opaquePorts), '6379', 'the pod wins over its namespace');
  assert.equal(env(out, PROXY_ENV.logLevel), 'debug', 'the namespace fills in what the pod does not say');
  assert.deepEqual(out.spec.initContainers[1]?.resources, {
    requests: { cpu: '100m', memory: '32Mi' },
    limits: { cpu: '1', memory: '256Mi' },
  });
});

test('skips, each with its reason', () => {
  const reason = (p: PodTemplate, w: WorkloadRef = web, requireOptIn = false): string | undefined =>
    checkInjectable(p, w, config, { requireOptIn })?.reason;
  assert.equal(reason(pod({ spec: { hostNetwork: true, containers: [] } })), 'host-network');
  assert.equal(reason(pod(), { ...web, namespace: 'kube-system' }), 'kube-system');
  assert.equal(reason(pod(), { ...web, namespace: 'mesh' }), 'control-plane-namespace');
  assert.equal(
    reason(
      { metadata: { labels: { 'mesh.io/control-plane-component': 'tap' } }, spec: { containers: [] } },
      { ...web, namespace: 'mesh' },
    ),
    undefined,
  );
  assert.equal(reason(pod({ metadata: { annotations: { 'mesh.io/inject': 'disabled' } } })), 'disabled');
  assert.equal(reason(pod({ spec: { containers: [{ name: 'istio-proxy' }] } })), 'already-injected');
  assert.equal(reason({ metadata: {} }), 'no-pod-spec');
  const bad = checkInjectable(
    pod({ metadata: { annotations: { 'config.mesh.io/proxy-memory-limit': 'lots' } } }),
    web,
    config,
  );
  assert.equal(bad?.reason, 'invalid-annotation');
  assert.match(
    bad?.message ?? '',
    /invalid value "lots" for annotation "config\.mesh\.io\/proxy-memory-limit" on the pod template: expected a quantity/,
  );
  // The webhook's rule: only pods that opted in, on the pod or through the namespace.
  assert.equal(reason(pod(), web, true), 'not-enabled');
  assert.equal(
    reason(pod(), { ...web, namespaceAnnotations: { 'mesh.io/inject': 'enabled' } }, true),
    undefined,
  );
  assert.equal(
    reason(pod({ metadata: { annotations: { 'mesh.io/inject': 'enabled' } } }), web, true),
    undefined,
  );
  assert.equal(
    reason(
      pod({ metadata: { annotations: { 'mesh.io/inject': 'disabled' } } }),
      { ...web, namespaceAnnotations: { 'mesh.io/inject': 'enabled' } },
      true,
    ),
    'disabled',
  );
});

test('pure and idempotent: same input, same patch; an injected pod is skipped', () => {
  assert.deepEqual(injectPod(pod(), web, config), injectPod(pod(), web, config));
  const once = inject(pod());
  assert.equal(checkInjectable(once as unknown as PodTemplate, web, config)?.reason, 'already-injected');
  const annotated = annotatePod(pod(), web, config);
  assert.ok(annotated.status === 'injected');
  const twice = annotatePod(applyPatch(pod(), annotated.patch), web, config);
  assert.deepEqual(twice, { status: 'injected', patch: [] });
});

test('uninject reverses both forms exactly, including parents that injection created', () => {
  const bare: PodTemplate = { spec: { containers: [{ name: 'job' }] } };
  for (const p of [
    pod(),
    bare,
    pod({ spec: { initContainers: [{ name: 'migrate' }], containers: [], volumes: [{ name: 'x' }] } }),
  ]) {
    const injected = inject(p) as unknown as PodTemplate;
    assert.deepEqual(applyPatch(injected, uninjectPod(injected).patch), p);
    const a = annotatePod(p, web, config);
    assert.ok(a.status === 'injected');
    const annotated = applyPatch(p, a.patch);
    assert.deepEqual(applyPatch(annotated, uninjectPod(annotated).patch), p);
  }
  assert.deepEqual(uninjectPod(pod()), { changed: false, patch: [] });
  const disabled = pod({ metadata: { annotations: { 'mesh.io/inject': 'disabled' } } });
  assert.equal(uninjectPod(disabled).changed, false, 'the user’s disabled annotation stays');
});

test('the identity component’s own proxy can be pointed at localhost', () => {
  const r = injectPod(pod(), web, config, { identityAddress: 'localhost:8080' });
  assert.ok(r.status === 'injected');
  assert.equal(
    env(applyPatch(pod(), r.patch) as unknown as Injected, PROXY_ENV.identityAddr),
    'localhost:8080',
  );
});
