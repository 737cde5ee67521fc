// The install values: defaults and their documentation live in manifests/values.yaml; this module knows
// each key's type and rule, applies flags and `--set key=value` over the defaults, and returns one typed,
// validated MeshValues. Install, manual injection and (later) the webhook all start from it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../common/duration.js';
import { UsageError } from '../common/errors.js';
import { LOG_LEVELS } from '../common/logger.js';
import { parsePortList } from '../common/settings.js';
import { VERSION } from '../common/version.js';
import { isJsonObject } from './model.js';

export const MANIFESTS_DIR = new URL('../../../manifests/', import.meta.url);
export const VALUES_FILE = new URL('values.yaml', MANIFESTS_DIR);

export interface ResourceValues {
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

export interface MeshValues {
  readonly controlPlaneNamespace: string;
  readonly clusterDomain: string;
  readonly identityTrustDomain: string;
  readonly controllerImage: string;
  readonly proxyImage: string;
  readonly proxyInitImage: string;
  /** Never empty once resolved: defaults to this meshctl's version. */
  readonly version: string;
  readonly imagePullPolicy: string;
  readonly ha: boolean;
  readonly controllerReplicas: number;
  readonly controllerLogLevel: string;
  readonly controllerResources: ResourceValues;
  readonly identity: { readonly issuanceLifetime: string; readonly clockSkewAllowance: string };
  readonly proxy: ResourceValues & {
    readonly uid: number;
    readonly logLevel: string;
    readonly inboundPort: number;
    readonly outboundPort: number;
    readonly adminPort: number;
    readonly tapPort: number;
    readonly opaquePorts: string;
  };
  readonly proxyInit: { readonly skipInboundPorts: string; readonly skipOutboundPorts: string };
  readonly webhook: { readonly failurePolicy: string; readonly timeoutSeconds: number };
}

type Leaf = string | number | boolean;
type Check = (value: Leaf) => string | undefined; // a problem, or undefined when fine

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Kubernetes resource quantity (resource.Quantity's grammar, simplified to what people write). */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[0-9]+)?$/;

const str =
  (test: (s: string) => string | undefined): Check =>
  (v) =>
    typeof v === 'string' ? test(v) : 'expected text';
const dnsLabel = str((s) => (DNS_LABEL.test(s) ? undefined : 'expected a DNS label (a-z, 0-9, -)'));
const dnsName = str((s) => (DNS_NAME.test(s) ? undefined : 'expected a DNS name like cluster.local'));
const oneOf = (...allowed: string[]): Check =>
  str((s) => (allowed.includes(s) ? undefined : `expected one of ${allowed.join(', ')}`));
const quantity = (optional: boolean): Check =>
  str((s) =>
    (optional && s === '') || QUANTITY.test(s)
      ? undefined
      : `expected a quantity like 100m, 64Mi or 1${optional ? ", or '' for none" : ''}`,
  );
const repository = str((s) => {
  if (!/^[a-z0-9][a-z0-9._\-/:]*$/.test(s)) return 'expected an image repository like ghcr.io/org/name';
  const last = s.slice(s.lastIndexOf('/') + 1);
  if (last.includes(':')) return 'give the repository without a tag; the tag comes from `version`';
  return undefined;
});
const tag = str((s) =>
  s === '' || /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s) ? undefined : 'expected an image tag like 0.1.0',
);
const duration = str((s) => {
  try {
    parseDuration(s);
    return undefined;
  } catch {
    return 'expected a duration like 24h or 20s';
  }
});
const portList = str((s) => {
  try {
    parsePortList(s, 'ports');
    return undefined;
  } catch {
    return 'expected ports or ranges like 25,3306,8000-8010';
  }
});
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `expected a whole number from ${min} to ${max}`;
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'expected true or false');
const port = int(1, 65535);

/** Every settable key, flattened with dots, and its rule. manifests/values.yaml must define exactly these. */
const RULES: Readonly<Record<string, Check>> = {
  controlPlaneNamespace: dnsLabel,
  clusterDomain: dnsName,
  identityTrustDomain: dnsName,
  controllerImage: repository,
  proxyImage: repository,
  proxyInitImage: repository,
  version: tag,
  imagePullPolicy: oneOf('Always', 'IfNotPresent', 'Never'),
  ha: bool,
  controllerReplicas: int(1, 100),
  controllerLogLevel: oneOf(...LOG_LEVELS),
  'controllerResources.cpuRequest': quantity(true),
  'controllerResources.cpuLimit': quantity(true),
  'controllerResources.memoryRequest': quantity(true),
  'controllerResources.memoryLimit': quantity(true),
  'identity.issuanceLifetime': duration,
  'identity.clockSkewAllowance': duration,
  'proxy.uid': int(1, 2_147_483_647),
  'proxy.logLevel': oneOf(...LOG_LEVELS),
  'proxy.inboundPort': port,
  'proxy.outboundPort': port,
  'proxy.adminPort': port,
  'proxy.tapPort': port,
  'proxy.opaquePorts': portList,
  'proxy.cpuRequest': quantity(true),
  'proxy.cpuLimit': quantity(true),
  'proxy.memoryRequest': quantity(true),
  'proxy.memoryLimit': quantity(true),
  'proxyInit.skipInboundPorts': portList,
  'proxyInit.skipOutboundPorts': portList,
  'webhook.failurePolicy': oneOf('Ignore', 'Fail'),
  'webhook.timeoutSeconds': int(1, 30),
};

export const VALUE_KEYS: readonly string[] = Object.keys(RULES);

/** Exported for resource-quantity checks of annotations, which follow the same grammar. */
export function isQuantity(text: string): boolean {
  return QUANTITY.test(text);
}

type Flat = Map<string, Leaf>;

function flatten(value: unknown, prefix: string, out: Flat, file: string): Flat {
  if (!isJsonObject(value)) throw new Error(`${file}: expected a mapping at ${prefix || 'the top level'}`);
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isJsonObject(v)) flatten(v, key, out, file);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.set(key, v);
    else throw new Error(`${file}: ${key} has an unsupported value`);
  }
  return out;
}

/** The documented defaults from manifests/values.yaml. A mismatch with RULES is a packaging bug. */
export function defaultValues(): Flat {
  const file = fileURLToPath(VALUES_FILE);
  const flat = flatten(parseYaml(readFileSync(VALUES_FILE, 'utf8')) as unknown, '', new Map(), file);
  const missing = VALUE_KEYS.filter((k) => !flat.has(k));
  const extra = [...flat.keys()].filter((k) => !(k in RULES));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${file} does not match the known values (missing: ${missing.join(', ')}; unknown: ${extra.join(', ')})`,
    );
  }
  return flat;
}

/** A `--set key=value`, already split. */
export interface ValueOverride {
  readonly key: string;
  readonly value: string;
}

/** Parses one `--set` argument. */
export function parseSet(text: string): ValueOverride {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(
      'MESH_BAD_SET',
      `invalid --set "${text}"`,
      'expected key=value, e.g. --set proxy.logLevel=debug',
    );
  }
  return { key: text.slice(0, eq).trim(), value: text.slice(eq + 1) };
}

/** Closest known key by edit distance, for "did you mean". */
function suggest(key: string): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of VALUE_KEYS) {
    const score = distance(key.toLowerCase(), k.toLowerCase());
    if (score < bestScore) [best, bestScore] = [k, score];
  }
  return bestScore <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** Converts `--set` text to the key's type (taken from its default) and checks it against the key's rule. */
function coerce(key: string, text: string, def: Leaf, source: string): Leaf {
  let v: Leaf = text;
  if (typeof def === 'number') {
    v = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  } else if (typeof def === 'boolean') {
    const t = text.trim().toLowerCase();
    v = t === 'true' ? true : t === 'false' ? false : text;
  }
  check(key, v, source, text);
  return v;
}

function check(key: string, v: Leaf, source: string, shown: string = String(v)): void {
  const problem = RULES[key]?.(v);
  if (problem !== undefined) {
    throw new UsageError('MESH_BAD_VALUE', `invalid ${source} ${key}="${shown}": ${problem}`);
  }
}

export interface ResolveValuesInput {
  /** Values set by dedicated flags (`--ha`, `--proxy-image`…), by key; applied before `--set`. */
  readonly flags?: Readonly<Record<string, Leaf | undefined>>;
  readonly sets?: readonly ValueOverride[];
}

/** Defaults, then flags, then `--set` (last one wins); every value validated; `version` filled in. */
export function resolveValues(input: ResolveValuesInput = {}): MeshValues {
  const flat = defaultValues();
  const defaults = new Map(flat);
  // --ha means three replicas unless --set says otherwise (applied after, so it wins).
  if (input.flags?.['ha'] === true) flat.set('controllerReplicas', 3);
  for (const [key, v] of Object.entries(input.flags ?? {})) {
    if (v === undefined) continue;
    if (!(key in RULES)) throw new Error(`unknown value key ${key}`);
    check(key, v, 'flag for');
    flat.set(key, v);
  }
  for (const { key, value } of input.sets ?? []) {
    const def = defaults.get(key);
    if (def === undefined) {
      const hint = suggest(key);
      throw new UsageError(
        'MESH_UNKNOWN_VALUE',
        `unknown key "${key}" in --set${hint ? ` (did you mean "${hint}"?)` : ''}`,
        `known keys: ${VALUE_KEYS.join(', ')}; manifests/values.yaml documents each`,
      );
    }
    flat.set(key, coerce(key, value, def, '--set'));
  }
  const s = (k: string): string => flat.get(k) as string;
  const n = (k: string): number => flat.get(k) as number;
  const res = (prefix: string): ResourceValues => ({
    cpuRequest: s(`${prefix}.cpuRequest`),
    cpuLimit: s(`${prefix}.cpuLimit`),
    memoryRequest: s(`${prefix}.memoryRequest`),
    memoryLimit: s(`${prefix}.memoryLimit`),
  });
  const proxyPorts = ['inboundPort', 'outboundPort', 'adminPort', 'tapPort'].map((k) => n(`proxy.${k}`));
  if (new Set(proxyPorts).size !== proxyPorts.length) {
    throw new UsageError('MESH_BAD_VALUE', `the proxy's ports must differ (got ${proxyPorts.join(', ')})`);
  }
  return {
    controlPlaneNamespace: s('controlPlaneNamespace'),
    clusterDomain: s('clusterDomain'),
    identityTrustDomain: s('identityTrustDomain'),
    controllerImage: s('controllerImage'),
    proxyImage: s('proxyImage'),
    proxyInitImage: s('proxyInitImage'),
    version: s('version') === '' ? VERSION : s('version'),
    imagePullPolicy: s('imagePullPolicy'),
    ha: flat.get('ha') as boolean,
    controllerReplicas: n('controllerReplicas'),
    controllerLogLevel: s('controllerLogLevel'),
    controllerResources: res('controllerResources'),
    identity: {
      issuanceLifetime: s('identity.issuanceLifetime'),
      clockSkewAllowance: s('identity.clockSkewAllowance'),
    },
    proxy: {
      ...res('proxy'),
      uid: n('proxy.uid'),
      logLevel: s('proxy.logLevel'),
      inboundPort: n('proxy.inboundPort'),
      outboundPort: n('proxy.outboundPort'),
      adminPort: n('proxy.adminPort'),
      tapPort: n('proxy.tapPort'),
      opaquePorts: s('proxy.opaquePorts'),
    },
    proxyInit: {
      skipInboundPorts: s('proxyInit.skipInboundPorts'),
      skipOutboundPorts: s('proxyInit.skipOutboundPorts'),
    },
    webhook: { failurePolicy: s('webhook.failurePolicy'), timeoutSeconds: n('webhook.timeoutSeconds') },
  };
}

/**
 * The values an installed control plane was rendered with (the mesh-config ConfigMap's values.yaml), for
 * the injector: every known key is validated as a flag would be; keys this version does not know (from a
 * newer install) are returned so the caller can say so instead of failing.
 */
export function valuesFromInstalled(text: string, source: string): { values: MeshValues; unknown: string[] } {
  const flat = flatten(parseYaml(text) as unknown, '', new Map(), source);
  const flags: Record<string, Leaf> = {};
  const unknown: string[] = [];
  for (const [k, v] of flat) {
    if (k in RULES) flags[k] = v;
    else unknown.push(k);
  }
  return { values: resolveValues({ flags }), unknown };
}
