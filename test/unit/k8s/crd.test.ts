// The ServiceProfile CRD's schema describes exactly the mesh file's `profile`: a profile the mesh file
// accepts is valid against the CRD, and fields the mesh file does not know are rejected (Kubernetes would
// prune them silently, so a typo would vanish).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMeshFile } from '../../../src/control/registry/mesh-file.js';
import { renderCrds } from '../../../src/k8s/install/render.js';
import { renderTemplate } from '../../../src/k8s/install/template.js';
import { resolveValues } from '../../../src/k8s/values.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
}

const KNOWN = new Set([
  'type',
  'properties',
  'required',
  'items',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'maxItems',
  'pattern',
  'description',
  'x-kubernetes-validations',
]);

/** The structural-schema subset the CRD uses, checked like the API server (unknown fields are errors here). */
function validate(schema: Schema, value: unknown, at: string, errors: string[]): void {
  for (const k of Object.keys(schema))
    assert.ok(KNOWN.has(k), `the test validator does not know "${k}" (at ${at})`);
  const t = schema.type;
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (t && !(t === actual || (t === 'number' && actual === 'integer'))) {
    errors.push(`${at}: expected ${t}, got ${actual}`);
    return;
  }
  if (t === 'object' && typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) errors.push(`${at}.${r}: required`);
    for (const [k, v] of Object.entries(o)) {
      const sub = schema.properties?.[k];
      if (!sub) errors.push(`${at}.${k}: unknown field`);
      else validate(sub, v, `${at}.${k}`, errors);
    }
  }
  if (t === 'array' && Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: too many items`);
    value.forEach((v, i) => schema.items && validate(schema.items, v, `${at}[${i}]`, errors));
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      errors.push(`${at}: does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: too long`);
  }
}

const crd = renderCrds(resolveValues())[0]?.toJS() as {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
  };
};
const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as Schema;
const errorsFor = (spec: unknown): string[] => {
  const errors: string[] = [];
  validate(schema, { spec }, 'ServiceProfile', errors);
  return errors;
};

const PROFILE = {
  routes: [
    {
      name: 'GET /books/{id}',
      method: 'GET',
      pathRegex: '/books/\\d+',
      retryable: true,
      timeout: '1m30s',
      responseClasses: [{ statusMin: 500, statusMax: 599, isFailure: true }],
    },
    { name: 'everything else' },
  ],
  retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
};

test('serviceprofiles.mesh.io is named, grouped and versioned as documented', () => {
  assert.equal(crd.spec.group, 'mesh.io');
  assert.equal(crd.spec.names.kind, 'ServiceProfile');
  assert.equal(crd.spec.versions[0]?.name, 'v1alpha1');
});

test('a profile the mesh file accepts is valid against the CRD schema', () => {
  const meshFile = JSON.stringify({
    services: [{ name: 'books', namespace: 'demo', ports: [80], workload: 'books', profile: PROFILE }],
    workloads: [{ name: 'books', namespace: 'demo', instances: [] }],
  });
  assert.ok(parseMeshFile(meshFile, 'mesh.yaml').services[0]?.profile, 'the mesh file reads every field');
  assert.deepEqual(errorsFor(PROFILE), []);
});

test('fields and values the mesh file would refuse are refused by the CRD too', () => {
  assert.deepEqual(errorsFor({ routes: [{ name: 'x', retries: true }] }), [
    'ServiceProfile.spec.routes[0].retries: unknown field',
  ]);
  assert.deepEqual(errorsFor({ routes: [{ method: 'GET' }] }), [
    'ServiceProfile.spec.routes[0].name: required',
  ]);
  assert.deepEqual(errorsFor({ routes: [{ name: 'x', timeout: 'soon' }] }).length, 1);
  assert.deepEqual(errorsFor({ routes: [{ name: 'x', responseClasses: [{ statusMin: 600 }] }] }).length, 1);
  assert.deepEqual(errorsFor({ retryBudget: { retryRatio: 11 } }).length, 1);
});

test('templates refuse unknown placeholders', () => {
  assert.throws(
    () => renderTemplate('control-plane/pdb.yaml', { values: resolveValues() }),
    /manifests\/control-plane\/pdb\.yaml: unknown placeholder \$\{component\.name\}/,
  );
});
