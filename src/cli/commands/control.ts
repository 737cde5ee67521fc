// `meshctl control [component...]`: runs control-plane components (destination, identity, tap, metrics,
// injector, or all) in this process, against a mesh file or the Kubernetes API.
import { Option, type Command } from '@commander-js/extra-typings';
import { CONTROL_COMPONENTS, CONTROL_SETTINGS } from '../../control/config.js';
import { MESH_FILE_EXAMPLE } from '../../control/registry/mesh-file-example.js';
import { settingHelp, type SettingSpec } from '../../common/settings.js';

export function registerControl(program: Command): void {
  const cmd = program
    .command('control')
    .description('run control-plane components: destination, identity, tap, metrics, injector (default: all)')
    .argument('[components...]', `components to run: ${CONTROL_COMPONENTS.join(', ')} or all`)
    .addHelpText(
      'after',
      `
Every flag can also be set with the environment variable shown in brackets.

All chosen gRPC components share one gRPC listener (plus grpc.health.v1); /metrics, /ready and /live are
on the admin listener. The injector is an HTTPS admission webhook: alone it serves on --listen, next to
gRPC components on --injector-listen.

With --registry kubernetes, discovery comes from Services, EndpointSlices and Pods in every namespace
(informers restarted with backoff when they fail; their state is in /metrics as registry_informer_*),
and identity checks each proxy's projected ServiceAccount token (audience identity.mesh.io) with a
TokenReview. The Kubernetes API is found through --kubeconfig/--context, $KUBECONFIG, ~/.kube/config or
the in-cluster ServiceAccount, in that order; a missing configuration is an error, never localhost:8080.
Authorities: svc (in the caller's namespace), svc.ns, svc.ns.svc.<cluster-domain>, and for headless
services <hostname>.svc.ns[.svc.<cluster-domain>]; ExternalName services are left to DNS.

Examples:
  meshctl control --mesh-file mesh.yaml
  meshctl control destination --mesh-file mesh.yaml --listen 127.0.0.1:8086
  meshctl control destination --registry kubernetes --kubeconfig ~/.kube/config --context kind-mesh
  meshctl control injector --registry kubernetes --injector-tls-dir /var/run/mesh/injector/tls \
    --injector-values /var/run/mesh/config/values.yaml --trust-anchors ca.crt --listen 0.0.0.0:8443

Mesh file format:
${MESH_FILE_EXAMPLE.replace(/^/gm, '  ')}`,
    );
  for (const spec of Object.values(CONTROL_SETTINGS) as SettingSpec<unknown>[]) {
    cmd.addOption(new Option(`--${spec.flag} <${spec.valueName}>`, settingHelp(spec)));
  }
  cmd.action(async (components, _opts, command) => {
    const { runControl } = await import('../../control/main.js');
    await runControl(components, command.opts(), process.env);
  });
}
