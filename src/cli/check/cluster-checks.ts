// The checks that need no control plane: can we reach the Kubernetes API at all (and not by the silent
// localhost:8080 fallback), is it new enough, and — before an install — may we create what install makes.
import { errorMessage } from '../../common/errors.js';
import { loadKube } from '../../k8s/client/kubeconfig.js';
import { apiErrorMessage } from '../../k8s/client/api-error.js';
import { type CheckContext, apiCall, orNotFound } from './context.js';
import { type CategorySpec, CheckProblem } from './model.js';

/** Injected proxies are native sidecars (init containers with restartPolicy: Always): on by default since 1.29. */
export const MIN_KUBERNETES = { major: 1, minor: 29 };

export const kubernetesApi: CategorySpec<CheckContext> = {
  name: 'kubernetes-api',
  checks: [
    {
      description: 'can initialize the client',
      hint: "point --kubeconfig (or $KUBECONFIG) at your cluster's kubeconfig and pick a context with --context",
      fatal: true,
      async run(ctx: CheckContext): Promise<void> {
        try {
          ctx.kube = loadKube(ctx.options, ctx.env);
        } catch (err) {
          const hint =
            err instanceof Error && 'hint' in err && typeof err.hint === 'string' ? err.hint : undefined;
          throw new CheckProblem(errorMessage(err), 'error', hint);
        }
      },
    },
    {
      description: 'can query the Kubernetes API',
      hint: 'check that the API server of the current context is reachable and your credentials are valid (kubectl version)',
      fatal: true,
      retry: true,
      async run(ctx: CheckContext): Promise<void> {
        try {
          await ctx.once('version', () => ctx.versionApi().getCode(), true);
        } catch (err) {
          throw new CheckProblem(`${ctx.access.server}: ${apiErrorMessage(err)}`);
        }
      },
    },
  ],
};

export const kubernetesVersion: CategorySpec<CheckContext> = {
  name: 'kubernetes-version',
  checks: [
    {
      description: 'is running the minimum Kubernetes API version',
      hint: `upgrade the cluster to Kubernetes ${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor} or later (native sidecars)`,
      async run(ctx: CheckContext): Promise<void> {
        const v = await ctx.once('version', () => ctx.versionApi().getCode());
        const major = Number.parseInt(v.major, 10);
        const minor = Number.parseInt(v.minor, 10);
        if (
          !Number.isFinite(major) ||
          !Number.isFinite(minor) ||
          major < MIN_KUBERNETES.major ||
          (major === MIN_KUBERNETES.major && minor < MIN_KUBERNETES.minor)
        ) {
          throw new CheckProblem(
            `Kubernetes is on version ${v.gitVersion}, but the mesh needs ${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor}.0 or later`,
          );
        }
      },
    },
  ],
};

async function canI(
  ctx: CheckContext,
  verb: string,
  group: string,
  resource: string,
  namespace?: string,
): Promise<string | undefined> {
  const review = await apiCall(
    ctx.authorization().createSelfSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) } },
      },
    }),
  );
  if (review.status?.allowed === true) return undefined;
  const what = group ? `${resource}.${group}` : resource;
  return `cannot ${verb} ${what}${namespace ? ` in namespace "${namespace}"` : ''}${review.status?.reason ? ` (${review.status.reason})` : ''}`;
}

function canCreate(description: string, resources: [group: string, resource: string][], namespaced: boolean) {
  return {
    description,
    hint: `ask a cluster administrator for permission (kubectl auth can-i create ${resources.map(([g, r]) => (g ? `${r}.${g}` : r)).join(', ')})`,
    async run(ctx: CheckContext): Promise<void> {
      const problems = (
        await Promise.all(
          resources.map(([g, r]) => canI(ctx, 'create', g, r, namespaced ? ctx.ns : undefined)),
        )
      ).filter((p): p is string => p !== undefined);
      if (problems.length > 0) throw new CheckProblem(problems.join('\n'));
    },
  };
}

export const preKubernetesSetup: CategorySpec<CheckContext> = {
  name: 'pre-kubernetes-setup',
  checks: [
    {
      description: 'control plane namespace does not already exist',
      hint: 'the mesh is already installed there: run `meshctl check` without --pre, or choose --control-plane-namespace',
      async run(ctx: CheckContext): Promise<void> {
        const ns = await orNotFound(ctx.core().readNamespace({ name: ctx.ns }));
        if (ns !== undefined) throw new CheckProblem(`the "${ctx.ns}" namespace already exists`);
      },
    },
    canCreate(
      'can create non-namespaced resources',
      [
        ['', 'namespaces'],
        ['rbac.authorization.k8s.io', 'clusterroles'],
        ['rbac.authorization.k8s.io', 'clusterrolebindings'],
        ['admissionregistration.k8s.io', 'mutatingwebhookconfigurations'],
      ],
      false,
    ),
    canCreate('can create ServiceAccounts', [['', 'serviceaccounts']], true),
    canCreate('can create Services', [['', 'services']], true),
    canCreate('can create Deployments', [['apps', 'deployments']], true),
    canCreate('can create ConfigMaps', [['', 'configmaps']], true),
    canCreate('can create Secrets', [['', 'secrets']], true),
    {
      description: 'can read Secrets',
      hint: 'ask a cluster administrator for permission (kubectl auth can-i get secrets)',
      async run(ctx: CheckContext): Promise<void> {
        const problem = await canI(ctx, 'get', '', 'secrets', ctx.ns);
        if (problem !== undefined) throw new CheckProblem(problem);
      },
    },
  ],
};
