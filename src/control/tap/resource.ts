// Which instances a tap target covers: `namespace`, `workload` (deployment, deploy), `pod` (po), `service`
// (svc: its workload's instances) or `authority`. Resolved against the registry when a watch starts (an
// unknown resource is NOT_FOUND) and re-evaluated on every registry change while it runs.
import { quoteForLog } from '../../common/log-quote.js';
import { resourceKindOf, type ResourceKind } from '../../common/resource-kinds.js';
import type { Resource } from '../../api/gen/common.js';
import type { InstanceView, MeshRegistry } from '../registry/model.js';

export type TargetErrorCode = 'NOT_FOUND' | 'INVALID_ARGUMENT';

export class TargetError extends Error {
  constructor(
    readonly code: TargetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** A resolved target: its canonical form, and the instances it covers in the registry's current state. */
export interface TapTarget {
  readonly kind: ResourceKind;
  readonly namespace: string;
  /** Empty: every resource of the kind (in the namespace, or in the mesh for kind namespace). */
  readonly name: string;
  instances(registry: MeshRegistry): readonly InstanceView[];
}

const MAX_NAME = 253;

/** Resolves a wire Resource; throws TargetError (INVALID_ARGUMENT or NOT_FOUND) with a one-line reason. */
export function resolveTarget(
  resource: Resource | undefined,
  registry: MeshRegistry,
  defaultNamespace: string,
): TapTarget {
  if (resource === undefined || resource.type === '') {
    throw new TargetError('INVALID_ARGUMENT', 'target: a resource type is required');
  }
  const kind = resourceKindOf(resource.type);
  if (kind === undefined) {
    throw new TargetError(
      'INVALID_ARGUMENT',
      'target.type: expected namespace, workload (deployment, deploy), pod (po), service (svc) or authority',
    );
  }
  if (resource.name.length > MAX_NAME || resource.namespace.length > MAX_NAME) {
    throw new TargetError('INVALID_ARGUMENT', `target: names are at most ${MAX_NAME} characters`);
  }
  const namespace = kind === 'namespace' ? resource.name : resource.namespace || defaultNamespace;
  const target: TapTarget = {
    kind,
    namespace,
    name: kind === 'namespace' ? '' : resource.name,
    instances: (r) => r.instances().filter(selector(kind, namespace, resource.name, r)),
  };
  if (!exists(target, registry)) {
    // Quoted: the message reaches terminals and logs, and the names are the caller's text.
    const what = kind === 'namespace' ? namespace : `${namespace}/${target.name || '*'}`;
    throw new TargetError('NOT_FOUND', `${kind} ${quoteForLog(what)} not found in the mesh`);
  }
  return target;
}

function selector(
  kind: ResourceKind,
  namespace: string,
  name: string,
  registry: MeshRegistry,
): (i: InstanceView) => boolean {
  switch (kind) {
    case 'namespace':
      return (i) => namespace === '' || i.namespace === namespace;
    case 'workload':
      return (i) => i.namespace === namespace && (name === '' || i.workload === name);
    case 'pod':
      return (i) => i.namespace === namespace && (name === '' || i.name === name);
    case 'service': {
      // Looked up once per evaluation, so a service that moves to another workload is followed.
      const services = registry.spec.services.filter(
        (s) => s.namespace === namespace && (name === '' || s.name === name),
      );
      const workloads = new Set(services.map((s) => s.workload));
      return (i) => i.namespace === namespace && workloads.has(i.workload);
    }
    case 'authority': {
      const key = (i: InstanceView): string => `${i.namespace}/${i.name}`;
      const instances = new Set(registry.resolve(name)?.endpoints.map((e) => key(e.instance)) ?? []);
      return (i) => instances.has(key(i));
    }
  }
}

function exists(t: TapTarget, registry: MeshRegistry): boolean {
  const { spec } = registry;
  const inNamespace = (ns: string): boolean =>
    spec.workloads.some((w) => w.namespace === ns) || spec.services.some((s) => s.namespace === ns);
  switch (t.kind) {
    case 'namespace':
      return t.namespace === '' || inNamespace(t.namespace);
    case 'workload':
      return t.name === ''
        ? inNamespace(t.namespace)
        : spec.workloads.some((w) => w.namespace === t.namespace && w.name === t.name);
    case 'pod':
      return t.name === ''
        ? inNamespace(t.namespace)
        : registry.instances().some((i) => i.namespace === t.namespace && i.name === t.name);
    case 'service':
      return t.name === ''
        ? inNamespace(t.namespace)
        : spec.services.some((s) => s.namespace === t.namespace && s.name === t.name);
    case 'authority':
      return t.name !== '' && registry.knowsHost(t.name);
  }
}
