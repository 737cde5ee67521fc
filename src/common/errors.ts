// The one error type every area throws for expected failures: a stable code that tests and scripts match
// on, a one-line message naming what was wrong, and an optional hint saying what to do about it.

export class MeshError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MeshError';
    this.code = code;
    this.hint = hint;
  }
}

/** Bad input from a user: a flag, an environment variable, a file. The CLI exits 2 for these. */
export class UsageError extends MeshError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, hint);
    this.name = 'UsageError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The errno-style code of a system error (ECONNREFUSED, EADDRINUSE…), if it has one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
