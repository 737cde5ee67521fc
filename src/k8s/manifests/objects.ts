// Finds the Kubernetes objects in a parsed document (the document itself, or each item of a `kind: List`)
// and, for the workload kinds, where their pod template is.
import { type Document, isMap, isSeq } from 'yaml';
import { ManifestError, type ParsedDocument, isEmptyDocument } from './source.js';
import { type YamlPath, valueAt } from './yaml-patch.js';

/** Where each workload kind keeps the pod template that injection edits. */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, YamlPath>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export interface ObjectLocation {
  /** Path of the object within its document ([] or ['items', i]). */
  readonly path: YamlPath;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** Path of the pod template for workload kinds; undefined for every other kind. */
  readonly templatePath: YamlPath | undefined;
}

function text(doc: Document, path: YamlPath): string | undefined {
  const v = valueAt(doc, path);
  return typeof v === 'string' ? v : undefined;
}

function isListKind(kind: string | undefined): boolean {
  return kind === 'List' || (kind !== undefined && kind.endsWith('List'));
}

/** The objects of one document, in order; Lists are expanded into their items. */
export function findObjects(d: ParsedDocument, sourceName: string): ObjectLocation[] {
  const doc = d.doc;
  if (isEmptyDocument(doc)) return [];
  const kind = text(doc, ['kind']);
  const items = doc.getIn(['items'], true);
  if (isListKind(kind) && isSeq(items)) {
    return items.items.map((item, i) => {
      if (!isMap(item)) {
        throw new ManifestError(
          `${sourceName}: document ${d.index} (line ${d.line}): items[${i}] is not a Kubernetes object`,
        );
      }
      return locate(doc, ['items', i]);
    });
  }
  return [locate(doc, [])];
}

function locate(doc: Document, path: YamlPath): ObjectLocation {
  const kind = text(doc, [...path, 'kind']) ?? '';
  const template = POD_TEMPLATE_PATHS[kind];
  return {
    path,
    kind,
    name: text(doc, [...path, 'metadata', 'name']) ?? text(doc, [...path, 'metadata', 'generateName']) ?? '',
    namespace: text(doc, [...path, 'metadata', 'namespace']),
    templatePath: template === undefined ? undefined : [...path, ...template],
  };
}
