// `meshctl demo`: the whole mesh on this machine, shown in `meshctl top`; and the hidden `demo-app` that
// runs one of the demo's applications (the supervisor starts it once per instance).
import { Command as CommandClass, Option, type Command } from '@commander-js/extra-typings';
import { UsageError } from '../../common/errors.js';

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError('MESH_BAD_NUMBER', `invalid --rps "${text}"`, 'expected a positive number');
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run a whole mesh on this machine (control plane, apps with sidecars, traffic) and watch it in top',
    )
    .option('--dir <dir>', 'where the demo keeps its CA, mesh file and logs (default: $MESHCTL_HOME/demo)')
    .option(
      '--no-tui',
      'do not open meshctl top: print where the control plane is and keep running until Ctrl-C',
    )
    .addOption(
      new Option('--rps <n>', 'requests per second from the traffic generator')
        .default(30)
        .argParser(positiveNumber),
    )
    .addHelpText(
      'after',
      `
The demo runs, on 127.0.0.1 with ports chosen automatically: the control plane (destination, identity with a
fresh local CA, tap, metrics), three services with a sidecar proxy per instance — web (HTTP/JSON front end),
books (gRPC, two instances, some calls slow), authors (HTTP, a fixed 15 % of lookups fail, retried by the
web side's proxy) — and a traffic generator. Everything between proxies is mutual TLS.

Examples:
  meshctl demo                 # opens meshctl top; q stops the demo
  meshctl demo --no-tui &      # then: meshctl stat workload -n demo, meshctl tap workload/web -n demo
`,
    )
    .action(async (opts) => {
      const { runDemo } = await import('../../demo/run.js');
      const { parseResource } = await import('../../tui/target.js');
      const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
      const target = parseResource('namespace/demo', 'demo');
      const code = await runDemo({
        dir: opts.dir,
        tui: opts.tui && interactive,
        rps: opts.rps,
        out: (line) => process.stdout.write(line + '\n'),
        err: (line) => process.stderr.write(line + '\n'),
        // The demo's face: `meshctl top` on its namespace (q returns here, and the demo stops).
        openTop: async (controlPlane) => {
          const { runInteractive } = await import('../../tui/run.js');
          await runInteractive({
            controlPlane,
            target,
            from: undefined,
            to: undefined,
            mode: 'route',
            windowMs: 60_000,
            intervalMs: 1000,
          });
        },
        // Without a terminal: one `top -b`-style table of the demo's workloads.
        snapshot: async (controlPlane) => {
          const [{ runBatch }, { GrpcStatsSource }] = await Promise.all([
            import('../../tui/batch.js'),
            import('../../tui/sources/grpc-stats.js'),
          ]);
          const stats = new GrpcStatsSource({ address: controlPlane });
          try {
            await runBatch({
              stats,
              query: { target, from: undefined, to: undefined, windowMs: 60_000, mode: 'workload' },
              controlPlane,
              format: 'table',
              once: true,
              intervalMs: 1000,
              out: (text) => process.stdout.write(text),
              warn: (text) => process.stderr.write(text),
              signal: new AbortController().signal,
            });
          } finally {
            stats.close();
          }
        },
      });
      process.exitCode = code;
      // Pooled sockets and timers must not keep a stopped demo alive.
      setImmediate(() => process.exit(code));
    });

  const app = new CommandClass('demo-app')
    .description('run one demo application (started by meshctl demo)')
    .argument('<kind>', 'web, books, authors or traffic')
    .requiredOption('--listen <addr>', 'where the app listens')
    .requiredOption('--instance <name>', 'the instance name it reports')
    .requiredOption('--outbound <addr>', "its sidecar proxy's outbound listener")
    .addOption(new Option('--rps <n>', 'traffic: requests per second').default(30).argParser(positiveNumber))
    .action(async (kind, opts) => {
      const { runDemoApp } = await import('../../demo/apps/main.js');
      await runDemoApp(kind, opts);
    });
  program.addCommand(app, { hidden: true });
}
