// `meshctl install` and `meshctl uninstall`: print the control plane's manifest, or the list of its objects
// to delete, for `kubectl apply -f -` / `kubectl delete -f -`. Neither contacts a cluster.
import type { Command } from '@commander-js/extra-typings';
import { writeOut } from '../output.js';
import { VALUE_KEYS_HELP, addValueFlags, collect, valuesFromFlags, type ValueFlags } from './value-flags.js';

interface InstallFlags extends ValueFlags {
  crds?: boolean;
  identityTrustAnchorsFile?: string;
  identityIssuerCertificateFile?: string;
  identityIssuerKeyFile?: string;
}

export function registerInstall(program: Command): void {
  const install = program
    .command('install')
    .description('print the control plane manifest for Kubernetes (pipe it into kubectl apply -f -)')
    .option('--crds', 'print only the CustomResourceDefinitions (service profiles); apply them first')
    .option('--ha', 'high availability: 3 replicas per component, anti-affinity, disruption budgets')
    .option(
      '--identity-trust-anchors-file <file>',
      'PEM trust anchors (root certificates) instead of a fresh root',
    )
    .option(
      '--identity-issuer-certificate-file <file>',
      'PEM issuer certificate, signed by one of the trust anchors',
    )
    .option('--identity-issuer-key-file <file>', 'PEM private key (ECDSA P-256) of the issuer certificate');
  addValueFlags(install, { controller: true });
  install
    .addHelpText(
      'after',
      `
Without the identity files a fresh trust anchor (10 years) and issuer (1 year) are made; the anchor's
private key is not kept, so bring your own root (all three files) to be able to rotate issuers later.
The output is deterministic for given values: only certificate bytes differ between runs.

Examples:
  meshctl install --crds | kubectl apply -f -
  meshctl install | kubectl apply -f -
  meshctl install --ha --set proxy.logLevel=debug > mesh.yaml
  meshctl install --identity-trust-anchors-file ca.crt \\
    --identity-issuer-certificate-file issuer.crt --identity-issuer-key-file issuer.key

Values for --set (documented in manifests/values.yaml):
${VALUE_KEYS_HELP}`,
    )
    .action(async (_opts, command) => {
      const opts = command.opts() as InstallFlags;
      const { resolveValues, parseSet } = await import('../../k8s/values.js');
      const values = resolveValues({ flags: valuesFromFlags(opts), sets: (opts.set ?? []).map(parseSet) });
      const render = await import('../../k8s/install/render.js');
      if (opts.crds) {
        writeOut(render.renderStream(render.renderCrds(values)));
        return;
      }
      const { installCertificates } = await import('../../k8s/install/certs.js');
      const { certs, warnings } = await installCertificates(values, {
        trustAnchorsFile: opts.identityTrustAnchorsFile,
        issuerCertificateFile: opts.identityIssuerCertificateFile,
        issuerKeyFile: opts.identityIssuerKeyFile,
      });
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      writeOut(render.renderStream(render.renderControlPlane(values, certs)));
      process.stderr.write(
        'To use service profiles, apply the CRDs first: meshctl install --crds | kubectl apply -f -\n',
      );
    });

  program
    .command('uninstall')
    .description('print every control-plane object for kubectl delete -f - (does not contact the cluster)')
    .option(
      '--control-plane-namespace <namespace>',
      'namespace the control plane was installed in (default: mesh)',
    )
    .option('--set <key=value>', 'install value, as given to install (repeatable)', collect)
    .addHelpText(
      'after',
      `
The list includes the objects of --ha and the ServiceProfile CRD (deleting it deletes every profile), so
objects that were never created are expected to be missing.

Examples:
  meshctl uninstall | kubectl delete --ignore-not-found -f -
  meshctl uninstall --control-plane-namespace my-mesh | kubectl delete --ignore-not-found -f -
`,
    )
    .action(async (opts) => {
      const { resolveValues, parseSet } = await import('../../k8s/values.js');
      const values = resolveValues({
        flags: { controlPlaneNamespace: opts.controlPlaneNamespace },
        sets: (opts.set ?? []).map(parseSet),
      });
      const { uninstallRefs, renderUninstall } = await import('../../k8s/install/render.js');
      writeOut(renderUninstall(uninstallRefs(values)));
    });
}
