// `meshctl inject` and `meshctl uninject`: read manifests (files, directories, stdin; YAML or JSON), add or
// remove the mesh, print them back with everything else untouched, and report each object on stderr.
import { Option, type Command } from '@commander-js/extra-typings';
import type { TransformAction } from '../../k8s/inject/transform.js';
import { writeOut } from '../output.js';
import { VALUE_KEYS_HELP, addValueFlags, valuesFromFlags, type ValueFlags } from './value-flags.js';

interface InjectFlags extends ValueFlags {
  manual?: boolean;
  namespace?: string;
  output?: 'json' | 'yaml';
  identityTrustAnchorsFile?: string;
}

const outputOption = (): Option =>
  new Option('-o, --output <format>', 'output format (default: the format of the input)').choices([
    'json',
    'yaml',
  ]);

export function registerInject(program: Command): void {
  const inject = program
    .command('inject')
    .description('add the mesh to Kubernetes workloads in YAML or JSON manifests (prints them back)')
    .argument('<inputs...>', 'files, directories (their .yaml/.yml/.json files) or - for standard input')
    .option(
      '--manual',
      'add the proxy and proxy-init containers directly instead of the mesh.io/inject annotation',
    )
    .option(
      '-n, --namespace <namespace>',
      'namespace of objects that do not name one (for the namespace checks)',
    )
    .addOption(outputOption())
    .option(
      '--identity-trust-anchors-file <file>',
      'with --manual: PEM trust anchors given to the proxies (the webhook takes them from the cluster)',
    );
  addValueFlags(inject, { controller: false });
  inject
    .addHelpText(
      'after',
      `
By default each pod template gets the annotation mesh.io/inject: enabled and the injector webhook adds the
proxy when pods are created. With --manual the proxy (a native sidecar), proxy-init and their volumes are
added to the manifest exactly as the webhook would add them.

Workloads: Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Pod,
inside a List too; a Namespace is annotated so all its pods are injected. Other kinds pass through.
Skipped, with the reason on stderr: hostNetwork pods, pods already injected, kube-system and the control
plane's namespace, pods annotated mesh.io/inject: disabled, unsupported kinds, invalid annotations.
Per workload (pod template annotations): config.mesh.io/skip-inbound-ports, skip-outbound-ports,
opaque-ports, proxy-cpu-request, proxy-cpu-limit, proxy-memory-request, proxy-memory-limit, proxy-log-level.

Examples:
  meshctl inject deploy.yaml | kubectl apply -f -
  kubectl get deploy -n shop -o yaml | meshctl inject - | kubectl apply -f -
  meshctl inject --manual --identity-trust-anchors-file ca.crt k8s/ > injected.yaml
  meshctl inject -o json deploy.yaml

Values for --set (documented in manifests/values.yaml):
${VALUE_KEYS_HELP}`,
    )
    .action(async (inputs, _opts, command) => {
      await run(inputs, command.opts(), 'inject');
    });

  program
    .command('uninject')
    .description('remove the mesh (proxy, proxy-init, annotations) from Kubernetes manifests')
    .argument('<inputs...>', 'files, directories (their .yaml/.yml/.json files) or - for standard input')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Reverses both forms of inject: removes the mesh-proxy and mesh-init containers and their volumes, the
labels and annotations injection added, and mesh.io/inject: enabled. config.mesh.io/* annotations and
mesh.io/inject: disabled are yours and stay.

Examples:
  meshctl uninject injected.yaml > plain.yaml
  kubectl get deploy web -o yaml | meshctl uninject - | kubectl apply -f -
`,
    )
    .action(async (inputs, _opts, command) => {
      await run(inputs, command.opts(), 'uninject');
    });
}

async function run(inputs: string[], opts: InjectFlags, action: 'inject' | 'uninject'): Promise<void> {
  const { readSources } = await import('../../k8s/manifests/source.js');
  const { processManifests } = await import('../../k8s/inject/transform.js');
  let transformAction: TransformAction = { action: 'uninject' };
  if (action === 'inject') {
    const { resolveValues, parseSet } = await import('../../k8s/values.js');
    const { injectConfig } = await import('../../k8s/inject/config.js');
    const values = resolveValues({ flags: valuesFromFlags(opts), sets: (opts.set ?? []).map(parseSet) });
    let anchors: string | undefined;
    if (opts.identityTrustAnchorsFile !== undefined) {
      const { readTextFile } = await import('../../k8s/install/certs.js');
      const { parseCertificates } = await import('../../identity/pki.js');
      anchors = readTextFile(opts.identityTrustAnchorsFile, '--identity-trust-anchors-file');
      parseCertificates(anchors, opts.identityTrustAnchorsFile);
    } else if (opts.manual) {
      process.stderr.write(
        'warning: no --identity-trust-anchors-file: the injected proxies get no trust anchors and cannot verify mTLS peers\n',
      );
    }
    transformAction = {
      action: 'inject',
      manual: opts.manual === true,
      config: injectConfig(values, anchors),
      defaultNamespace: opts.namespace,
    };
  }
  const sources = await readSources(inputs, process.stdin);
  const { stdout, report } = processManifests(sources, transformAction, opts.output);
  writeOut(stdout);
  process.stderr.write(report);
}
