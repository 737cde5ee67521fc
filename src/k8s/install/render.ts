// `meshctl install` and `uninstall`: renders the control plane from the templates in manifests/, meshes
// each component with the shared injection function, and lists the same objects for deletion. The output
// is deterministic for given values and certificates: fixed document order, template key order.
import { type Document, stringify } from 'yaml';
import { CONTROL_PLANE_COMPONENT_LABEL, CONFIG_ANNOTATIONS } from '../annotations.js';
import {
  CONTROL_ADMIN_PORT,
  COMPONENT_PORTS,
  K8S_COMPONENTS,
  type K8sComponent,
  componentName,
} from '../control-plane.js';
import { injectConfig } from '../inject/config.js';
import { injectPod } from '../inject/inject.js';
import { resourceRequirements } from '../inject/sidecar.js';
import { applyPatchToYaml, valueAt } from '../manifests/yaml-patch.js';
import type { JsonObject, PodTemplate } from '../model.js';
import type { MeshValues } from '../values.js';
import type { InstallCertificates } from './certs.js';
import { componentArgs, componentSpec } from './components.js';
import { renderTemplate } from './template.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function commonLabels(values: MeshValues): JsonObject {
  return {
    'app.kubernetes.io/part-of': 'meshctl',
    'app.kubernetes.io/version': values.version,
    'mesh.io/control-plane-ns': values.controlPlaneNamespace,
  };
}

/** The CRDs, printed alone by `install --crds` (they must exist before anything refers to them). */
export function renderCrds(values: MeshValues): Document[] {
  return renderTemplate('crds/serviceprofiles.yaml', { values });
}

function haAffinity(component: K8sComponent): JsonObject {
  const selector = {
    matchExpressions: [{ key: CONTROL_PLANE_COMPONENT_LABEL, operator: 'In', values: [component] }],
  };
  return {
    podAntiAffinity: {
      // Never two replicas on one node; across zones when the cluster has them.
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' },
      ],
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: { labelSelector: selector, topologyKey: 'topology.kubernetes.io/zone' },
        },
      ],
    },
  };
}

/** The install values as text for the mesh-config ConfigMap, in values.yaml's key order. */
function valuesYaml(values: MeshValues): string {
  return stringify(values, { lineWidth: 0 });
}

/** Every control-plane object, in apply order. */
export function renderControlPlane(values: MeshValues, certs: InstallCertificates): Document[] {
  const labels = commonLabels(values);
  const ctx = {
    values,
    labels,
    adminPort: CONTROL_ADMIN_PORT,
    config: { valuesYaml: valuesYaml(values) },
    certs: {
      trustAnchorsPem: certs.trustAnchorsPem,
      issuerCertBase64: b64(certs.issuer.certPem),
      issuerKeyBase64: b64(certs.issuer.keyPem),
      webhookCertBase64: b64(certs.webhook.certPem),
      webhookKeyBase64: b64(certs.webhook.keyPem),
      webhookCaBase64: b64(certs.webhook.caPem),
    },
  };
  const docs: Document[] = [
    ...renderTemplate('control-plane/namespace.yaml', ctx),
    ...renderTemplate('control-plane/rbac.yaml', ctx),
    ...renderTemplate('control-plane/config.yaml', ctx),
    ...renderTemplate('control-plane/identity.yaml', ctx),
  ];
  const inject = injectConfig(values, certs.trustAnchorsPem);
  for (const component of K8S_COMPONENTS) {
    const spec = componentSpec(component, values);
    const selector = { [CONTROL_PLANE_COMPONENT_LABEL]: component };
    const componentCtx = {
      ...ctx,
      component: {
        ...spec,
        name: componentName(component),
        port: COMPONENT_PORTS[component],
        labels: { ...labels, [CONTROL_PLANE_COMPONENT_LABEL]: component },
        selector,
        podLabels: { ...labels, ...selector },
        podAnnotations: {
          // The control plane talks to the Kubernetes API directly, so that reaching it never depends on
          // the proxy and the discovery it is itself serving.
          [CONFIG_ANNOTATIONS.skipOutboundPorts]: '443,6443',
        },
        args: componentArgs(component, values),
        resources: resourceRequirements(values.controllerResources),
        affinity: values.ha ? haAffinity(component) : undefined,
        // With required anti-affinity a surge pod has no node to go to; replace one replica at a time instead.
        strategy: values.ha ? { rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } : undefined,
      },
    };
    const rendered = renderTemplate('control-plane/component.yaml', componentCtx);
    const deployment = rendered.find((d) => d.get('kind') === 'Deployment');
    if (deployment) meshDeployment(deployment, component, values, inject);
    docs.push(...rendered);
    if (values.ha) docs.push(...renderTemplate('control-plane/pdb.yaml', componentCtx));
  }
  docs.push(...renderTemplate('control-plane/webhook.yaml', ctx));
  return docs;
}

/** Gives a component its own proxy, exactly as the webhook would give any workload. */
function meshDeployment(
  doc: Document,
  component: K8sComponent,
  values: MeshValues,
  config: ReturnType<typeof injectConfig>,
): void {
  const path = ['spec', 'template'];
  const pod = valueAt(doc, path) as PodTemplate;
  const result = injectPod(
    pod,
    { kind: 'Deployment', name: componentName(component), namespace: values.controlPlaneNamespace },
    config,
    component === 'identity' ? { identityAddress: `localhost:${COMPONENT_PORTS.identity}` } : {},
  );
  if (result.status === 'skipped') {
    throw new Error(`cannot mesh ${componentName(component)}: ${result.message}`);
  }
  applyPatchToYaml(doc, path, result.patch);
}

/** Joins documents into one YAML stream, one `---` between documents. */
export function renderStream(docs: readonly Document[]): string {
  return docs
    .map((d) => {
      if (d.directives) d.directives.docStart = null;
      return d.toString({ lineWidth: 0, flowCollectionPadding: false });
    })
    .join('---\n');
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

/** Certificates shaped like real ones, for rendering when only the object list matters (uninstall). */
const PLACEHOLDER_CERTS: InstallCertificates = {
  trustAnchorsPem: '',
  issuer: { certPem: '', keyPem: '' },
  webhook: { caPem: '', certPem: '', keyPem: '' },
};

/**
 * Every object `install` (with --ha and --crds) creates, in the order to delete them: the webhook first so
 * no pod creation reaches a dying injector, then the namespaced objects, the cluster roles, the namespace,
 * and the CRDs last.
 */
export function uninstallRefs(values: MeshValues): ObjectRef[] {
  const docs = [...renderControlPlane({ ...values, ha: true }, PLACEHOLDER_CERTS), ...renderCrds(values)];
  const refs = docs.map((d): ObjectRef => {
    const o = d.toJS() as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string };
    };
    return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace };
  });
  const rank = (r: ObjectRef): number => {
    if (r.kind === 'MutatingWebhookConfiguration') return 0;
    if (r.kind === 'CustomResourceDefinition') return 4;
    if (r.kind === 'Namespace') return 3;
    return r.namespace === undefined ? 2 : 1;
  };
  return refs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
}

export function renderUninstall(refs: readonly ObjectRef[]): string {
  return refs
    .map((r) => {
      const metadata: JsonObject = { name: r.name };
      if (r.namespace !== undefined) metadata['namespace'] = r.namespace;
      return stringify({ apiVersion: r.apiVersion, kind: r.kind, metadata });
    })
    .join('---\n');
}
