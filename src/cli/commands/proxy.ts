// `meshctl proxy`: runs the sidecar proxy. Flags and their MESH_PROXY_* twins come from the proxy's own
// settings table; the proxy code is imported only when the command runs, so other commands start fast.
import { Option, type Command } from '@commander-js/extra-typings';
import { PROXY_SETTINGS } from '../../proxy/config.js';
import { settingHelp, type SettingSpec } from '../../common/settings.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerProxy(program: Command): void {
  const cmd = program
    .command('proxy')
    .description('run the sidecar proxy for one workload instance')
    .addHelpText(
      'after',
      `
Every flag can also be set with the environment variable shown in brackets; a flag wins over its variable.

Listeners:
  inbound   terminates mesh traffic for the local app and delivers it to --app (with --transparent: to the
            app port each connection was addressed to, recovered from iptables' redirect)
  outbound  takes the app's requests, resolves their Host/:authority, balances over the endpoints
  admin     GET /metrics (Prometheus text), /ready, /live; POST /shutdown from loopback
  tap       gRPC Tap.Observe: live request metadata (never bodies) for the control plane; --tap off disables it

Examples:
  # a proxy in front of an app on port 8080, with static endpoints for its dependencies
  meshctl proxy --app 127.0.0.1:8080 --endpoints endpoints.json
  # the same through the environment, as a container would be configured
  MESH_PROXY_APP=127.0.0.1:8080 MESH_PROXY_ENDPOINTS=/etc/mesh/endpoints.json meshctl proxy
  # in a pod whose traffic \`meshctl proxy-init\` redirects (as injected pods are configured)
  MESH_PROXY_TRANSPARENT=true MESH_PROXY_CONTROL_PLANE=10.96.0.10:8086 meshctl proxy
`,
    );
  for (const spec of Object.values(PROXY_SETTINGS) as SettingSpec<unknown>[]) {
    const opt = new Option(`--${spec.flag} <${spec.valueName}>`, settingHelp(spec));
    // Defaults are applied by the settings resolver (after the environment), never by commander.
    cmd.addOption(spec.repeatable ? opt.argParser(collect) : opt);
  }
  cmd.action(async (_opts, command) => {
    const { runProxy } = await import('../../proxy/main.js');
    await runProxy(command.opts(), process.env);
  });
}
