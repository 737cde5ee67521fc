// The checks of an installed control plane: its objects exist, its pods run and are ready, its components
// answer grpc.health.v1 (reached through port-forwarding), its identity and webhook certificates are
// valid and not about to expire, and it runs the CLI's version.
import type { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { V1Pod } from '@kubernetes/client-node';
import {
  HealthClient,
  HealthCheckResponse_ServingStatus as Serving,
  type HealthCheckResponse,
} from '../../api/gen/health.js';
import { errorMessage } from '../../common/errors.js';
import { parseCertificates } from '../../identity/pki.js';
import { withPortForward } from '../../k8s/client/port-forward.js';
import {
  COMPONENT_PORTS,
  K8S_COMPONENTS,
  type K8sComponent,
  componentName,
} from '../../k8s/control-plane.js';
import { PROXY_CONTAINER } from '../../k8s/inject/proxy-env.js';
import { valuesFromInstalled } from '../../k8s/values.js';
import { type CheckContext, apiCall, orNotFound } from './context.js';
import { type CategorySpec, CheckProblem, type CheckSpec } from './model.js';

const DAY_MS = 86_400_000;
export const EXPIRY_WARNING_DAYS = 60;
const INSTALL_HINT = 'install the control plane: meshctl install | kubectl apply -f -';
const COMPONENT_LABEL = 'mesh.io/control-plane-component';
const WEBHOOK_CONFIG = 'mesh-proxy-injector';
const WEBHOOK_SECRET = 'mesh-injector-k8s-tls';
const GRPC_COMPONENTS: readonly K8sComponent[] = ['destination', 'identity', 'tap', 'metrics'];

const decode = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');

function exists(
  description: string,
  kind: string,
  names: (ctx: CheckContext) => string[],
  read: (ctx: CheckContext, name: string) => Promise<unknown>,
): CheckSpec<CheckContext> {
  return {
    description,
    hint: INSTALL_HINT,
    fatal: true,
    async run(ctx: CheckContext): Promise<void> {
      const missing: string[] = [];
      for (const name of names(ctx))
        if ((await orNotFound(read(ctx, name))) === undefined) missing.push(name);
      if (missing.length > 0) throw new CheckProblem(`missing ${kind}: ${missing.join(', ')}`);
    },
  };
}

const clusterScoped = (ctx: CheckContext): string[] => K8S_COMPONENTS.map((c) => `mesh-${c}-${ctx.ns}`);

export const meshConfig: CategorySpec<CheckContext> = {
  name: 'mesh-config',
  checks: [
    {
      description: 'control plane Namespace exists',
      hint: INSTALL_HINT,
      fatal: true,
      async run(ctx: CheckContext): Promise<void> {
        const ns = await orNotFound(ctx.core().readNamespace({ name: ctx.ns }));
        if (ns === undefined) {
          throw new CheckProblem(
            `the "${ctx.ns}" namespace does not exist`,
            'error',
            `${INSTALL_HINT} (or pass --control-plane-namespace if it was installed elsewhere)`,
          );
        }
      },
    },
    exists('control plane ClusterRoles exist', 'ClusterRoles', clusterScoped, (ctx, name) =>
      ctx.rbac().readClusterRole({ name }),
    ),
    exists('control plane ClusterRoleBindings exist', 'ClusterRoleBindings', clusterScoped, (ctx, name) =>
      ctx.rbac().readClusterRoleBinding({ name }),
    ),
    exists(
      'control plane ServiceAccounts exist',
      'ServiceAccounts',
      () => K8S_COMPONENTS.map(componentName),
      (ctx, name) => ctx.core().readNamespacedServiceAccount({ name, namespace: ctx.ns }),
    ),
    exists(
      'control plane MutatingWebhookConfigurations exist',
      'MutatingWebhookConfigurations',
      () => [WEBHOOK_CONFIG],
      (ctx, name) => ctx.admission().readMutatingWebhookConfiguration({ name }),
    ),
    exists(
      "'mesh-config' config map exists",
      'ConfigMaps',
      () => ['mesh-config'],
      (ctx, name) => ctx.core().readNamespacedConfigMap({ name, namespace: ctx.ns }),
    ),
  ],
};

/** Why a pod is not ready, in one line, or undefined when it is. */
export function podProblem(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name ?? '?';
  const phase = pod.status?.phase;
  if (phase !== 'Running') return `pod ${name} is ${phase ?? 'not yet scheduled'}`;
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []).filter((s) => sidecars.has(s.name)),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    if (s.ready) continue;
    const waiting = s.state?.waiting;
    const why = waiting
      ? `${waiting.reason ?? 'waiting'}${waiting.message ? `: ${waiting.message}` : ''}`
      : 'not ready';
    return `pod ${name}: container ${s.name} is not ready (${why}, ${s.restartCount} restarts)`;
  }
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return `pod ${name} is not ready`;
  return undefined;
}

function componentOf(pod: V1Pod): string {
  return pod.metadata?.labels?.[COMPONENT_LABEL] ?? '';
}

export const meshExistence: CategorySpec<CheckContext> = {
  name: 'mesh-existence',
  checks: [
    {
      description: 'control plane pods are ready',
      hint: 'see why: kubectl -n <namespace> describe pod <pod> and kubectl -n <namespace> logs <pod> --all-containers',
      retry: true,
      async run(ctx: CheckContext): Promise<void> {
        const pods = await apiCall(ctx.controlPlanePods());
        const problems: string[] = [];
        for (const c of K8S_COMPONENTS) {
          const mine = pods.filter((p) => componentOf(p) === c);
          if (mine.length === 0) problems.push(`no ${componentName(c)} pod`);
          else if (mine.every((p) => podProblem(p) !== undefined))
            problems.push(podProblem(mine[0] as V1Pod) as string);
        }
        if (problems.length > 0) {
          const first = pods.find((p) => podProblem(p) !== undefined)?.metadata?.name;
          throw new CheckProblem(
            problems.join('\n'),
            'error',
            first
              ? `see why: kubectl -n ${ctx.ns} describe pod ${first}; kubectl -n ${ctx.ns} logs ${first} --all-containers`
              : `see why: kubectl -n ${ctx.ns} get deploy,rs,pods`,
          );
        }
      },
    },
  ],
};

interface Chain {
  anchors: X509Certificate[];
  issuer: X509Certificate;
}

async function identityChain(ctx: CheckContext): Promise<Chain> {
  return ctx.once('identity-chain', async () => {
    const roots = await orNotFound(
      ctx.core().readNamespacedConfigMap({ name: 'mesh-identity-trust-roots', namespace: ctx.ns }),
    );
    const secret = await orNotFound(
      ctx.core().readNamespacedSecret({ name: 'mesh-identity-issuer', namespace: ctx.ns }),
    );
    if (roots === undefined)
      throw new CheckProblem(`ConfigMap ${ctx.ns}/mesh-identity-trust-roots not found`);
    if (secret === undefined) throw new CheckProblem(`Secret ${ctx.ns}/mesh-identity-issuer not found`);
    const anchors = parseCertificates(roots.data?.['ca.crt'] ?? '', 'mesh-identity-trust-roots ca.crt');
    const issuer = parseCertificates(
      decode(secret.data?.['tls.crt']),
      'mesh-identity-issuer tls.crt',
    )[0] as X509Certificate;
    return { anchors, issuer };
  });
}

const subject = (c: X509Certificate): string => c.subject.replace(/\n/g, ', ');

function withinValidity(cert: X509Certificate, what: string, now: number): void {
  if (now < Date.parse(cert.validFrom)) {
    throw new CheckProblem(
      `${what} "${subject(cert)}" is not valid before ${new Date(cert.validFrom).toISOString()}`,
    );
  }
  if (now > Date.parse(cert.validTo)) {
    throw new CheckProblem(`${what} "${subject(cert)}" expired on ${new Date(cert.validTo).toISOString()}`);
  }
}

function notExpiringSoon(cert: X509Certificate, what: string, now: number): void {
  if (Date.parse(cert.validTo) - now < EXPIRY_WARNING_DAYS * DAY_MS) {
    throw new CheckProblem(
      `${what} "${subject(cert)}" expires on ${new Date(cert.validTo).toISOString()}`,
      'warning',
    );
  }
}

const ROTATE_ISSUER =
  'make a new issuer signed by the trust anchor and replace the mesh-identity-issuer Secret (meshctl install --identity-issuer-certificate-file ...)';
const ROTATE_ANCHORS =
  'create a new trust anchor, add it to mesh-identity-trust-roots next to the old one, then rotate the issuer';

export const meshIdentity: CategorySpec<CheckContext> = {
  name: 'mesh-identity',
  checks: [
    {
      description: 'certificate config is valid',
      hint: 're-create the identity objects: meshctl install | kubectl apply -f -',
      fatal: true,
      async run(ctx: CheckContext): Promise<void> {
        try {
          await identityChain(ctx);
        } catch (err) {
          throw err instanceof CheckProblem ? err : new CheckProblem(errorMessage(err));
        }
      },
    },
    {
      description: 'trust anchors are within their validity period',
      hint: ROTATE_ANCHORS,
      async run(ctx: CheckContext): Promise<void> {
        for (const a of (await identityChain(ctx)).anchors) withinValidity(a, 'trust anchor', Date.now());
      },
    },
    {
      description: `trust anchors are valid for at least ${EXPIRY_WARNING_DAYS} days`,
      hint: ROTATE_ANCHORS,
      warningOnly: true,
      async run(ctx: CheckContext): Promise<void> {
        for (const a of (await identityChain(ctx)).anchors) notExpiringSoon(a, 'trust anchor', Date.now());
      },
    },
    {
      description: 'issuer cert is within its validity period',
      hint: ROTATE_ISSUER,
      async run(ctx: CheckContext): Promise<void> {
        withinValidity((await identityChain(ctx)).issuer, 'issuer certificate', Date.now());
      },
    },
    {
      description: `issuer cert is valid for at least ${EXPIRY_WARNING_DAYS} days`,
      hint: ROTATE_ISSUER,
      warningOnly: true,
      async run(ctx: CheckContext): Promise<void> {
        notExpiringSoon((await identityChain(ctx)).issuer, 'issuer certificate', Date.now());
      },
    },
    {
      description: 'issuer cert is issued by the trust anchor',
      hint: 'the issuer must be signed by a certificate in mesh-identity-trust-roots: put its root there, or re-issue it',
      async run(ctx: CheckContext): Promise<void> {
        const { anchors, issuer } = await identityChain(ctx);
        if (!anchors.some((a) => issuer.checkIssued(a) && issuer.verify(a.publicKey))) {
          throw new CheckProblem(
            `issuer certificate "${subject(issuer)}" is not signed by any trust anchor (issued by "${issuer.issuer.replace(/\n/g, ', ')}")`,
          );
        }
      },
    },
  ],
};

async function webhookCert(ctx: CheckContext): Promise<{ cert: X509Certificate; ca: X509Certificate[] }> {
  return ctx.once('webhook-cert', async () => {
    const secret = await orNotFound(
      ctx.core().readNamespacedSecret({ name: WEBHOOK_SECRET, namespace: ctx.ns }),
    );
    if (secret === undefined) throw new CheckProblem(`Secret ${ctx.ns}/${WEBHOOK_SECRET} not found`);
    const config = await apiCall(ctx.admission().readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG }));
    const bundle = config.webhooks?.[0]?.clientConfig.caBundle;
    const cert = parseCertificates(
      decode(secret.data?.['tls.crt']),
      `${WEBHOOK_SECRET} tls.crt`,
    )[0] as X509Certificate;
    const ca = parseCertificates(decode(bundle), `${WEBHOOK_CONFIG} caBundle`);
    return { cert, ca };
  });
}

const WEBHOOK_HINT =
  "re-create the injector's certificate and caBundle together: meshctl install | kubectl apply -f -, then restart the injector (kubectl -n <namespace> rollout restart deploy/mesh-injector)";

export const meshWebhooks: CategorySpec<CheckContext> = {
  name: 'mesh-webhooks-and-tls',
  checks: [
    {
      description: 'proxy-injector webhook has valid cert',
      hint: WEBHOOK_HINT,
      async run(ctx: CheckContext): Promise<void> {
        let got;
        try {
          got = await webhookCert(ctx);
        } catch (err) {
          throw err instanceof CheckProblem ? err : new CheckProblem(errorMessage(err));
        }
        const { cert, ca } = got;
        withinValidity(cert, 'webhook certificate', Date.now());
        if (!ca.some((c) => cert.checkIssued(c) && cert.verify(c.publicKey))) {
          throw new CheckProblem(
            `webhook certificate "${subject(cert)}" is not signed by the caBundle of ${WEBHOOK_CONFIG}: the API server will refuse the injector's TLS`,
          );
        }
        const dns = `DNS:${componentName('injector')}.${ctx.ns}.svc`;
        if (!(cert.subjectAltName ?? '').split(', ').includes(dns)) {
          throw new CheckProblem(
            `webhook certificate does not name ${dns.slice(4)} (has ${cert.subjectAltName ?? 'no SAN'})`,
          );
        }
      },
    },
    {
      description: `proxy-injector cert is valid for at least ${EXPIRY_WARNING_DAYS} days`,
      hint: WEBHOOK_HINT,
      warningOnly: true,
      async run(ctx: CheckContext): Promise<void> {
        notExpiringSoon((await webhookCert(ctx)).cert, 'webhook certificate', Date.now());
      },
    },
  ],
};

function healthCheck(address: string): Promise<HealthCheckResponse> {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  return new Promise<HealthCheckResponse>((resolve, reject) => {
    client.check({ service: '' }, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res);
    });
  });
}

export const meshComponents: CategorySpec<CheckContext> = {
  name: 'mesh-control-plane-components',
  checks: [
    {
      description: 'control plane components are healthy',
      hint: 'see why: kubectl -n <namespace> logs deploy/mesh-<component> -c <component>',
      retry: true,
      async run(ctx: CheckContext): Promise<void> {
        const pods = await apiCall(ctx.controlPlanePods());
        const problems = await Promise.all(
          GRPC_COMPONENTS.map(async (c) => {
            const pod = pods.find((p) => componentOf(p) === c && podProblem(p) === undefined)?.metadata?.name;
            if (pod === undefined) return `${componentName(c)}: no ready pod`;
            try {
              const res = await withPortForward(
                ctx.access.config,
                ctx.ns,
                pod,
                COMPONENT_PORTS[c],
                healthCheck,
              );
              return res.status === Serving.SERVING
                ? undefined
                : `${componentName(c)} (pod ${pod}): ${Serving[res.status]}`;
            } catch (err) {
              return `${componentName(c)} (pod ${pod}): ${errorMessage(err)}`;
            }
          }),
        );
        const failed = problems.filter((p): p is string => p !== undefined);
        if (failed.length > 0) {
          const c = GRPC_COMPONENTS.find((x) => failed.some((f) => f.startsWith(componentName(x))));
          throw new CheckProblem(
            failed.join('\n'),
            'error',
            c ? `see why: kubectl -n ${ctx.ns} logs deploy/${componentName(c)} -c ${c}` : undefined,
          );
        }
      },
    },
  ],
};

async function installedVersion(ctx: CheckContext): Promise<string> {
  return ctx.once('cp-version', async () => {
    const cm = await orNotFound(
      ctx.core().readNamespacedConfigMap({ name: 'mesh-config', namespace: ctx.ns }),
    );
    const text = cm?.data?.['values.yaml'];
    if (text === undefined) throw new CheckProblem(`ConfigMap ${ctx.ns}/mesh-config has no values.yaml`);
    try {
      return valuesFromInstalled(text, 'mesh-config values.yaml').values.version;
    } catch (err) {
      throw new CheckProblem(errorMessage(err));
    }
  });
}

/** The version a pod's proxy runs: the injection's annotation, else its image tag. */
export function proxyVersion(pod: V1Pod): string | undefined {
  const annotated = pod.metadata?.annotations?.['mesh.io/proxy-version'];
  if (annotated !== undefined) return annotated;
  const proxy = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (c) => c.name === PROXY_CONTAINER,
  );
  return proxy?.image?.split(':').at(-1);
}

export const controlPlaneVersion: CategorySpec<CheckContext> = {
  name: 'control-plane-version',
  checks: [
    {
      description: 'can retrieve the control plane version',
      hint: 're-create the mesh-config ConfigMap: meshctl install | kubectl apply -f -',
      async run(ctx: CheckContext): Promise<void> {
        await installedVersion(ctx);
      },
    },
    {
      description: 'control plane and cli versions match',
      hint: 'upgrade the control plane (meshctl install | kubectl apply -f -) or use the meshctl of its version',
      warningOnly: true,
      async run(ctx: CheckContext): Promise<void> {
        const v = await installedVersion(ctx);
        if (v !== ctx.version)
          throw new CheckProblem(`control plane running ${v} but cli running ${ctx.version}`);
      },
    },
  ],
};

export const controlPlaneProxies: CategorySpec<CheckContext> = {
  name: 'mesh-control-plane-proxy',
  checks: [
    {
      description: 'control plane proxies are healthy',
      hint: 'see why: kubectl -n <namespace> logs <pod> -c mesh-proxy',
      retry: true,
      async run(ctx: CheckContext): Promise<void> {
        const pods = await apiCall(ctx.controlPlanePods());
        const bad = pods.flatMap((p) => {
          const s =
            p.status?.initContainerStatuses?.find((c) => c.name === PROXY_CONTAINER) ??
            p.status?.containerStatuses?.find((c) => c.name === PROXY_CONTAINER);
          return s?.ready === true
            ? []
            : [`pod ${p.metadata?.name}: ${PROXY_CONTAINER} is ${s === undefined ? 'missing' : 'not ready'}`];
        });
        if (bad.length > 0) {
          const pod = /^pod (\S+):/.exec(bad[0] as string)?.[1] ?? '<pod>';
          throw new CheckProblem(
            bad.join('\n'),
            'error',
            `see why: kubectl -n ${ctx.ns} logs ${pod} -c ${PROXY_CONTAINER}`,
          );
        }
      },
    },
    {
      description: 'control plane proxies and cli versions match',
      hint: 'upgrade the control plane: meshctl install | kubectl apply -f -',
      warningOnly: true,
      async run(ctx: CheckContext): Promise<void> {
        const pods = await apiCall(ctx.controlPlanePods());
        const off = pods.filter((p) => proxyVersion(p) !== ctx.version);
        if (off.length > 0) {
          throw new CheckProblem(
            off
              .map(
                (p) => `pod ${p.metadata?.name} runs proxy ${proxyVersion(p) ?? '?'}, cli is ${ctx.version}`,
              )
              .join('\n'),
          );
        }
      },
    },
  ],
};
