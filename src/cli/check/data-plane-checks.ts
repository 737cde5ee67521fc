// `check --proxy`: every meshed pod's proxy is ready, runs the CLI's version, trusts the current trust
// anchors and holds a certificate that has not expired. Completed pods (finished Jobs) are skipped — their
// proxies are gone by design — and pods are asked in parallel with a bound, so that large clusters stay
// fast without flooding the API server with port-forwards.
import type { V1Pod } from '@kubernetes/client-node';
import { errorMessage } from '../../common/errors.js';
import { trustRootSha256 } from '../../identity/pki.js';
import { withPortForward } from '../../k8s/client/port-forward.js';
import { TRUST_ROOT_SHA_ANNOTATION } from '../../k8s/annotations.js';
import { PROXY_CONTAINER } from '../../k8s/inject/proxy-env.js';
import { type CheckContext, apiCall, orNotFound } from './context.js';
import { type CategorySpec, CheckProblem } from './model.js';
import { proxyVersion } from './control-plane-checks.js';

const ADMIN_PORT = 4191;
/** At most this many pods are listed in one error; the rest are counted. */
const SHOWN = 10;

function isMeshed(pod: V1Pod): boolean {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some(
    (c) => c.name === PROXY_CONTAINER,
  );
}

const key = (p: V1Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** Meshed pods outside the control plane that are meant to be running (not completed Jobs). */
async function dataPlanePods(ctx: CheckContext, fresh: boolean): Promise<V1Pod[]> {
  return ctx.once(
    'data-plane-pods',
    async () => {
      const ns = ctx.options.namespace;
      const list = await apiCall(
        ns === undefined
          ? ctx.core().listPodForAllNamespaces()
          : ctx.core().listNamespacedPod({ namespace: ns }),
      );
      return list.items.filter(
        (p) =>
          isMeshed(p) &&
          p.metadata?.namespace !== ctx.ns &&
          p.status?.phase !== 'Succeeded' &&
          p.status?.phase !== 'Failed',
      );
    },
    fresh,
  );
}

function summarize(lines: string[]): string {
  return lines.length <= SHOWN
    ? lines.join('\n')
    : [...lines.slice(0, SHOWN), `… and ${lines.length - SHOWN} more`].join('\n');
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

/** The proxy's certificate expiry from its /metrics, in ms since the epoch. */
async function certificateExpiry(address: string): Promise<number> {
  const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`/metrics answered HTTP ${res.status}`);
  const m = /^identity_cert_expiration_timestamp_seconds(?:\{[^}]*\})? (\S+)$/m.exec(await res.text());
  if (!m) throw new Error('the proxy reports no certificate (identity_cert_expiration_timestamp_seconds)');
  return Number(m[1]) * 1000;
}

export const dataPlane: CategorySpec<CheckContext> = {
  name: 'mesh-data-plane',
  checks: [
    {
      description: 'data plane namespace exists',
      hint: 'check the namespace name given with -n',
      fatal: true,
      async run(ctx: CheckContext): Promise<void> {
        const ns = ctx.options.namespace;
        if (ns !== undefined && (await orNotFound(ctx.core().readNamespace({ name: ns }))) === undefined) {
          throw new CheckProblem(`the "${ns}" namespace does not exist`);
        }
      },
    },
    {
      description: 'data plane proxies are ready',
      hint: 'see why: kubectl -n <namespace> logs <pod> -c mesh-proxy',
      retry: true,
      async run(ctx: CheckContext): Promise<void> {
        const bad = (await dataPlanePods(ctx, true)).filter((p) => {
          const s = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].find(
            (c) => c.name === PROXY_CONTAINER,
          );
          return s?.ready !== true;
        });
        if (bad.length > 0) {
          const first = bad[0] as V1Pod;
          throw new CheckProblem(
            summarize(bad.map((p) => `pod ${key(p)}: ${PROXY_CONTAINER} is not ready`)),
            'error',
            `see why: kubectl -n ${first.metadata?.namespace} logs ${first.metadata?.name} -c ${PROXY_CONTAINER}`,
          );
        }
      },
    },
    {
      description: 'data plane is up-to-date',
      hint: 'restart the workloads to get the current proxy: kubectl -n <namespace> rollout restart deploy',
      warningOnly: true,
      async run(ctx: CheckContext): Promise<void> {
        const off = (await dataPlanePods(ctx, false)).filter((p) => proxyVersion(p) !== ctx.version);
        if (off.length > 0) {
          throw new CheckProblem(
            summarize(
              off.map((p) => `pod ${key(p)} runs proxy ${proxyVersion(p) ?? '?'}, cli is ${ctx.version}`),
            ),
          );
        }
      },
    },
    {
      description: 'data plane proxies trust the current trust anchors',
      hint: 'restart these workloads so that their proxies get the current trust anchors: kubectl -n <namespace> rollout restart deploy',
      warningOnly: true,
      async run(ctx: CheckContext): Promise<void> {
        const roots = await orNotFound(
          ctx.core().readNamespacedConfigMap({ name: 'mesh-identity-trust-roots', namespace: ctx.ns }),
        );
        const pem = roots?.data?.['ca.crt'];
        if (pem === undefined)
          throw new CheckProblem(`ConfigMap ${ctx.ns}/mesh-identity-trust-roots not found`);
        const sha = trustRootSha256(pem);
        const stale = (await dataPlanePods(ctx, false)).filter(
          (p) => p.metadata?.annotations?.[TRUST_ROOT_SHA_ANNOTATION] !== sha,
        );
        if (stale.length > 0) {
          throw new CheckProblem(
            summarize(stale.map((p) => `pod ${key(p)} was injected with other trust anchors`)),
          );
        }
      },
    },
    {
      description: 'data plane proxies have a current certificate',
      hint: 'check the identity component (kubectl -n <namespace> logs deploy/mesh-identity -c identity) and the proxy: kubectl logs <pod> -c mesh-proxy',
      retry: true,
      async run(ctx: CheckContext): Promise<void> {
        const pods = await dataPlanePods(ctx, false);
        const now = Date.now();
        const results = await mapLimit(pods, ctx.options.parallelism, async (p) => {
          try {
            const expiry = await withPortForward(
              ctx.access.config,
              p.metadata?.namespace ?? '',
              p.metadata?.name ?? '',
              ADMIN_PORT,
              certificateExpiry,
            );
            return expiry > now
              ? undefined
              : `pod ${key(p)}: certificate expired on ${new Date(expiry).toISOString()}`;
          } catch (err) {
            return `pod ${key(p)}: ${errorMessage(err)}`;
          }
        });
        const bad = results.filter((r): r is string => r !== undefined);
        if (bad.length > 0) throw new CheckProblem(summarize(bad));
      },
    },
  ],
};
