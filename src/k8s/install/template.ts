// Renders the YAML templates under manifests/: each is valid YAML whose string scalars may hold `${path}`
// placeholders. A scalar that is exactly one placeholder takes the value's type (a number, a list, a map;
// undefined removes the entry); placeholders inside text are interpolated. An unknown placeholder is an
// error, so a typo in a template fails the tests instead of shipping `${typo}` to a cluster.
import { readFileSync } from 'node:fs';
import { type Document, type Node, Scalar, isScalar, parseAllDocuments, visit } from 'yaml';
import { NODE_OPTIONS } from '../manifests/yaml-patch.js';
import { MANIFESTS_DIR } from '../values.js';

export type TemplateContext = Readonly<Record<string, unknown>>;

const WHOLE = /^\$\{([A-Za-z0-9_.]+)\}$/;
const PART = /\$\{([A-Za-z0-9_.]+)\}/g;
const MISSING = Symbol('missing');

function lookup(context: TemplateContext, path: string): unknown {
  let v: unknown = context;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null || !(key in v)) return MISSING;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export class TemplateError extends Error {
  constructor(file: string, message: string) {
    super(`manifests/${file}: ${message}`);
    this.name = 'TemplateError';
  }
}

/** Reads a template (path relative to manifests/) and renders each of its documents. */
export function renderTemplate(file: string, context: TemplateContext): Document[] {
  const text = readFileSync(new URL(file, MANIFESTS_DIR), 'utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  return docs.map((doc) => {
    if (doc.errors[0]) throw new TemplateError(file, doc.errors[0].message);
    renderDocument(doc, file, context);
    return doc;
  });
}

function renderDocument(doc: Document, file: string, context: TemplateContext): void {
  const resolve = (name: string): unknown => {
    const v = lookup(context, name);
    if (v === MISSING) throw new TemplateError(file, `unknown placeholder \${${name}}`);
    return v;
  };
  visit(doc, {
    Pair(_, pair) {
      const value = pair.value;
      if (!isScalar(value) || typeof value.value !== 'string') return undefined;
      const whole = WHOLE.exec(value.value);
      if (whole?.[1] === undefined) return undefined;
      const v = resolve(whole[1]);
      // An absent optional block (no volumes, no affinity) leaves no trace in the output.
      if (v === undefined) return visit.REMOVE;
      pair.value = toNode(doc, v, value);
      return undefined;
    },
    Scalar(_, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return undefined;
      const whole = WHOLE.exec(node.value);
      if (whole?.[1] !== undefined) {
        const v = resolve(whole[1]);
        if (v === undefined)
          throw new TemplateError(file, `\${${whole[1]}} is undefined where a value is required`);
        return toNode(doc, v, node);
      }
      node.value = node.value.replace(PART, (_m, name: string) => {
        const v = resolve(name);
        if (typeof v !== 'string' && typeof v !== 'number') {
          throw new TemplateError(
            file,
            `\${${name}} must be text or a number inside "${String(node.value)}"`,
          );
        }
        return String(v);
      });
      return undefined;
    },
  });
}

function toNode(doc: Document, value: unknown, template: Scalar): Node {
  const node = doc.createNode(value, NODE_OPTIONS) as Node;
  // A multi-line string (a PEM bundle) reads best as a literal block.
  if (node instanceof Scalar && typeof value === 'string') {
    node.type = value.includes('\n')
      ? 'BLOCK_LITERAL'
      : template.type === 'PLAIN'
        ? undefined
        : template.type;
  }
  return node;
}
