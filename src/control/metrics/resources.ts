// Resources as the metrics API names them (type aliases, default namespace) and what the registry says about
// them: which exist, and how many of their pods are meshed and running.
import type { Resource } from '../../api/gen/common.js';
import { normalizeAuthority } from '../../common/address.js';
import { resourceKindOf, type ResourceKind } from '../../common/resource-kinds.js';
import type { MeshRegistry } from '../registry/model.js';
import { badRequest } from './errors.js';

export type { ResourceKind };

export const KIND_LIST = 'namespace, workload (deployment, deploy), pod (po), service (svc), authority (au)';

/** The namespace a request means when it names none (kubectl's default). */
export const DEFAULT_NAMESPACE = 'default';

/** A resource or a set of them: `namespace` undefined = every namespace, `name` '' = every name. */
export interface ResourceRef {
  readonly kind: ResourceKind;
  readonly namespace: string | undefined;
  readonly name: string;
}

/**
 * Validates a request's resource. `field` names it in errors (selector, from, to); `namespace` is the one to
 * assume when the resource names none (undefined = every namespace).
 */
export function parseResource(
  r: Resource | undefined,
  field: string,
  namespace: string | undefined,
): ResourceRef {
  if (r === undefined || r.type.trim() === '') {
    throw badRequest(`${field}: a resource type is required (${KIND_LIST})`);
  }
  const kind = resourceKindOf(r.type.trim());
  if (kind === undefined) {
    throw badRequest(`${field}: unknown resource type "${r.type}"; expected one of ${KIND_LIST}`);
  }
  let name = r.name.trim();
  if (kind === 'authority' && name !== '') {
    const normal = normalizeAuthority(name);
    if (normal === undefined) throw badRequest(`${field}: "${r.name}" is not an authority (HOST[:PORT])`);
    name = normal;
  }
  // A namespace is not inside one; an authority's traffic is filtered by its clients' namespace.
  const ns = kind === 'namespace' ? undefined : r.namespace.trim() || namespace;
  return { kind, namespace: ns, name };
}

export function describe(ref: ResourceRef): string {
  if (ref.kind === 'namespace' || ref.kind === 'authority' || ref.namespace === undefined) {
    return `${ref.kind} ${ref.name}`;
  }
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

export interface RegistryRow {
  readonly resource: Resource;
  readonly meshedPods: number;
  readonly runningPods: number;
}

/**
 * The registry's resources of `ref` (every one when its name is empty), with pod counts. Authorities are not
 * registry objects: their rows come from traffic, so this returns none for them.
 */
export function registryRows(registry: MeshRegistry, ref: ResourceRef): RegistryRow[] {
  const inScope = (ns: string, name: string): boolean =>
    (ref.namespace === undefined || ref.namespace === ns) && (ref.name === '' || ref.name === name);
  const instances = registry.instances();
  const rows = new Map<string, { resource: Resource; meshedPods: number; runningPods: number }>();
  const count = (key: string, resource: Resource, meshed: boolean): void => {
    let row = rows.get(key);
    if (row === undefined) rows.set(key, (row = { resource, meshedPods: 0, runningPods: 0 }));
    row.runningPods++;
    if (meshed) row.meshedPods++;
  };
  switch (ref.kind) {
    case 'namespace': {
      const namespaces = new Set([
        ...registry.spec.workloads.map((w) => w.namespace),
        ...registry.spec.services.map((s) => s.namespace),
      ]);
      for (const ns of namespaces) {
        if (ref.name === '' || ref.name === ns) {
          rows.set(ns, {
            resource: { type: 'namespace', namespace: '', name: ns },
            meshedPods: 0,
            runningPods: 0,
          });
        }
      }
      for (const i of instances) {
        const row = rows.get(i.namespace);
        if (row === undefined) continue;
        row.runningPods++;
        if (i.meshed) row.meshedPods++;
      }
      break;
    }
    case 'workload':
      for (const w of registry.spec.workloads) {
        if (!inScope(w.namespace, w.name)) continue;
        const key = `${w.namespace}/${w.name}`;
        rows.set(key, {
          resource: { type: 'workload', namespace: w.namespace, name: w.name },
          meshedPods: 0,
          runningPods: 0,
        });
      }
      for (const i of instances) {
        const key = `${i.namespace}/${i.workload}`;
        if (rows.has(key)) count(key, rows.get(key)!.resource, i.meshed);
      }
      break;
    case 'pod':
      for (const i of instances) {
        if (!inScope(i.namespace, i.name)) continue;
        count(`${i.namespace}/${i.name}`, { type: 'pod', namespace: i.namespace, name: i.name }, i.meshed);
      }
      break;
    case 'service':
      for (const s of registry.spec.services) {
        if (!inScope(s.namespace, s.name)) continue;
        rows.set(`${s.namespace}/${s.name}`, {
          resource: { type: 'service', namespace: s.namespace, name: s.name },
          meshedPods: 0,
          runningPods: 0,
        });
      }
      break;
    case 'authority':
      break;
  }
  return [...rows.values()];
}

/** True when the registry knows the named resource (authorities: when their host names a known service). */
export function knownToRegistry(registry: MeshRegistry, ref: ResourceRef): boolean {
  if (ref.name === '') return true;
  if (ref.kind === 'authority') return registry.knowsHost(ref.name);
  return registryRows(registry, ref).length > 0;
}
