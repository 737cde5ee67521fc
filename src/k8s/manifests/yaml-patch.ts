// Applies a JSON Patch (the webhook's output) to a `yaml` Document in place, below a base path, so that the
// CLI edits exactly what the webhook would while every comment and untouched node stays as it was.
import { type Document, type Node, isMap, isSeq, isScalar } from 'yaml';
import { type PatchOperation, parsePointer } from '../model.js';

export type YamlPath = readonly (string | number)[];

/** Repeated objects (a shared securityContext) become copies, never YAML anchors and aliases. */
export const NODE_OPTIONS = { aliasDuplicateObjects: false } as const;

function describe(path: YamlPath): string {
  return '/' + path.join('/');
}

/**
 * Where a new key goes in a map that lacks it: JSON Patch has no order, but people read pod templates
 * top-down, so metadata goes before spec and init containers before containers. Others are appended.
 */
const PLACE_BEFORE: Readonly<Record<string, string>> = { metadata: 'spec', initContainers: 'containers' };

/** The collection node at `path`, walking maps by key and sequences by index. */
function nodeAt(doc: Document, path: YamlPath): Node | undefined {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) node = node.get(String(seg), true);
    else if (isSeq(node)) node = node.get(Number(seg), true);
    else return undefined;
  }
  return node as Node | undefined;
}

/** Reads the plain JSON value at `path` (undefined when absent). */
export function valueAt(doc: Document, path: YamlPath): unknown {
  const node = nodeAt(doc, path);
  if (node === undefined || node === null) return undefined;
  if (isScalar(node)) return node.toJSON() as unknown;
  return (node as { toJSON(): unknown }).toJSON();
}

export function applyPatchToYaml(doc: Document, base: YamlPath, patch: readonly PatchOperation[]): void {
  for (const op of patch) {
    const segments = parsePointer(op.path);
    const last = segments[segments.length - 1];
    if (last === undefined) throw new Error(`cannot ${op.op} the whole document`);
    const parentPath = [...base, ...segments.slice(0, -1)];
    const parent = nodeAt(doc, parentPath);
    if (isSeq(parent)) {
      const index = last === '-' ? parent.items.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.items.length) {
        throw new Error(`index ${last} out of range at ${describe(parentPath)}`);
      }
      if (op.op === 'add') parent.items.splice(index, 0, doc.createNode(op.value, NODE_OPTIONS));
      else if (op.op === 'replace') parent.items[index] = doc.createNode(op.value, NODE_OPTIONS);
      else parent.items.splice(index, 1);
    } else if (isMap(parent)) {
      if (op.op === 'remove') {
        if (!parent.delete(last)) throw new Error(`nothing to remove at ${describe([...parentPath, last])}`);
      } else if (parent.has(last)) {
        parent.set(last, doc.createNode(op.value, NODE_OPTIONS));
      } else {
        const pair = doc.createPair(last, op.value, NODE_OPTIONS);
        const before = PLACE_BEFORE[last];
        const at =
          before === undefined
            ? -1
            : parent.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === before);
        if (at < 0) parent.items.push(pair);
        else {
          // A comment above a map's first key is stored on the map; keep it above that key, not above ours.
          const displaced = parent.items[at]?.key;
          if (at === 0 && parent.commentBefore && isScalar(displaced)) {
            displaced.commentBefore = parent.commentBefore;
            parent.commentBefore = undefined;
          }
          parent.items.splice(at, 0, pair);
        }
      }
    } else {
      throw new Error(`no map or list at ${describe(parentPath)} to ${op.op} ${last}`);
    }
  }
}
