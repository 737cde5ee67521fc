// Flags shared by `install` and `inject`, each a shortcut for one install value (manifests/values.yaml), so
// that `inject --manual` given the same flags injects exactly what the installed webhook would.
import { Option } from '@commander-js/extra-typings';

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export interface ValueFlags {
  controlPlaneNamespace?: string;
  clusterDomain?: string;
  identityTrustDomain?: string;
  controllerImage?: string;
  proxyImage?: string;
  proxyInitImage?: string;
  version?: string;
  ha?: boolean;
  set?: string[];
}

interface OptionTarget {
  addOption(option: Option): unknown;
}

/** Adds the value flags; `install` also gets --controller-image, which inject has no use for. */
export function addValueFlags(cmd: OptionTarget, { controller }: { controller: boolean }): void {
  const options = [
    new Option('--control-plane-namespace <namespace>', 'namespace of the control plane (default: mesh)'),
    new Option('--cluster-domain <domain>', "the cluster's DNS domain (default: cluster.local)"),
    new Option(
      '--identity-trust-domain <domain>',
      'trust domain of workload identities (default: cluster.local)',
    ),
    ...(controller
      ? [new Option('--controller-image <repository>', 'control-plane image repository, without tag')]
      : []),
    new Option('--proxy-image <repository>', 'proxy image repository, without tag'),
    new Option('--proxy-init-image <repository>', 'proxy-init image repository, without tag'),
    new Option('--version <tag>', "image tag of every image (default: this meshctl's version)"),
    new Option(
      '--set <key=value>',
      'override an install value (repeatable; keys in manifests/values.yaml)',
    ).argParser(collect),
  ];
  for (const o of options) cmd.addOption(o);
}

/** The install values the flags set; undefined ones leave the default in place. */
export function valuesFromFlags(opts: ValueFlags): Record<string, string | boolean | undefined> {
  return {
    controlPlaneNamespace: opts.controlPlaneNamespace,
    clusterDomain: opts.clusterDomain,
    identityTrustDomain: opts.identityTrustDomain,
    controllerImage: opts.controllerImage,
    proxyImage: opts.proxyImage,
    proxyInitImage: opts.proxyInitImage,
    version: opts.version,
    ha: opts.ha ? true : undefined,
  };
}

export const VALUE_KEYS_HELP = [
  'controlPlaneNamespace, clusterDomain, identityTrustDomain',
  'controllerImage, proxyImage, proxyInitImage, version, imagePullPolicy',
  'ha, controllerReplicas, controllerLogLevel',
  'controllerResources.{cpuRequest,cpuLimit,memoryRequest,memoryLimit}',
  'identity.{issuanceLifetime,clockSkewAllowance}',
  'proxy.{uid,logLevel,inboundPort,outboundPort,adminPort,tapPort,opaquePorts}',
  'proxy.{cpuRequest,cpuLimit,memoryRequest,memoryLimit}',
  'proxyInit.{skipInboundPorts,skipOutboundPorts}',
  'webhook.{failurePolicy,timeoutSeconds}',
]
  .map((line) => `  ${line}\n`)
  .join('');
