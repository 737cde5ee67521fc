// `meshctl proxy-init`: installs the pod's iptables redirection (the injected init container runs it).
// Flags and their MESH_PROXY_INIT_* twins come from the settings table; the code loads only when it runs.
import { Option, type Command } from '@commander-js/extra-typings';
import { settingHelp } from '../../common/settings.js';
import { PROXY_INIT_SETTINGS, type ProxyInitSettingSpec } from '../../proxy/init/settings.js';

export function registerProxyInit(program: Command): void {
  const cmd = program
    .command('proxy-init')
    .description("redirect the pod's TCP through the sidecar proxy with iptables (run as the init container)")
    .addHelpText(
      'after',
      `
Every flag can also be set with the environment variable shown in brackets; a flag wins over its variable.

Installs two chains in the nat table, MESH_INBOUND (from PREROUTING) and MESH_OUTBOUND (from OUTPUT),
flushed and recreated on every run. Incoming TCP is redirected to the proxy's inbound port, outgoing TCP
to its outbound port, except: the proxy's own connections (--proxy-uid), loopback, the skip ports and the
proxy's inbound port. Needs root, or the NET_ADMIN and NET_RAW capabilities, and iptables. The proxy then
runs with --transparent to recover each connection's original destination.

Examples:
  # what the injected init container runs
  meshctl proxy-init --inbound-port 4143 --outbound-port 4140 --proxy-uid 2102 --skip-inbound-ports 4190,4191
  # print the commands without running them
  meshctl proxy-init --dry-run --skip-outbound-ports 25,3306
  # the same through the environment, with iptables-legacy
  MESH_PROXY_INIT_IPTABLES=iptables-legacy MESH_PROXY_INIT_SKIP_OUTBOUND_PORTS=25 meshctl proxy-init
  # take the rules out again
  meshctl proxy-init --uninstall
`,
    );
  for (const spec of Object.values(PROXY_INIT_SETTINGS) as ProxyInitSettingSpec[]) {
    cmd.addOption(
      spec.isSwitch
        ? new Option(`--${spec.flag}`, settingHelp({ ...spec, defaultText: undefined }))
        : new Option(`--${spec.flag} <${spec.valueName}>`, settingHelp(spec)),
    );
  }
  cmd.action(async (_opts, command) => {
    const { runProxyInit } = await import('../../proxy/init/run.js');
    await runProxyInit(command.opts(), process.env);
  });
}
