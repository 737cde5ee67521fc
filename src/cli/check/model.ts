// What a check is and what it reports, shared by the check definitions, the runner and the renderers.
// The JSON shape is Linkerd's: {success, categories:[{categoryName, checks:[{description, hint, error,
// result}]}]}, with `hint` and `error` only on checks that did not succeed.

export type CheckOutcome = 'success' | 'warning' | 'error';

export interface CheckResult {
  readonly description: string;
  readonly hint?: string;
  readonly error?: string;
  readonly result: CheckOutcome;
}

export interface CategoryResult {
  readonly categoryName: string;
  readonly checks: readonly CheckResult[];
}

export interface CheckReport {
  readonly success: boolean;
  readonly categories: readonly CategoryResult[];
}

/** Thrown by a check that found a problem; `warning` problems never fail the run. */
export class CheckProblem extends Error {
  constructor(
    message: string,
    readonly severity: 'warning' | 'error' = 'error',
    /** Overrides the check's hint when the problem knows better (a pod name, a command). */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CheckProblem';
  }
}

export interface CheckSpec<Ctx> {
  readonly description: string;
  /** What to do when it fails: one actionable line. */
  readonly hint: string;
  /** A failure stops every later check: they would only fail for the same reason. */
  readonly fatal?: boolean;
  /** Every problem it finds is only a warning. */
  readonly warningOnly?: boolean;
  /** Worth retrying under --wait (pods becoming ready, endpoints appearing). */
  readonly retry?: boolean;
  run(ctx: Ctx): Promise<void>;
}

export interface CategorySpec<Ctx> {
  readonly name: string;
  readonly checks: readonly CheckSpec<Ctx>[];
}
