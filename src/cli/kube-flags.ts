// kubectl's connection and scope flags, for every command that talks to the Kubernetes API: which
// kubeconfig and context, and which namespace (-n) or all of them (-A, which wins over -n, as in kubectl).
import type { Command } from '@commander-js/extra-typings';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
}

export const KUBE_FLAGS_HELP = `
Kubernetes access, as kubectl finds it: --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the
in-cluster ServiceAccount; --context picks a context. With no configuration at all meshctl stops with an
error instead of trying http://localhost:8080.`;

/** Adds --kubeconfig and --context, and with `scope` also -n/--namespace and -A/--all-namespaces. */
export function addKubeFlags<C extends Command>(cmd: C, scope: { namespaceHelp: string } | undefined): C {
  cmd.option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)');
  cmd.option('--context <name>', 'kubeconfig context (default: its current-context)');
  if (scope !== undefined) {
    cmd.option('-n, --namespace <namespace>', scope.namespaceHelp);
    cmd.option('-A, --all-namespaces', 'every namespace (overrides --namespace)');
  }
  return cmd;
}

/** The namespace a scoped command works in: undefined means all of them. */
export function namespaceScope(flags: KubeFlags): string | undefined {
  return flags.allNamespaces ? undefined : flags.namespace;
}
