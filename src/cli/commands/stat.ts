// `meshctl stat RESOURCE [NAME]`: golden metrics per resource from the Metrics API (success rate, RPS,
// latency percentiles, TCP connections; TLS share and bytes with -o wide).
import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../common/errors.js';
import {
  addControlPlaneOptions,
  SHARED_HELP,
  allNamespacesOption,
  namespaceOption,
  timeWindowOption,
} from '../common-options.js';
import { outputOption, writeOut } from '../output.js';
import { parseResourceArgs, parseResourceFlag, resourceTypesText } from '../resource.js';
import type { ControlPlane } from '../control-plane.js';
import type { StatJsonRow } from '../views/stat.js';
import type { StatRequest, StatResponse } from '../../api/gen/metrics.js';

const EXAMPLES = `
Examples:
  meshctl stat workload -n demo                  # every workload in namespace demo
  meshctl stat workload/web -n demo -t 5m        # one workload over five minutes
  meshctl stat svc -A                            # every service in every namespace
  meshctl stat workload --to svc/books -n demo   # only traffic to the books service
  meshctl stat po -n demo -o wide                # pods, with TLS share and bytes
  meshctl stat workload -n demo -o json | jq '.[] | select(.successRate < 0.95) | .name'

Columns: MESHED (meshed/running instances), SUCCESS (share of non-failed responses), RPS, LATENCY_P50/95/99,
TCP_CONN (open connections); -o wide adds TLS (share of requests over mTLS), READ_BYTES/SEC, WRITE_BYTES/SEC.
"-" means no data in the window. JSON fields are listed in docs/cli-json.md.
Resource types: ${resourceTypesText()}.

${SHARED_HELP}
`;

/** Asks the Metrics API; rows come back sorted, in the documented JSON shape. */
export async function fetchStat(cp: ControlPlane, req: StatRequest): Promise<StatJsonRow[]> {
  const { statJsonRows } = await import('../views/stat.js');
  const res = await cp.unary<StatResponse>('metrics', (md, o, cb) => cp.metrics.stat(req, md, o, cb));
  return statJsonRows(res);
}

export function registerStat(program: Command): void {
  addControlPlaneOptions(
    program
      .command('stat')
      .description('golden metrics per workload, pod, service, authority or namespace')
      .argument('<resource...>', 'TYPE, TYPE NAME or TYPE/NAME')
      .option('--from <resource>', 'only traffic from this resource (TYPE or TYPE/NAME, in -n)')
      .option('--to <resource>', 'only traffic to this resource (TYPE or TYPE/NAME, in -n)')
      .addOption(timeWindowOption())
      .addOption(namespaceOption())
      .addOption(allNamespacesOption())
      .addOption(outputOption()),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (args, opts) => {
      if (opts.from !== undefined && opts.to !== undefined) {
        throw new UsageError('MESH_EXCLUSIVE_FLAGS', '--from and --to cannot be used together');
      }
      const { resolveNamespace, withControlPlane } = await import('../control-plane.js');
      const ns = await resolveNamespace(opts.namespace, opts);
      const selector = parseResourceArgs(args, ns);
      const from = opts.from === undefined ? undefined : parseResourceFlag(opts.from, '--from', ns);
      const to = opts.to === undefined ? undefined : parseResourceFlag(opts.to, '--to', ns);
      const { toWireResource } = await import('../resource.js');
      const { statTable } = await import('../views/stat.js');
      const { renderRows } = await import('../output.js');
      const rows = await withControlPlane(opts, ['metrics'], (cp) =>
        fetchStat(cp, {
          selector: toWireResource(selector),
          from: from && toWireResource(from),
          to: to && toWireResource(to),
          windowMs: opts.timeWindow,
          allNamespaces: opts.allNamespaces === true,
        }),
      );
      if (rows.length === 0) process.stderr.write('No traffic found.\n');
      writeOut(
        await renderRows(opts.output, rows, () =>
          rows.length === 0
            ? ''
            : statTable(rows, { wide: opts.output === 'wide', allNamespaces: opts.allNamespaces === true }),
        ),
      );
    });
}
