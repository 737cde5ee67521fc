// Runs check categories in order, as Linkerd does: each check once, retried until the --wait deadline
// when it is retryable and failing, and nothing after a fatal failure. Reports progress to a listener so
// the table renderer can print as it goes (and spin while it waits).
import { errorMessage } from '../../common/errors.js';
import {
  type CategoryResult,
  type CategorySpec,
  CheckProblem,
  type CheckReport,
  type CheckResult,
  type CheckSpec,
} from './model.js';

export interface RunnerHooks {
  onCategory?(name: string): void;
  onResult?(result: CheckResult): void;
  /** A retryable check failed and will be tried again (deadline not reached yet). */
  onRetry?(description: string, lastError: string): void;
}

export interface RunOptions {
  /** When failing retryable checks stop being retried (ms since epoch). */
  readonly deadline: number;
  /** Pause between tries. */
  readonly retryEveryMs: number;
  readonly hooks?: RunnerHooks;
}

async function runOnce<Ctx>(check: CheckSpec<Ctx>, ctx: Ctx): Promise<CheckResult> {
  try {
    await check.run(ctx);
    return { description: check.description, result: 'success' };
  } catch (err) {
    const severity =
      err instanceof CheckProblem && !check.warningOnly
        ? err.severity
        : check.warningOnly
          ? 'warning'
          : 'error';
    const hint = err instanceof CheckProblem && err.hint !== undefined ? err.hint : check.hint;
    return { description: check.description, hint, error: errorMessage(err), result: severity };
  }
}

export async function runChecks<Ctx>(
  categories: readonly CategorySpec<Ctx>[],
  ctx: Ctx,
  options: RunOptions,
): Promise<CheckReport> {
  const results: CategoryResult[] = [];
  let success = true;
  for (const category of categories) {
    options.hooks?.onCategory?.(category.name);
    const checks: CheckResult[] = [];
    results.push({ categoryName: category.name, checks });
    for (const check of category.checks) {
      let result = await runOnce(check, ctx);
      while (
        result.result === 'error' &&
        check.retry &&
        Date.now() + options.retryEveryMs < options.deadline
      ) {
        options.hooks?.onRetry?.(check.description, result.error ?? '');
        await new Promise((r) => setTimeout(r, options.retryEveryMs));
        result = await runOnce(check, ctx);
      }
      checks.push(result);
      options.hooks?.onResult?.(result);
      if (result.result === 'error') {
        success = false;
        if (check.fatal) return { success, categories: results };
      }
    }
  }
  return { success, categories: results };
}
