// The meshctl program: builds the command tree and runs it, mapping every outcome to an exit code.
import { Command } from '@commander-js/extra-typings';
import { VERSION } from '../common/version.js';
import { registerCheck } from './commands/check.js';
import { registerCompletion } from './commands/completion.js';
import { registerControl } from './commands/control.js';
import { registerEdges } from './commands/edges.js';
import { registerEndpoints } from './commands/endpoints.js';
import { registerIdentity } from './commands/identity.js';
import { registerDemo } from './commands/demo.js';
import { registerInject } from './commands/inject.js';
import { registerInstall } from './commands/install.js';
import { registerProxy } from './commands/proxy.js';
import { registerProxyInit } from './commands/proxy-init.js';
import { registerRoutes } from './commands/routes.js';
import { registerStat } from './commands/stat.js';
import { registerTap } from './commands/tap.js';
import { registerTop } from './commands/top.js';
import { registerVersion } from './commands/version.js';
import { reportError } from './exit.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('meshctl')
    .description('A small service mesh: sidecar proxy, control plane, and the tools to watch them.')
    .version(VERSION, '--version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    // Root options only before the subcommand, so that `install --version TAG` is the image tag, not ours.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  registerVersion(program);
  registerProxy(program);
  registerProxyInit(program);
  registerControl(program);
  registerIdentity(program);
  registerDemo(program);
  registerInstall(program);
  registerInject(program);
  registerEndpoints(program);
  registerStat(program);
  registerRoutes(program);
  registerEdges(program);
  registerTap(program);
  registerTop(program);
  registerCheck(program);
  registerCompletion(program);
  // Subcommands inherit exitOverride so that usage errors surface as exit code 2, not commander's 1.
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/**
 * Children of `meshctl demo` get MESHCTL_PARENT_PID: if the demo dies without stopping them (SIGKILL),
 * they stop themselves rather than linger as orphans holding ports.
 */
function exitWithParent(env: NodeJS.ProcessEnv): void {
  const parent = Number(env['MESHCTL_PARENT_PID']);
  if (!Number.isInteger(parent) || parent <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, 1000);
  timer.unref();
}

/** `meshctl … | head`: once the reader has gone there is nothing left to do, and it is not a failure. */
function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export async function main(argv: string[]): Promise<void> {
  exitWithParent(process.env);
  exitQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const report = reportError(err);
    for (const line of report.lines) process.stderr.write(line + '\n');
    process.exitCode = report.code;
  }
}
