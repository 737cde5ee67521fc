// Pure parts of the Kubernetes back ends: the informer restart backoff, and the admission review's
// handling of what the API server (or anyone else) may send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../src/control/registry/kubernetes/informer.js';
import { reviewAdmission, workloadOf, type InjectionEvent } from '../../../src/control/injector/review.js';
import { injectConfig } from '../../../src/k8s/inject/config.js';
import { resolveValues } from '../../../src/k8s/values.js';

test('informer restarts back off exponentially with jitter, capped', () => {
  const o = { baseMs: 250, maxMs: 30_000 };
  assert.equal(backoffDelay(0, { ...o, random: () => 0 }), 125);
  assert.equal(backoffDelay(0, { ...o, random: () => 0.999999 }), 250);
  assert.equal(backoffDelay(3, { ...o, random: () => 0 }), 1000);
  assert.equal(backoffDelay(50, { ...o, random: () => 0.999999 }), 30_000);
  const spread = new Set(Array.from({ length: 20 }, () => backoffDelay(4, { ...o, random: Math.random })));
  assert.ok(spread.size > 5, 'jittered');
});

test("a pod's workload: a ReplicaSet's Deployment, another owner, or the pod itself", () => {
  const rs = {
    metadata: {
      labels: { 'pod-template-hash': 'abc12' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc12', controller: true }],
    },
  };
  assert.deepEqual(workloadOf(rs).ref, { kind: 'Deployment', name: 'web' });
  const job = {
    metadata: { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', uid: 'u' }] },
  };
  assert.deepEqual(workloadOf(job).involved, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: 'migrate',
    uid: 'u',
  });
  assert.deepEqual(workloadOf({ metadata: { generateName: 'debug-' } }), {
    ref: { kind: 'Pod', name: 'debug' },
    involved: undefined,
  });
});

test('reviews: injected, skipped, not a pod, namespace unreadable, and garbage', async () => {
  const events: InjectionEvent[] = [];
  let nsFails = false;
  const deps = {
    config: injectConfig(resolveValues()),
    namespaceAnnotations: async (ns: string): Promise<Record<string, string>> => {
      if (nsFails) throw new Error('forbidden');
      return ns === 'on' ? { 'mesh.io/inject': 'enabled' } : {};
    },
    record: (e: InjectionEvent) => void events.push(e),
  };
  const review = (namespace: string, object: unknown, kind = 'Pod') =>
    Buffer.from(
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: 'u',
          kind: { group: '', version: 'v1', kind },
          operation: 'CREATE',
          namespace,
          object,
        },
      }),
    );
  const pod = { metadata: { name: 'p', annotations: {} }, spec: { containers: [{ name: 'app' }] } };
  const injected = await reviewAdmission(review('on', pod), deps);
  assert.equal(injected.outcome, 'injected');
  const body = JSON.parse(injected.body) as { response: { patchType: string; patch: string } };
  assert.equal(body.response.patchType, 'JSONPatch');
  assert.ok(Array.isArray(JSON.parse(Buffer.from(body.response.patch, 'base64').toString())));
  assert.equal((await reviewAdmission(review('off', pod), deps)).outcome, 'not-enabled');
  assert.equal(
    (await reviewAdmission(review('on', { ...pod, spec: { ...pod.spec, hostNetwork: true } }), deps)).outcome,
    'host-network',
  );
  assert.deepEqual(
    events.map((e) => e.reason),
    ['Injected', 'InjectionSkipped'],
    'no event for pods that never asked',
  );
  assert.equal((await reviewAdmission(review('on', {}, 'Service'), deps)).outcome, 'not-a-pod');
  nsFails = true;
  const unreadable = await reviewAdmission(review('on', pod), deps);
  assert.equal(unreadable.outcome, 'not-enabled');
  assert.match(
    (JSON.parse(unreadable.body) as { response: { warnings: string[] } }).response.warnings[0] ?? '',
    /cannot read namespace "on" \(forbidden\)/,
  );
  for (const garbage of [
    '',
    'null',
    '"x"',
    '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1beta1","request":{"uid":"u"}}',
  ]) {
    assert.equal((await reviewAdmission(Buffer.from(garbage), deps)).status, 400, garbage);
  }
  const odd = await reviewAdmission(review('on', { metadata: [], spec: 'x' }), deps);
  assert.equal(odd.outcome, 'error');
  assert.equal((JSON.parse(odd.body) as { response: { allowed: boolean } }).response.allowed, true);
});
