// The reverse of injection, for both forms: removes the proxy and proxy-init containers, their volumes, the
// labels and annotations injection wrote, and `mesh.io/inject: enabled`. Maps and lists that only held what
// injection added are removed with it, so inject followed by uninject gives back the original object.
// `mesh.io/inject: disabled` and `config.mesh.io/*` are the user's and stay.
import {
  CONTROL_PLANE_NS_LABEL,
  CREATED_BY_ANNOTATION,
  INJECT_ANNOTATION,
  INJECT_ENABLED,
  PROXY_VERSION_ANNOTATION,
  PROXY_WORKLOAD_LABEL_PREFIX,
  TRUST_ROOT_SHA_ANNOTATION,
} from '../annotations.js';
import { type PatchOperation, type PodTemplate, pointer } from '../model.js';
import {
  IDENTITY_TOKEN_VOLUME,
  PROXY_CONTAINER,
  PROXY_INIT_CONTAINER,
  XTABLES_LOCK_VOLUME,
} from './proxy-env.js';

export interface UninjectResult {
  /** False when there was nothing of the mesh's to remove. */
  readonly changed: boolean;
  readonly patch: readonly PatchOperation[];
}

const ADDED_ANNOTATIONS = [CREATED_BY_ANNOTATION, PROXY_VERSION_ANNOTATION, TRUST_ROOT_SHA_ANNOTATION];

function isAddedAnnotation(key: string, value: string): boolean {
  return ADDED_ANNOTATIONS.includes(key) || (key === INJECT_ANNOTATION && value === INJECT_ENABLED);
}

function isAddedLabel(key: string): boolean {
  return key === CONTROL_PLANE_NS_LABEL || key.startsWith(PROXY_WORKLOAD_LABEL_PREFIX);
}

/** Removes the items `drop` selects from a list, or the whole list when nothing else is left in it. */
function listRemovals<T>(
  path: string[],
  items: readonly T[] | undefined,
  drop: (item: T) => boolean,
): PatchOperation[] {
  if (items === undefined) return [];
  const indexes = items.flatMap((item, i) => (drop(item) ? [i] : []));
  if (indexes.length === 0) return [];
  if (indexes.length === items.length) return [{ op: 'remove', path: pointer(...path) }];
  // Highest index first, so that each removal leaves the earlier indexes in place.
  return indexes.reverse().map((i) => ({ op: 'remove', path: pointer(...path, i) }));
}

export function uninjectPod(pod: PodTemplate): UninjectResult {
  const ops: PatchOperation[] = [];
  const spec = pod.spec;
  if (spec !== undefined) {
    const ours = (c: { name: string }): boolean =>
      c.name === PROXY_CONTAINER || c.name === PROXY_INIT_CONTAINER;
    ops.push(...listRemovals(['spec', 'initContainers'], spec.initContainers, ours));
    // An older or hand-written injection may have put the proxy among the regular containers.
    ops.push(...listRemovals(['spec', 'containers'], spec.containers, (c) => c.name === PROXY_CONTAINER));
    ops.push(
      ...listRemovals(
        ['spec', 'volumes'],
        spec.volumes,
        (v) => v.name === IDENTITY_TOKEN_VOLUME || v.name === XTABLES_LOCK_VOLUME,
      ),
    );
  }
  const meta = pod.metadata;
  if (meta !== undefined) {
    const metaOps: PatchOperation[] = [];
    let emptied = 0;
    const fields = [
      ['annotations', meta.annotations, (k: string, v: string) => isAddedAnnotation(k, v)],
      ['labels', meta.labels, (k: string) => isAddedLabel(k)],
    ] as const;
    for (const [field, map, added] of fields) {
      if (map === undefined) continue;
      const keys = Object.keys(map).filter((k) => added(k, map[k] ?? ''));
      if (keys.length === 0) continue;
      if (keys.length === Object.keys(map).length) {
        metaOps.push({ op: 'remove', path: pointer('metadata', field) });
        emptied++;
      } else {
        metaOps.push(
          ...keys.map((k): PatchOperation => ({ op: 'remove', path: pointer('metadata', field, k) })),
        );
      }
    }
    // Injection creates `metadata` for templates that had none; take it away again if nothing else is in it.
    const metaKeys = Object.keys(meta).filter((k) => (meta as Record<string, unknown>)[k] !== undefined);
    if (emptied > 0 && emptied === metaKeys.length) ops.push({ op: 'remove', path: '/metadata' });
    else ops.push(...metaOps);
  }
  return { changed: ops.length > 0, patch: ops };
}
