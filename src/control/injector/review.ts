// One admission review, start to finish, without sockets: parse the AdmissionReview v1, work out which
// workload the pod belongs to and its namespace's annotations, run the shared injection function with
// the webhook's rule (opt-in required), and answer with a base64 JSON Patch — or with the pod untouched
// and, where something went wrong on our side, a warning that says so. Only a body that is not an
// AdmissionReview at all gets a 400 (there is no uid to answer); the API server then applies the
// webhook's failurePolicy (Ignore), and the reason is in our log and metrics.
import { errorMessage } from '../../common/errors.js';
import { injectPod, type SkipReason, type WorkloadRef } from '../../k8s/inject/inject.js';
import type { InjectConfig } from '../../k8s/inject/config.js';
import { isJsonObject, type PodTemplate } from '../../k8s/model.js';

export type ReviewOutcome = 'injected' | SkipReason | 'not-a-pod' | 'error' | 'bad-request';

/** Something worth a Kubernetes Event on the workload. */
export interface InjectionEvent {
  readonly namespace: string;
  readonly involved: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly uid?: string;
  };
  readonly type: 'Normal' | 'Warning';
  readonly reason: 'Injected' | 'InjectionSkipped' | 'InjectionFailed';
  readonly message: string;
}

export interface ReviewDeps {
  readonly config: InjectConfig;
  /** The namespace's annotations; throws when they cannot be read. */
  namespaceAnnotations(namespace: string): Promise<Readonly<Record<string, string>>>;
  record(event: InjectionEvent): void;
}

export interface ReviewResult {
  readonly status: number;
  readonly body: string;
  readonly outcome: ReviewOutcome;
  /** For the log: what went wrong, when something did. */
  readonly problem?: string;
}

interface Owner {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

/** The workload behind a pod: a ReplicaSet's `<deployment>-<pod-template-hash>` is its Deployment. */
export function workloadOf(
  pod: PodTemplate & { metadata?: { ownerReferences?: Owner[]; generateName?: string } },
): {
  ref: { kind: string; name: string };
  involved: InjectionEvent['involved'] | undefined;
} {
  const meta = pod.metadata ?? {};
  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  const hash = meta.labels?.['pod-template-hash'];
  if (owner?.kind === 'ReplicaSet' && owner.name && hash && owner.name.endsWith(`-${hash}`)) {
    const name = owner.name.slice(0, -hash.length - 1);
    return {
      ref: { kind: 'Deployment', name },
      involved: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    };
  }
  if (owner?.kind && owner.name) {
    const involved = {
      apiVersion: owner.apiVersion ?? 'v1',
      kind: owner.kind,
      name: owner.name,
      ...(owner.uid ? { uid: owner.uid } : {}),
    };
    return { ref: { kind: owner.kind, name: owner.name }, involved };
  }
  const name = meta.name ?? (meta.generateName ? meta.generateName.replace(/-$/, '') : '');
  return {
    ref: { kind: 'Pod', name },
    involved: meta.name ? { apiVersion: 'v1', kind: 'Pod', name: meta.name } : undefined,
  };
}

function answer(uid: string, extra: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, allowed: true, ...extra },
  });
}

function badRequest(problem: string): ReviewResult {
  return { status: 400, body: `bad AdmissionReview: ${problem}\n`, outcome: 'bad-request', problem };
}

export async function reviewAdmission(raw: Buffer, deps: ReviewDeps): Promise<ReviewResult> {
  let review: unknown;
  try {
    review = JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    return badRequest(`not JSON (${errorMessage(err)})`);
  }
  if (!isJsonObject(review) || review['kind'] !== 'AdmissionReview')
    return badRequest('kind is not AdmissionReview');
  if (review['apiVersion'] !== 'admission.k8s.io/v1') {
    return badRequest(`apiVersion ${JSON.stringify(review['apiVersion'])} is not admission.k8s.io/v1`);
  }
  const request = review['request'];
  if (!isJsonObject(request) || typeof request['uid'] !== 'string' || request['uid'] === '') {
    return badRequest('request.uid is missing');
  }
  const uid = request['uid'];
  const kind = request['kind'];
  const object = request['object'];
  if (
    !isJsonObject(kind) ||
    kind['kind'] !== 'Pod' ||
    (kind['group'] ?? '') !== '' ||
    request['operation'] !== 'CREATE'
  ) {
    return { status: 200, body: answer(uid, {}), outcome: 'not-a-pod' };
  }
  const namespace = typeof request['namespace'] === 'string' ? request['namespace'] : '';
  const warnings: string[] = [];
  try {
    if (!isJsonObject(object) || (object['spec'] !== undefined && !isJsonObject(object['spec']))) {
      throw new Error('request.object is not a pod');
    }
    const pod = object as PodTemplate & { metadata?: { ownerReferences?: Owner[]; generateName?: string } };
    if (pod.metadata !== undefined && !isJsonObject(pod.metadata))
      throw new Error("the pod's metadata is not an object");
    let nsAnnotations: Readonly<Record<string, string>> | undefined;
    try {
      nsAnnotations = await deps.namespaceAnnotations(namespace);
    } catch (err) {
      // Pod annotations still work; say that the namespace's could not be taken into account.
      warnings.push(
        `mesh injector: cannot read namespace "${namespace}" (${errorMessage(err)}); its mesh.io annotations were not applied`,
      );
    }
    const { ref, involved } = workloadOf(pod);
    const workload: WorkloadRef = { ...ref, namespace, namespaceAnnotations: nsAnnotations };
    const result = injectPod(pod, workload, deps.config, { requireOptIn: true });
    const record = (
      type: InjectionEvent['type'],
      reason: InjectionEvent['reason'],
      message: string,
    ): void => {
      if (involved !== undefined) deps.record({ namespace, involved, type, reason, message });
    };
    if (result.status === 'injected') {
      record('Normal', 'Injected', 'the mesh proxy was added to the pod');
      const patch = Buffer.from(JSON.stringify(result.patch)).toString('base64');
      return {
        status: 200,
        body: answer(uid, { patchType: 'JSONPatch', patch, ...(warnings.length ? { warnings } : {}) }),
        outcome: 'injected',
      };
    }
    // Pods that never asked for the mesh are the common case; an event for each would drown the real ones.
    if (result.reason !== 'not-enabled')
      record('Normal', 'InjectionSkipped', `proxy injection skipped: ${result.message}`);
    return {
      status: 200,
      body: answer(uid, warnings.length ? { warnings } : {}),
      outcome: result.reason,
    };
  } catch (err) {
    // Our bug or input we did not expect: admit the pod as it is, and say so to whoever created it.
    const problem = errorMessage(err);
    warnings.push(`mesh injector: the pod was admitted without the mesh proxy: ${problem}`);
    return { status: 200, body: answer(uid, { warnings }), outcome: 'error', problem };
  }
}
