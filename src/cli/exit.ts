// Maps every way a command can end to one line on stderr and an exit code, in one place:
// 0 ok, 1 failure, 2 usage error, 130 interrupted.
import { CommanderError } from '@commander-js/extra-typings';
import { MeshError, UsageError, errorMessage } from '../common/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface ExitReport {
  code: number;
  /** Lines for stderr; empty when the error already printed itself (commander does). */
  lines: string[];
}

export function reportError(err: unknown): ExitReport {
  if (err instanceof CommanderError) {
    // Commander printed its own message already; help and --version are not failures.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
      return { code: EXIT_OK, lines: [] };
    }
    return { code: EXIT_USAGE, lines: [] };
  }
  if (err instanceof MeshError) {
    const lines = [`error: ${err.message}`];
    if (err.hint) lines.push(`hint: ${err.hint}`);
    return { code: err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE, lines };
  }
  return { code: EXIT_FAILURE, lines: [`error: ${errorMessage(err)}`] };
}
