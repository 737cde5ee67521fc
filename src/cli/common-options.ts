// The flags every command that questions the mesh shares, kubectl-style, declared once so that their
// names, defaults and help read the same everywhere (and so that `top` can reuse them).
import { Option } from '@commander-js/extra-typings';
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
    'kubeconfig context (accepted; used once the Kubernetes back end lands)',
  );
}

export function kubeconfigOption(): Flag<'--kubeconfig <file>'> {
  return new Option(
    '--kubeconfig <file>',
    'kubeconfig file (accepted; used once the Kubernetes back end lands)',
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
--context and --kubeconfig are accepted so scripts can pass them already; with the local (embedded)
mesh they change nothing, and the Kubernetes back end will use them to find the control plane.`;

/** Says on stderr that the Kubernetes flags were taken but change nothing yet, rather than pretend. */
export function noteKubeFlags(opts: { context?: string | undefined; kubeconfig?: string | undefined }): void {
  const given = [opts.context !== undefined && '--context', opts.kubeconfig !== undefined && '--kubeconfig'];
  for (const flag of given) {
    if (flag)
      process.stderr.write(`note: ${flag} has no effect with the local mesh (it is for Kubernetes)\n`);
  }
}
