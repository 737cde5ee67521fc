// `meshctl top [RESOURCE]`: the live view of the mesh. Full screen when stdin and stdout are terminals;
// otherwise (or with -b / -o jsonl) snapshots for scripts. Ink and React load only for the full screen.
import { Option, type Command } from '@commander-js/extra-typings';
import { parseDuration } from '../../common/duration.js';
import { UsageError } from '../../common/errors.js';
import { addControlPlaneOptions, SHARED_HELP, namespaceOption } from '../common-options.js';
import { outputOption, writeOut } from '../output.js';

const HELP_AFTER = `
Without RESOURCE, shows the namespace given by -n (default: the running demo's, else "default"). RESOURCE is TYPE[/NAME], with TYPE
namespace (ns), workload (deploy), pod (po), service (svc) or authority. --from R shows the traffic R sends
to RESOURCE (R's client-side view); --to R narrows to traffic RESOURCE sends to R.

Full screen needs stdin and stdout to be terminals. Otherwise, or with -b, it prints one table snapshot and
exits; with -o jsonl it prints one JSON object per --interval until interrupted (exit code 130), or one with -b.
The JSON fields are documented in docs/top.md: kind, time, controlPlane, target, from, to, mode, windowMs,
source, mesh{successRate, rps, latencyP50MsAtMost, latencyP99MsAtMost, tlsShare, meshedPods, runningPods,
requests}, namespaces[], and routes[] (or workloads[] with --by workload); null means no data.

Keys: q quit · ↑↓/j k move · Enter focus route (filters the tap tail) · / filter · s sort · S/I invert ·
p pause · t window · w routes/workloads · Tab pane · ? help

Examples:
  meshctl top                                  # the default namespace, full screen
  meshctl top namespace/demo --by workload
  meshctl top deploy/web -n demo --to deploy/api
  meshctl top -b ns/demo                       # one table, e.g. for a ticket
  meshctl top ns/demo -o jsonl --interval 5s | jq -c '.routes[] | {route, successRate}'

${SHARED_HELP}
`;

export function registerTop(program: Command): void {
  addControlPlaneOptions(
    program
      .command('top')
      .description(
        'live golden metrics per route or workload, a tap tail and trends (full screen on a terminal)',
      )
      .argument('[resource]', 'what to show: TYPE[/NAME], e.g. namespace/demo or deploy/web')
      .addOption(namespaceOption())
      .option('--from <resource>', 'only traffic from this resource (TYPE/NAME)')
      .option('--to <resource>', 'only traffic to this resource (TYPE/NAME)')
      .option('-b, --batch', 'print one snapshot and exit (the default when not on a terminal)')
      .addOption(outputOption(['table', 'jsonl']))
      .option('--interval <duration>', 'how often to refresh (at least 250ms)', '1s')
      .option('-t, --time-window <duration>', 'window the metrics cover (10s … 1h); t cycles it', '1m')
      .addOption(
        new Option('--by <rows>', 'one row per route or per workload')
          .choices(['route', 'workload'] as const)
          .default('route' as const),
      ),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (resource, opts) => {
      const { parseResource } = await import('../../tui/target.js');
      const { kubeSelectionOf, kubernetesMode, resolveControlPlane, resolveNamespace } =
        await import('../control-plane.js');
      const namespace = await resolveNamespace(opts.namespace, opts);
      const target = parseResource(resource ?? `namespace/${namespace}`, namespace);
      const from = opts.from === undefined ? undefined : parseResource(opts.from, namespace, '--from');
      const to = opts.to === undefined ? undefined : parseResource(opts.to, namespace, '--to');
      if (from && to) {
        throw new UsageError(
          'MESH_BAD_FLAGS',
          '--from and --to cannot be used together',
          'pick one direction',
        );
      }
      const intervalMs = parseDuration(opts.interval, '--interval');
      if (intervalMs < 250) throw new UsageError('MESH_BAD_FLAGS', '--interval must be at least 250ms');
      const windowMs = parseDuration(opts.timeWindow, '--time-window');
      if (windowMs < 10_000 || windowMs > 3_600_000) {
        throw new UsageError('MESH_BAD_FLAGS', '--time-window must be between 10s and 1h');
      }
      const interactive =
        !opts.batch &&
        opts.output === 'table' &&
        process.stdin.isTTY === true &&
        process.stdout.isTTY === true;
      const show = async (controlPlane: string, tapAddress: string | undefined): Promise<number> => {
        if (interactive) {
          const { runInteractive } = await import('../../tui/run.js');
          return runInteractive({
            controlPlane,
            tapAddress,
            target,
            from,
            to,
            mode: opts.by,
            windowMs,
            intervalMs,
          });
        }
        const [{ runBatch }, { GrpcStatsSource }] = await Promise.all([
          import('../../tui/batch.js'),
          import('../../tui/sources/grpc-stats.js'),
        ]);
        const stats = new GrpcStatsSource({ address: controlPlane });
        const abort = new AbortController();
        const onInterrupt = (): void => abort.abort();
        process.once('SIGINT', onInterrupt);
        try {
          return await runBatch({
            stats,
            query: { target, from, to, windowMs, mode: opts.by },
            controlPlane,
            format: opts.output === 'jsonl' ? 'jsonl' : 'table',
            once: opts.batch === true || opts.output === 'table',
            intervalMs,
            out: writeOut,
            warn: (text) => process.stderr.write(text),
            signal: abort.signal,
          });
        } finally {
          process.off('SIGINT', onInterrupt);
          stats.close();
        }
      };
      if (!kubernetesMode(opts)) {
        process.exitCode = await show(resolveControlPlane(opts.controlPlane).address, undefined);
        return;
      }
      // A cluster's control plane: the Metrics and Tap APIs through port-forwards held while top runs.
      const { withKubeControlPlane } = await import('../kube-control-plane.js');
      process.exitCode = await withKubeControlPlane(kubeSelectionOf(opts), ['metrics', 'tap'], (forwards) =>
        show(forwards.addresses.get('metrics') as string, forwards.addresses.get('tap')),
      );
    });
}
