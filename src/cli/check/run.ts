// One `meshctl check` run: choose the categories for the flags, run them, print as they complete (table)
// or at the end (short, json), and return the exit code. Separate from commander so tests can run it in
// process with their own environment and output stream.
import type { Writable } from 'node:stream';
import { VERSION } from '../../common/version.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit.js';
import { kubernetesApi, kubernetesVersion, preKubernetesSetup } from './cluster-checks.js';
import { CheckContext } from './context.js';
import {
  controlPlaneProxies,
  controlPlaneVersion,
  meshComponents,
  meshConfig,
  meshExistence,
  meshIdentity,
  meshWebhooks,
} from './control-plane-checks.js';
import { dataPlane } from './data-plane-checks.js';
import type { CategorySpec, CheckReport, CheckResult } from './model.js';
import { categoryHeader, checkLine, renderJson, renderTable, statusLine, terminalStyle } from './render.js';
import { runChecks } from './runner.js';

export interface CheckRunFlags {
  readonly pre?: boolean | undefined;
  readonly proxy?: boolean | undefined;
  readonly waitMs: number;
  readonly output: 'table' | 'json' | 'short';
  readonly controlPlaneNamespace: string;
  readonly parallelism: number;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  /** Data-plane namespace for --proxy; undefined = all. */
  readonly namespace?: string | undefined;
}

export type CheckOut = Writable & { isTTY?: boolean; columns?: number };

export function categoriesFor(flags: {
  pre?: boolean | undefined;
  proxy?: boolean | undefined;
}): CategorySpec<CheckContext>[] {
  const always = [kubernetesApi, kubernetesVersion];
  if (flags.pre) return [...always, preKubernetesSetup];
  const controlPlane = [meshConfig, meshExistence, meshIdentity, meshWebhooks, meshComponents];
  if (flags.proxy) return [...always, ...controlPlane, controlPlaneProxies, dataPlane];
  return [...always, ...controlPlane, controlPlaneVersion, controlPlaneProxies];
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A one-line spinner on a TTY; nothing at all elsewhere. */
class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  constructor(
    private readonly out: CheckOut,
    private readonly unicode: boolean,
  ) {}
  show(text: string): void {
    if (this.out.isTTY !== true) return;
    const draw = (): void => {
      const f = this.unicode ? SPINNER[this.frame++ % SPINNER.length] : '-\\|/'[this.frame++ % 4];
      this.out.write(`\r\x1b[K${f} ${text.slice(0, (this.out.columns ?? 80) - 3)}`);
    };
    draw();
    this.timer ??= setInterval(draw, 100);
  }
  clear(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.out.write('\r\x1b[K');
  }
}

export async function runCheck(
  flags: CheckRunFlags,
  io: { env: NodeJS.ProcessEnv; out: CheckOut },
): Promise<number> {
  const report = await checkReport(flags, io);
  return report.success ? EXIT_OK : EXIT_FAILURE;
}

export async function checkReport(
  flags: CheckRunFlags,
  io: { env: NodeJS.ProcessEnv; out: CheckOut },
): Promise<CheckReport> {
  const ctx = new CheckContext(
    {
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      controlPlaneNamespace: flags.controlPlaneNamespace,
      namespace: flags.namespace,
      parallelism: flags.parallelism,
    },
    io.env,
    VERSION,
  );
  const { out } = io;
  const style = terminalStyle(io.env, out.isTTY === true);
  const spinner = new Spinner(out, style.unicode);
  let first = true;
  const report = await runChecks(categoriesFor(flags), ctx, {
    deadline: Date.now() + flags.waitMs,
    retryEveryMs: 1000,
    hooks:
      flags.output === 'table'
        ? {
            onCategory: (name) => {
              out.write((first ? '' : '\n') + categoryHeader(name));
              first = false;
            },
            onRetry: (description, error) =>
              spinner.show(`${description}: waiting for check to complete (${error.split('\n')[0]})`),
            onResult: (r: CheckResult) => {
              spinner.clear();
              out.write(checkLine(r, style));
            },
          }
        : {},
  });
  spinner.clear();
  if (flags.output === 'json') out.write(renderJson(report));
  else if (flags.output === 'short') out.write(renderTable(report, style, true));
  else out.write('\n' + statusLine(report, style));
  return report;
}
