// `meshctl version`: the client's version (the control plane's joins once a control plane exists).
import type { Command } from '@commander-js/extra-typings';
import { versionInfo } from '../../common/version.js';
import { outputOption, renderJson, renderYaml, writeOut } from '../output.js';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('print the version of meshctl')
    .addOption(outputOption(['table', 'json', 'yaml']))
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl version\n  meshctl version -o json | jq -r .client.version\n',
    )
    .action(async (opts) => {
      const client = versionInfo();
      const doc = { client: { version: client.version, node: client.node, platform: client.platform } };
      if (opts.output === 'json') writeOut(renderJson(doc));
      else if (opts.output === 'yaml') writeOut(await renderYaml(doc));
      else writeOut(`Client version: ${client.version} (node ${client.node}, ${client.platform})\n`);
    });
}
