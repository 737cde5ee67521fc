// The flags every command that questions the mesh shares, kubectl-style, declared once so that their
// names, defaults and help read the same everywhere (and so that `top` can reuse them).
import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { UsageError } from '../common/errors.js';
import { parseDuration } from '../common/duration.js';
import { DEFAULT_CONTROL_PLANE } from '../control/config.js';

export const DEFAULT_NAMESPACE = 'default';

export const CONTROL_PLANE_ENV = 'MESHCTL_CONTROL_PLANE';

/** For --help: where commands look for the control plane, in order. */
export const CONTROL_PLANE_HELP = `The control plane is found at, in order: --control-plane ADDR, $${CONTROL_PLANE_ENV}, the running
\`meshctl demo\` (recorded in $MESHCTL_HOME/control-plane.json), then ${DEFAULT_CONTROL_PLANE}.`;

type Flag<Usage extends string> = Option<Usage, undefined, undefined, undefined, false, undefined>;

export function namespaceOption(): Flag<'-n, --namespace <ns>'> {
  return new Option(
    '-n, --namespace <ns>',
    `namespace of the resources (default: "demo" while a local demo is the control plane, else "${DEFAULT_NAMESPACE}")`,
  );
}

export function allNamespacesOption(): Flag<'-A, --all-namespaces'> {
  return new Option('-A, --all-namespaces', 'every namespace (ignores --namespace)');
}

export function controlPlaneOption(): Flag<'--control-plane <addr>'> {
  return new Option('--control-plane <addr>', "the control plane's gRPC address (see below)");
}

export function contextOption(): Flag<'--context <name>'> {
  return new Option(
    '--context <name>',
    "ask the control plane installed in this kubeconfig context's cluster",
  );
}

export function kubeconfigOption(): Flag<'--kubeconfig <file>'> {
  return new Option(
    '--kubeconfig <file>',
    'ask the control plane installed in the cluster of this kubeconfig',
  );
}

export const DEFAULT_CONTROL_PLANE_NAMESPACE = 'mesh';

export function controlPlaneNamespaceOption(): Flag<'--control-plane-namespace <ns>'> {
  return new Option(
    '--control-plane-namespace <ns>',
    `with --context/--kubeconfig: where the control plane is installed (default "${DEFAULT_CONTROL_PLANE_NAMESPACE}")`,
  );
}

/** Min and max of Linkerd's and our metrics windows. */
export const MIN_WINDOW_MS = 10_000;
export const MAX_WINDOW_MS = 3_600_000;

export function parseWindow(text: string): number {
  const ms = parseDuration(text, '--time-window');
  if (ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS) {
    throw new UsageError('MESH_BAD_WINDOW', `invalid --time-window "${text}": expected 10s to 1h`);
  }
  return ms;
}

export function timeWindowOption(): Option<
  '-t, --time-window <duration>',
  undefined,
  60000,
  number,
  false,
  undefined
> {
  return new Option('-t, --time-window <duration>', 'window the numbers are computed over (10s to 1h)')
    .default(60_000, '1m')
    .argParser(parseWindow);
}

/** Help text shared by every command that talks to the control plane. */
export const SHARED_HELP = `${CONTROL_PLANE_HELP}
With --context or --kubeconfig, the command asks the control plane installed in that cluster instead
(namespace --control-plane-namespace, default "${DEFAULT_CONTROL_PLANE_NAMESPACE}"), port-forwarding to its pods as kubectl
port-forward does; -n then defaults to the context's namespace.`;

/**
 * The flags that choose the control plane — --control-plane, or a cluster's with --context/--kubeconfig and
 * --control-plane-namespace — added to a command in the same order everywhere.
 */
// The return type is the chain's, computed by commander's typings (every option typed for .action); it cannot be
// written out more precisely than that.
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types
export function addControlPlaneOptions<
  Args extends unknown[],
  Opts extends OptionValues,
  GlobalOpts extends OptionValues,
>(cmd: Command<Args, Opts, GlobalOpts>) {
  return cmd
    .addOption(controlPlaneOption())
    .addOption(contextOption())
    .addOption(kubeconfigOption())
    .addOption(controlPlaneNamespaceOption());
}
