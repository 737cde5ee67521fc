// Where the Kubernetes API is and who we are to it: --kubeconfig / --context / $KUBECONFIG / ~/.kube/config,
// or the in-cluster ServiceAccount. Unlike client-node's loadFromDefault(), it never falls back silently to
// http://localhost:8080 when nothing is configured: that "works" until the first request, then fails with a
// confusing connection error (or, worse, talks to whatever listens there).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { MeshError, errorMessage } from '../../common/errors.js';

/** The in-cluster ServiceAccount mount, as client-node's loadFromCluster() reads it. */
const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export const KUBE_ERRORS = {
  noConfig: 'MESH_K8S_NO_CONFIG',
  badConfig: 'MESH_K8S_BAD_CONFIG',
  noContext: 'MESH_K8S_NO_CONTEXT',
  localhostFallback: 'MESH_K8S_LOCALHOST_FALLBACK',
} as const;

export interface KubeOptions {
  /** --kubeconfig: one file, used alone (like kubectl's flag, it is not merged with $KUBECONFIG). */
  readonly kubeconfig?: string | undefined;
  /** --context: a context name from the kubeconfig; default its current-context. */
  readonly context?: string | undefined;
}

export interface KubeAccess {
  readonly config: KubeConfig;
  /** Where it came from, for messages: a file path, `$KUBECONFIG`, or `in-cluster`. */
  readonly source: string;
  readonly context: string;
  readonly server: string;
  /** The context's namespace, else `default` (kubectl's rule for a missing -n). */
  readonly namespace: string;
}

/**
 * Loads a kubeconfig the way kubectl finds one, with three differences that make failures explicit: a
 * missing configuration, an unknown context and a context without a cluster are errors with a hint, and a
 * configuration pointing at client-node's own fallback (http://localhost:8080) is refused.
 */
export function loadKube(options: KubeOptions = {}, env: NodeJS.ProcessEnv = process.env): KubeAccess {
  const kc = new KubeConfig();
  let source: string;
  const home = env['HOME'] || os.homedir();
  const homeConfig = home ? path.join(home, '.kube', 'config') : undefined;
  try {
    if (options.kubeconfig !== undefined && options.kubeconfig !== '') {
      if (!existsSync(options.kubeconfig)) {
        throw new MeshError(
          KUBE_ERRORS.noConfig,
          `kubeconfig ${options.kubeconfig} does not exist`,
          'pass the path of an existing kubeconfig file with --kubeconfig',
        );
      }
      kc.loadFromFile(options.kubeconfig);
      source = options.kubeconfig;
    } else if (env['KUBECONFIG'] !== undefined && env['KUBECONFIG'] !== '') {
      const files = env['KUBECONFIG'].split(path.delimiter).filter((f) => f !== '');
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length === files.length) {
        throw new MeshError(
          KUBE_ERRORS.noConfig,
          `no file named in $KUBECONFIG exists (${files.join(path.delimiter)})`,
          'fix $KUBECONFIG or pass --kubeconfig FILE',
        );
      }
      // loadFromDefault merges every $KUBECONFIG file as kubectl does; it only falls back when $KUBECONFIG is unset.
      kc.loadFromDefault();
      source = '$KUBECONFIG';
    } else if (homeConfig !== undefined && existsSync(homeConfig)) {
      kc.loadFromFile(homeConfig);
      source = homeConfig;
    } else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(IN_CLUSTER_TOKEN)) {
      kc.loadFromCluster();
      source = 'in-cluster';
    } else {
      throw new MeshError(
        KUBE_ERRORS.noConfig,
        'no Kubernetes configuration found: no --kubeconfig, no $KUBECONFIG, no ~/.kube/config, and not running in a cluster',
        "point --kubeconfig (or $KUBECONFIG) at your cluster's kubeconfig; meshctl does not guess http://localhost:8080",
      );
    }
  } catch (err) {
    if (err instanceof MeshError) throw err;
    throw new MeshError(
      KUBE_ERRORS.badConfig,
      `cannot read the Kubernetes configuration: ${errorMessage(err)}`,
      'check the kubeconfig file (kubectl config view)',
    );
  }
  if (options.context !== undefined && options.context !== '') {
    if (kc.getContextObject(options.context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw new MeshError(
        KUBE_ERRORS.noContext,
        `context "${options.context}" is not in ${source}`,
        known.length > 0 ? `known contexts: ${known.join(', ')}` : 'the kubeconfig defines no contexts',
      );
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getCurrentContext();
  const ctx = kc.getContextObject(context);
  const cluster = kc.getCurrentCluster();
  if (ctx === null || cluster === null || !cluster.server) {
    throw new MeshError(
      KUBE_ERRORS.noContext,
      context
        ? `context "${context}" in ${source} names no cluster with a server`
        : `${source} has no current-context`,
      'choose one with --context NAME (kubectl config get-contexts lists them)',
    );
  }
  if (/^https?:\/\/(localhost|127\.0\.0\.1):8080\/?$/.test(cluster.server) && source !== 'in-cluster') {
    throw new MeshError(
      KUBE_ERRORS.localhostFallback,
      `${source} points at ${cluster.server}, the insecure default of clients without a configuration`,
      "this is almost never a real cluster: point --kubeconfig at your cluster's kubeconfig",
    );
  }
  return {
    config: kc,
    source,
    context,
    server: cluster.server,
    namespace: ctx.namespace ?? 'default',
  };
}
