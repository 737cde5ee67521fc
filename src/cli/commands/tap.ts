// `meshctl tap RESOURCE [NAME]`: live requests through the proxies of a resource, filtered by request and
// (evaluated in the proxy once the response is known) by response status and latency.
import { Option, type Command } from '@commander-js/extra-typings';
import { UsageError } from '../../common/errors.js';
import {
  addControlPlaneOptions,
  SHARED_HELP,
  allNamespacesOption,
  namespaceOption,
} from '../common-options.js';
import { outputOption } from '../output.js';
import { displayResource, parseResourceArgs, parseResourceFlag, resourceTypesText } from '../resource.js';
import { parseMaxRps, parseMinLatency, parseStatusFilter } from '../tap-filter.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const EXAMPLES = `
Examples:
  meshctl tap workload/web -n demo                         # every request through web's proxies
  meshctl tap workload/web --to svc/authors -n demo        # only web's requests to authors
  meshctl tap workload/web --status 5xx -n demo            # only requests that failed with 5xx
  meshctl tap svc/books --min-latency 100ms -n demo        # only requests that took 100 ms or more
  meshctl tap po/web-0 --method POST --path /api -n demo   # POSTs under /api through one instance
  meshctl tap deploy -A --status 500-599                   # failures anywhere in the mesh
  meshctl tap workload/web -n demo -o jsonl | jq -c 'select(.type == "responseInit") | .response.status'

Output: one line per event (req when the request starts, rsp when response headers arrive, end when it
completes); -o wide adds the source and destination labels and the route. -o json/-o jsonl print one JSON
object per event (pretty or one per line) with request and response headers; the proxy replaces the values
of Authorization, Proxy-Authorization, Cookie, Set-Cookie and every --redact-header name with [REDACTED]
before they leave it. Bodies are never tapped. JSON fields are listed in docs/cli-json.md.

--status and --min-latency are evaluated by the proxy when the response is known: a matching request is
printed whole (req, rsp, end together) when it completes; others are never printed. Runs until Ctrl-C
(exit 130). Resource types: ${resourceTypesText()}.

${SHARED_HELP}
`;

export function registerTap(program: Command): void {
  addControlPlaneOptions(
    program
      .command('tap')
      .description('stream live requests through the proxies of a resource')
      .argument('<resource...>', 'TYPE, TYPE NAME or TYPE/NAME')
      .option('--to <resource>', 'only requests to this resource (TYPE or TYPE/NAME, in -n)')
      .option('--method <method>', 'only requests with this HTTP method')
      .option('--path <prefix>', 'only requests whose path starts with this prefix')
      .option('--authority <authority>', 'only requests to this authority (host or host:port)')
      .option('--scheme <scheme>', 'only requests with this scheme (http, https)')
      .addOption(
        new Option(
          '--status <status>',
          'only responses with this status: 5xx, 4xx, a code (503) or a range',
        ).argParser(parseStatusFilter),
      )
      .addOption(
        new Option(
          '--min-latency <duration>',
          'only requests that took at least this long (e.g. 100ms)',
        ).argParser(parseMinLatency),
      )
      .addOption(
        new Option('--max-rps <n>', 'most requests per second to show, over all proxies (more are skipped)')
          .default(100)
          .argParser(parseMaxRps),
      )
      .addOption(
        new Option('--redact-header <name>', 'also redact this header (repeatable)').argParser(collect),
      )
      .addOption(namespaceOption())
      .addOption(allNamespacesOption())
      .addOption(outputOption(['table', 'wide', 'json', 'jsonl'])),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (args, opts) => {
      const { resolveNamespace, withControlPlane } = await import('../control-plane.js');
      const ns = await resolveNamespace(opts.namespace, opts);
      const named = parseResourceArgs(args, ns);
      if (opts.allNamespaces && (named.name !== '' || named.kind === 'authority')) {
        throw new UsageError(
          'MESH_BAD_ALL_NAMESPACES',
          `-A taps every namespace: give a resource type without a name, not ${displayResource(named)}`,
        );
      }
      // Every instance of a type in every namespace is every instance of the mesh.
      const target = opts.allNamespaces ? { kind: 'namespace' as const, namespace: '', name: '' } : named;
      const to = opts.to === undefined ? undefined : parseResourceFlag(opts.to, '--to', ns);
      const { buildTapMatch } = await import('../tap-filter.js');
      const { toWireResource } = await import('../resource.js');
      const { redactedHeaderSet } = await import('../../api/tap-rules.js');
      const match = buildTapMatch({
        to,
        method: opts.method,
        path: opts.path,
        authority: opts.authority,
        scheme: opts.scheme,
        status: opts.status,
        minLatencyMs: opts.minLatency,
      });
      const redact = (opts.redactHeader ?? []).map((h) => h.toLowerCase());
      try {
        redactedHeaderSet(redact);
      } catch (err) {
        const { UsageError } = await import('../../common/errors.js');
        throw new UsageError('MESH_BAD_HEADER', `invalid --redact-header: ${(err as Error).message}`);
      }
      const { runTap } = await import('../tap-session.js');
      const code = await withControlPlane(opts, ['tap'], (cp) =>
        runTap({
          cp,
          request: {
            target: toWireResource(target),
            match,
            maxRps: opts.maxRps,
            extractHeaders: opts.output === 'json' || opts.output === 'jsonl',
            redactHeaders: redact,
          },
          format: opts.output,
          description:
            target.kind === 'namespace' ? displayResource(target) : `${displayResource(target)} in ${ns}`,
        }),
      );
      process.exitCode = code;
    });
}
