// `meshctl inject` / `uninject` over parsed manifests: finds each object, runs the shared pure function on
// its pod template, applies the resulting patch to the YAML in place, and records one report entry per
// object — injected, uninjected or skipped with the reason — so nothing is ever skipped silently.
import type { Document } from 'yaml';
import { INJECT_ANNOTATION, INJECT_ENABLED } from '../annotations.js';
import type { PodTemplate } from '../model.js';
import { findObjects, type ObjectLocation } from '../manifests/objects.js';
import {
  type ManifestFormat,
  type ManifestSource,
  type ParsedManifest,
  joinRendered,
  parseManifest,
  renderManifest,
} from '../manifests/source.js';
import { applyPatchToYaml, valueAt } from '../manifests/yaml-patch.js';
import type { InjectConfig } from './config.js';
import { annotatePod, injectPod, type InjectResult, type SkipReason } from './inject.js';
import { uninjectPod } from './uninject.js';

export type TransformAction =
  | {
      readonly action: 'inject';
      readonly manual: boolean;
      readonly config: InjectConfig;
      readonly defaultNamespace?: string | undefined;
    }
  | { readonly action: 'uninject' };

export interface ReportEntry {
  readonly source: string;
  readonly kind: string;
  readonly name: string;
  readonly outcome: 'injected' | 'uninjected' | 'skipped';
  readonly reason?: SkipReason | 'not-injected' | 'manual-namespace';
  readonly message?: string;
}

export interface TransformResult {
  /** Indexes (1-based) of the documents that were edited. */
  readonly changed: ReadonlySet<number>;
  readonly report: readonly ReportEntry[];
}

export function transformManifest(m: ParsedManifest, action: TransformAction): TransformResult {
  const changed = new Set<number>();
  const report: ReportEntry[] = [];
  for (const d of m.docs) {
    for (const obj of findObjects(d, m.source.name)) {
      const entry = (outcome: ReportEntry['outcome'], extra: Partial<ReportEntry> = {}): void => {
        report.push({ source: m.source.name, kind: obj.kind, name: obj.name, outcome, ...extra });
      };
      if (obj.kind === 'Namespace') {
        const result = transformNamespace(obj, d.doc, action);
        if (result.patched) changed.add(d.index);
        entry(
          result.outcome,
          result.outcome === 'skipped' ? { reason: result.reason, message: result.message } : {},
        );
        continue;
      }
      if (obj.templatePath === undefined) {
        entry('skipped', { reason: 'unsupported-kind', message: 'this resource kind is unsupported' });
        continue;
      }
      const pod = (valueAt(d.doc, obj.templatePath) ?? {}) as PodTemplate;
      if (action.action === 'uninject') {
        const result = uninjectPod(pod);
        if (!result.changed) {
          entry('skipped', { reason: 'not-injected', message: 'not injected' });
          continue;
        }
        applyPatchToYaml(d.doc, obj.templatePath, result.patch);
        changed.add(d.index);
        entry('uninjected');
        continue;
      }
      const workload = {
        kind: obj.kind,
        name: obj.name,
        namespace: obj.namespace ?? action.defaultNamespace,
      };
      const result: InjectResult = action.manual
        ? injectPod(pod, workload, action.config)
        : annotatePod(pod, workload, action.config);
      if (result.status === 'skipped') {
        entry('skipped', { reason: result.reason, message: result.message });
        continue;
      }
      if (result.patch.length > 0) {
        applyPatchToYaml(d.doc, obj.templatePath, result.patch);
        changed.add(d.index);
      }
      entry('injected');
    }
  }
  return { changed, report };
}

type NamespaceOutcome =
  | { patched: boolean; outcome: 'injected' | 'uninjected' }
  | { patched: false; outcome: 'skipped'; reason: ReportEntry['reason']; message: string };

/** A Namespace opts all its pods in: inject annotates it, uninject takes the annotation away. */
function transformNamespace(obj: ObjectLocation, doc: Document, action: TransformAction): NamespaceOutcome {
  const annotationsPath = [...obj.path, 'metadata', 'annotations'];
  const current = valueAt(doc, [...annotationsPath, INJECT_ANNOTATION]);
  if (action.action === 'uninject') {
    if (current !== INJECT_ENABLED)
      return { patched: false, outcome: 'skipped', reason: 'not-injected', message: 'not injected' };
    const pod = { metadata: (valueAt(doc, [...obj.path, 'metadata']) ?? {}) as PodTemplate['metadata'] };
    applyPatchToYaml(doc, obj.path, uninjectPod(pod).patch);
    return { patched: true, outcome: 'uninjected' };
  }
  if (action.manual) {
    return {
      patched: false,
      outcome: 'skipped',
      reason: 'manual-namespace',
      message: 'a namespace has no pods to inject; run without --manual to annotate it for the webhook',
    };
  }
  if (obj.name === 'kube-system' || obj.name === action.config.values.controlPlaneNamespace) {
    return {
      patched: false,
      outcome: 'skipped',
      reason: obj.name === 'kube-system' ? 'kube-system' : 'control-plane-namespace',
      message: `namespace "${obj.name}" is never injected`,
    };
  }
  if (current === INJECT_ENABLED) return { patched: false, outcome: 'injected' };
  const metadata = valueAt(doc, [...obj.path, 'metadata']);
  const result = annotatePod(
    { metadata: metadata as PodTemplate['metadata'], spec: {} },
    { kind: 'Namespace', name: obj.name },
    action.config,
  );
  if (result.status === 'skipped')
    return { patched: false, outcome: 'skipped', reason: result.reason, message: result.message };
  applyPatchToYaml(doc, obj.path, result.patch);
  return { patched: true, outcome: 'injected' };
}

/** Linkerd-style lines for stderr: `deployment "web" injected`, `service "web" skipped: …`. */
export function renderReport(entries: readonly ReportEntry[]): string {
  return entries
    .map((e) => {
      const what = `${(e.kind || 'object').toLowerCase()} "${e.name}"`;
      return e.outcome === 'skipped'
        ? `${what} skipped: ${e.message ?? e.reason ?? ''}`
        : `${what} ${e.outcome}`;
    })
    .map((line) => line + '\n')
    .join('');
}

export interface ManifestsOutput {
  /** The manifests, for stdout. */
  readonly stdout: string;
  /** The per-object report, for stderr. */
  readonly report: string;
  readonly entries: readonly ReportEntry[];
}

/**
 * The whole of `inject`/`uninject` after reading: parses every source first (so bad input fails before
 * anything is printed), transforms, and renders in `format`, or JSON when every input was JSON.
 */
export function processManifests(
  sources: readonly ManifestSource[],
  action: TransformAction,
  format?: ManifestFormat,
): ManifestsOutput {
  const parsed = sources.map(parseManifest);
  const out = format ?? (parsed.length > 0 && parsed.every((m) => m.format === 'json') ? 'json' : 'yaml');
  const parts: string[] = [];
  const entries: ReportEntry[] = [];
  for (const m of parsed) {
    const result = transformManifest(m, action);
    parts.push(renderManifest(m, result.changed, out));
    entries.push(...result.report);
  }
  const report = entries.length > 0 ? '\n' + renderReport(entries) : '';
  return { stdout: joinRendered(parts, out), report, entries };
}
