// `meshctl routes RESOURCE [NAME]`: golden metrics per route (from service profiles, or inferred from the
// requests) of the traffic a resource serves, or sends to `--to`.
import type { Command } from '@commander-js/extra-typings';
import {
  addControlPlaneOptions,
  SHARED_HELP,
  allNamespacesOption,
  namespaceOption,
  timeWindowOption,
} from '../common-options.js';
import { outputOption, writeOut } from '../output.js';
import type { RoutesResponse } from '../../api/gen/metrics.js';
import { parseResourceArgs, parseResourceFlag, resourceTypesText } from '../resource.js';

const EXAMPLES = `
Examples:
  meshctl routes workload/web -n demo                  # routes of the requests web serves
  meshctl routes workload/web --to svc/authors -n demo # routes of web's requests to authors
  meshctl routes svc/books -n demo -o wide             # with retries per second
  meshctl routes workload/web -n demo -o json | jq -r '.[] | "\\(.route) \\(.successRate)"'

Routes are named by the service's profile when it has one, else inferred from the request
("GET /books/{id}", a gRPC method). SERVICE is the authority the route belongs to. "-" means no data.
Resource types: ${resourceTypesText()}. JSON fields are listed in docs/cli-json.md.

${SHARED_HELP}
`;

export function registerRoutes(program: Command): void {
  addControlPlaneOptions(
    program
      .command('routes')
      .description('golden metrics per route of a resource')
      .argument('<resource...>', 'TYPE, TYPE NAME or TYPE/NAME')
      .option('--to <resource>', "only the resource's requests to this resource (TYPE or TYPE/NAME, in -n)")
      .addOption(timeWindowOption())
      .addOption(namespaceOption())
      .addOption(allNamespacesOption())
      .addOption(outputOption()),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (args, opts) => {
      const { resolveNamespace, withControlPlane } = await import('../control-plane.js');
      const ns = await resolveNamespace(opts.namespace, opts);
      const selector = parseResourceArgs(args, ns);
      const to = opts.to === undefined ? undefined : parseResourceFlag(opts.to, '--to', ns);
      const { toWireResource } = await import('../resource.js');
      const { routeJsonRows, routesTable } = await import('../views/routes.js');
      const { renderRows } = await import('../output.js');
      const res = await withControlPlane(opts, ['metrics'], (cp) => {
        const req = {
          selector: toWireResource(selector),
          to: to && toWireResource(to),
          windowMs: opts.timeWindow,
          allNamespaces: opts.allNamespaces === true,
        };
        return cp.unary<RoutesResponse>('metrics', (md, o, cb) => cp.metrics.routes(req, md, o, cb));
      });
      const rows = routeJsonRows(res);
      if (rows.length === 0) process.stderr.write('No traffic found.\n');
      writeOut(
        await renderRows(opts.output, rows, () =>
          rows.length === 0 ? '' : routesTable(rows, { wide: opts.output === 'wide' }),
        ),
      );
    });
}
