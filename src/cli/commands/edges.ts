// `meshctl edges TYPE [NAME]`: which workloads (or pods) talk to which, with the identities on both sides
// and whether the connection is mutual TLS.
import type { Command } from '@commander-js/extra-typings';
import {
  addControlPlaneOptions,
  SHARED_HELP,
  allNamespacesOption,
  namespaceOption,
} from '../common-options.js';
import { outputOption, writeOut } from '../output.js';
import type { EdgesResponse } from '../../api/gen/metrics.js';
import { parseResourceArgs, resourceTypesText, type ResourceKind } from '../resource.js';

const EDGE_KINDS: readonly ResourceKind[] = ['workload', 'pod'];

const EXAMPLES = `
Examples:
  meshctl edges workload -n demo          # who talks to whom in namespace demo
  meshctl edges workload/web -n demo      # edges whose source is web
  meshctl edges po -A -o wide             # every pod, with client and server identities
  meshctl edges workload -n demo -o json | jq '.[] | select(.secured | not)'

An edge is a pair of resources with open connections between them (from the client side's proxy).
SECURED is √ for mutual TLS, else × and the reason (e.g. not_meshed). Types: ${resourceTypesText(EDGE_KINDS)}.
JSON fields are listed in docs/cli-json.md.

${SHARED_HELP}
`;

export function registerEdges(program: Command): void {
  addControlPlaneOptions(
    program
      .command('edges')
      .description('connections between workloads or pods, and whether each is mutual TLS')
      .argument('<resource...>', 'TYPE, TYPE NAME or TYPE/NAME (the sources)')
      .addOption(namespaceOption())
      .addOption(allNamespacesOption())
      .addOption(outputOption()),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (args, opts) => {
      const { resolveNamespace, withControlPlane } = await import('../control-plane.js');
      const ns = await resolveNamespace(opts.namespace, opts);
      const selector = parseResourceArgs(args, ns, EDGE_KINDS);
      const { toWireResource } = await import('../resource.js');
      const { edgeJsonRows, edgesTable } = await import('../views/edges.js');
      const { renderRows } = await import('../output.js');
      const { painterFor } = await import('../colour.js');
      const res = await withControlPlane(opts, ['metrics'], (cp) => {
        const req = { selector: toWireResource(selector), allNamespaces: opts.allNamespaces === true };
        return cp.unary<EdgesResponse>('metrics', (md, o, cb) => cp.metrics.edges(req, md, o, cb));
      });
      const rows = edgeJsonRows(res);
      if (rows.length === 0) process.stderr.write('No edges found.\n');
      writeOut(
        await renderRows(opts.output, rows, () =>
          rows.length === 0
            ? ''
            : edgesTable(rows, { wide: opts.output === 'wide', paint: painterFor(process.stdout) }),
        ),
      );
    });
}
