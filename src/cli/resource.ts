// Resource arguments as kubectl and linkerd take them: `TYPE`, `TYPE NAME`, `TYPE/NAME`, and `--to/--from R`,
// with kubectl's aliases, resolved to one canonical kind. Shared by stat, routes, edges, tap and top.
import { UsageError } from '../common/errors.js';
import {
  RESOURCE_ALIASES,
  RESOURCE_KINDS,
  resourceKindOf,
  type ResourceKind,
} from '../common/resource-kinds.js';
import type { Resource } from '../api/gen/common.js';

export type { ResourceKind };

/** The short names tables use as prefixes, as linkerd prints `deploy/web`. */
const SHORT: Readonly<Record<ResourceKind, string>> = {
  namespace: 'ns',
  workload: 'workload',
  pod: 'po',
  service: 'svc',
  authority: 'au',
};

/** One line naming the valid types, for help texts and errors. */
export function resourceTypesText(kinds: readonly ResourceKind[] = RESOURCE_KINDS): string {
  return kinds.map((k) => `${k} (${RESOURCE_ALIASES[k].join(', ')})`).join(', ');
}

/** A resource the user named: `name` empty means every resource of the kind in `namespace`. */
export interface ResourceRef {
  readonly kind: ResourceKind;
  /** Empty for kind namespace (its name is the namespace). */
  readonly namespace: string;
  readonly name: string;
}

const MAX_NAME = 253;

export function parseResourceKind(
  text: string,
  allowed: readonly ResourceKind[] = RESOURCE_KINDS,
  what = 'resource type',
): ResourceKind {
  const kind = resourceKindOf(text);
  if (kind === undefined || !allowed.includes(kind)) {
    throw new UsageError(
      'MESH_BAD_RESOURCE_TYPE',
      `unknown ${what} "${text}": expected ${resourceTypesText(allowed)}`,
    );
  }
  return kind;
}

function checkName(name: string, kind: ResourceKind): string {
  if (name === '' || name.length > MAX_NAME || /[\s/]/.test(name)) {
    throw new UsageError(
      'MESH_BAD_RESOURCE_NAME',
      `invalid ${kind} name "${name}"`,
      `names are 1 to ${MAX_NAME} characters without spaces or slashes`,
    );
  }
  return name;
}

function ref(kind: ResourceKind, name: string, namespace: string): ResourceRef {
  if (kind === 'namespace') return { kind, namespace: '', name };
  return { kind, namespace, name };
}

/**
 * Parses a command's positional resource: `TYPE`, `TYPE NAME` or `TYPE/NAME`. `namespace` is the -n value
 * for the kinds that live in one.
 */
export function parseResourceArgs(
  args: readonly string[],
  namespace: string,
  allowed: readonly ResourceKind[] = RESOURCE_KINDS,
): ResourceRef {
  const [first, second, ...rest] = args;
  if (first === undefined || first === '') {
    throw new UsageError(
      'MESH_MISSING_RESOURCE',
      'missing resource: expected TYPE, TYPE NAME or TYPE/NAME',
      `types: ${resourceTypesText(allowed)}`,
    );
  }
  const slash = first.indexOf('/');
  if (slash >= 0) {
    if (second !== undefined) {
      throw new UsageError(
        'MESH_EXTRA_ARGUMENT',
        `unexpected argument "${second}" after ${first}`,
        'name one resource: TYPE NAME or TYPE/NAME',
      );
    }
    const kind = parseResourceKind(first.slice(0, slash), allowed);
    return ref(kind, checkName(first.slice(slash + 1), kind), namespace);
  }
  if (rest.length > 0) {
    throw new UsageError(
      'MESH_EXTRA_ARGUMENT',
      `unexpected argument "${rest[0] ?? ''}"`,
      'name one resource: TYPE NAME or TYPE/NAME',
    );
  }
  const kind = parseResourceKind(first, allowed);
  return ref(kind, second === undefined ? '' : checkName(second, kind), namespace);
}

/** Parses `--to`/`--from`: `TYPE/NAME` or `TYPE` (every resource of the type), in the -n namespace. */
export function parseResourceFlag(
  text: string,
  flag: string,
  namespace: string,
  allowed: readonly ResourceKind[] = RESOURCE_KINDS,
): ResourceRef {
  const slash = text.indexOf('/');
  const kind = parseResourceKind(slash >= 0 ? text.slice(0, slash) : text, allowed, `${flag} type`);
  return ref(kind, slash >= 0 ? checkName(text.slice(slash + 1), kind) : '', namespace);
}

export function toWireResource(r: ResourceRef): Resource {
  return { type: r.kind, namespace: r.namespace, name: r.name };
}

/** `workload/web`, `ns/demo`, `svc` — how tables and messages name a resource. */
export function displayResource(r: { readonly kind: string; readonly name: string }): string {
  const short = SHORT[r.kind as ResourceKind] ?? r.kind;
  return r.name === '' ? short : `${short}/${r.name}`;
}

/** The canonical kind of a wire type (the server may answer with an alias); unknown types pass through. */
export function kindOf(type: string): string {
  return resourceKindOf(type) ?? type;
}
