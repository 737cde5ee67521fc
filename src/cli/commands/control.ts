// `meshctl control [component...]`: runs control-plane components (destination, identity, tap, metrics, or
// all) in this process against the local registry.
import { Option, type Command } from '@commander-js/extra-typings';
import { CONTROL_COMPONENTS, CONTROL_SETTINGS } from '../../control/config.js';
import { MESH_FILE_EXAMPLE } from '../../control/registry/mesh-file.js';
import { settingHelp, type SettingSpec } from '../../common/settings.js';

export function registerControl(program: Command): void {
  const cmd = program
    .command('control')
    .description('run control-plane components: destination, identity, tap, metrics (default: all)')
    .argument('[components...]', `components to run: ${CONTROL_COMPONENTS.join(', ')} or all`)
    .addHelpText(
      'after',
      `
Every flag can also be set with the environment variable shown in brackets.

All chosen components share one gRPC listener (plus grpc.health.v1); /metrics, /ready and /live are on
the admin listener.

Examples:
  meshctl control --mesh-file mesh.yaml
  meshctl control destination --mesh-file mesh.yaml --listen 127.0.0.1:8086

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
