// The RESOURCE argument and --from/--to flags, kubectl-style (`namespace/demo`, `deploy/web`, `svc`), parsed
// into ResourceRefs, with one-line usage errors for anything else.
import { UsageError } from '../common/errors.js';
import { resourceKindOf } from '../common/resource-kinds.js';
import type { ResourceRef } from './model.js';

/** Parses `TYPE[/NAME]`; `what` names the argument or flag in errors. */
export function parseResource(text: string, namespace: string, what = 'RESOURCE'): ResourceRef {
  const slash = text.indexOf('/');
  const typeText = (slash < 0 ? text : text.slice(0, slash)).trim().toLowerCase();
  const name = slash < 0 ? '' : text.slice(slash + 1).trim();
  const type = resourceKindOf(typeText);
  if (type === undefined || (slash >= 0 && name === '')) {
    throw new UsageError(
      'MESH_BAD_RESOURCE',
      `invalid ${what} "${text}"`,
      'expected TYPE[/NAME] with TYPE namespace (ns), workload (deploy), pod (po), service (svc) or authority, e.g. deploy/web',
    );
  }
  // A namespace is named by `name`; the `namespace` field does not apply to it.
  if (type === 'namespace') return { type, namespace: '', name };
  return { type, namespace, name };
}

/** How a resource is written back in headers and messages: `namespace/demo`, `workload/web (ns demo)`. */
export function resourceLabel(ref: ResourceRef): string {
  if (ref.type === 'namespace') return ref.name ? `namespace/${ref.name}` : 'all namespaces';
  const what = ref.name ? `${ref.type}/${ref.name}` : `every ${ref.type}`;
  return `${what} (ns ${ref.namespace})`;
}
