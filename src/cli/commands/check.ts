// `meshctl check [--pre] [--proxy]`: Linkerd-style health checks of the cluster, the control plane and
// (with --proxy) the data plane, printed as they run, as a table, only the problems (short) or JSON.
// Exit 0 when nothing failed (warnings allowed), 1 otherwise.
import { Option, type Command } from '@commander-js/extra-typings';
import { parseDuration } from '../../common/duration.js';
import { parsePositiveInt } from '../../common/settings.js';
import { KUBE_FLAGS_HELP, addKubeFlags, namespaceScope, type KubeFlags } from '../kube-flags.js';

interface CheckFlags extends KubeFlags {
  pre?: boolean;
  proxy?: boolean;
  wait: string;
  output: 'table' | 'json' | 'short';
  controlPlaneNamespace: string;
  parallelism: string;
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('check that the cluster, the control plane and (with --proxy) the data plane are healthy')
    .option('--pre', 'only check that the cluster is ready for `meshctl install`')
    .option(
      '--proxy',
      'also check every meshed pod: proxy ready, up to date, trusted, with a current certificate',
    )
    .option(
      '--wait <duration>',
      'retry failing checks that may still pass (pods starting…) for this long',
      '300s',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format: table, short (only problems), json')
        .choices(['table', 'short', 'json'] as const)
        .default('table' as const),
    )
    .option('--control-plane-namespace <ns>', "the control plane's namespace", 'mesh')
    .option('--parallelism <n>', 'with --proxy: how many pods are asked at once', '8');
  addKubeFlags(cmd, {
    namespaceHelp: 'with --proxy: check the pods of this namespace only (default: all namespaces)',
  });
  cmd
    .addHelpText(
      'after',
      `
Checks run in groups, in order; a failed check marks the run failed (exit 1), a warning (‼) does not.
A failure that makes later checks meaningless (no API, no control plane namespace) stops the run.
Checks that may still pass — pods becoming ready, components starting — are retried until --wait runs out
(a spinner shows on a terminal); --wait 0s checks once.

Glyphs: √ ok, ‼ warning, × failure; [ok] [warn] [FAIL] when the locale is not UTF-8. Colour only on a
terminal and never with NO_COLOR. -o json prints
  {"success":bool,"categories":[{"categoryName":…,"checks":[{"description","hint"?,"error"?,"result"}]}]}
with "result" one of success, warning, error.
${KUBE_FLAGS_HELP}

Examples:
  meshctl check --pre
  meshctl check --wait 2m
  meshctl check --proxy -n shop
  meshctl check -o json | jq '.categories[].checks[] | select(.result != "success")'`,
    )
    .action(async (_opts, command) => {
      const flags = command.opts() as CheckFlags;
      // The checks bring @kubernetes/client-node (tens of MB): loaded only when `check` runs.
      const { runCheck } = await import('../check/run.js');
      const code = await runCheck(
        {
          ...flags,
          waitMs: parseDuration(flags.wait, '--wait'),
          parallelism: parsePositiveInt(flags.parallelism, '--parallelism'),
          namespace: namespaceScope(flags),
        },
        { env: process.env, out: process.stdout },
      );
      if (code !== 0) process.exitCode = code;
    });
}
