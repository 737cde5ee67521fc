// Validates Kubernetes objects against the Kubernetes OpenAPI schemas (the kubernetes-models packages'
// generated validators), since `kubectl apply --dry-run=client` needs a live API server.
import { type Document, parseAllDocuments } from 'yaml';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

interface TypeMeta {
  apiVersion?: unknown;
  kind?: unknown;
  items?: unknown;
  metadata?: { name?: unknown };
}

const modules = new Map<string, Record<string, unknown>>();

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  const specifier = apiVersion === 'v1' ? 'kubernetes-models/v1' : `kubernetes-models/${apiVersion}`;
  let mod = modules.get(specifier);
  if (!mod) {
    try {
      mod = (await import(specifier)) as Record<string, unknown>;
    } catch {
      throw new Error(`no schema for apiVersion ${apiVersion}`);
    }
    modules.set(specifier, mod);
  }
  const model = mod[kind];
  if (typeof model !== 'function') throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model as ModelClass;
}

/** Throws with every schema error of the object (and of each item of a List). */
export async function validateObject(obj: unknown, where = 'object'): Promise<void> {
  const o = obj as TypeMeta;
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
    throw new Error(`${where}: apiVersion and kind are required`);
  }
  if (o.kind === 'List') {
    const items = Array.isArray(o.items) ? (o.items as unknown[]) : [];
    for (const [i, item] of items.entries()) await validateObject(item, `${where} items[${i}]`);
    return;
  }
  const Model = await modelFor(o.apiVersion, o.kind);
  try {
    new Model(obj).validate();
  } catch (err) {
    const details = (err as { errors?: { instancePath: string; message?: string }[] }).errors ?? [];
    const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '?';
    const lines = details.map((d) => `  ${d.instancePath || '/'} ${d.message ?? ''}`).join('\n');
    throw new Error(
      `${where} ${o.kind} "${name}" does not match its schema: ${(err as Error).message}\n${lines}`,
      {
        cause: err,
      },
    );
  }
}

/** Validates every object in a YAML stream or a stream of concatenated JSON objects; returns how many. */
export async function validateManifestText(text: string, where: string): Promise<number> {
  const objects: unknown[] = [];
  if (/^\s*[{[]/.test(text)) {
    // Concatenated JSON documents, as kubectl reads them: split on the top-level object boundaries.
    let depth = 0;
    let start = -1;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') {
        if (depth++ === 0) start = i;
      } else if (c === '}' && --depth === 0) objects.push(JSON.parse(text.slice(start, i + 1)));
    }
  } else {
    for (const doc of parseAllDocuments(text) as Document[]) {
      if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0]?.message}`);
      const v: unknown = doc.toJS();
      if (v !== null && v !== undefined) objects.push(v);
    }
  }
  for (const [i, o] of objects.entries()) await validateObject(o, `${where} document ${i + 1}`);
  return objects.length;
}
