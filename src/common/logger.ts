// Structured logs: JSON lines on stderr (stdout belongs to command output and `-o json`), one object per
// line in pino's shape — {"level":30,"time":"…","pid":1,"name":"proxy",…fields,"msg":"…"} — so pino-pretty,
// jq and log pipelines read them as before. Written here rather than with pino because a sidecar logs a
// few lines an hour and pino's modules cost an idle proxy ~5 MB of resident memory (VmRSS 89–92 → 84–87 MB).
import { UsageError } from './errors.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino's numbers, which log tooling already knows. */
const LEVEL_NUMBERS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

type Fields = Record<string, unknown>;

export interface LogMethod {
  (msg: string): void;
  (fields: Fields, msg?: string): void;
}

export interface Logger {
  readonly trace: LogMethod;
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  readonly fatal: LogMethod;
  /**
   * A logger that adds these fields to every line. Lines are written synchronously (stderr is synchronous for
   * files, pipes and terminals on Linux), so there is nothing to flush before exiting.
   */
  child(bindings: Fields): Logger;
}

/** Where lines go: stderr by default; tests pass a collector. */
export interface LogDestination {
  write(line: string): unknown;
}

export function parseLogLevel(text: string, what = 'log level'): LogLevel {
  const level = text.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new UsageError(
    'MESH_BAD_LOG_LEVEL',
    `invalid ${what} "${text}"`,
    `use one of: ${LOG_LEVELS.join(', ')}`,
  );
}

/** Errors become {type, message, stack, code?}, as pino's standard serializer writes them. */
function serializeError(err: Error): Fields {
  const out: Fields = { type: err.constructor.name, message: err.message, stack: err.stack };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out['code'] = code;
  if (err.cause instanceof Error) out['cause'] = serializeError(err.cause);
  return out;
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function line(
  level: number,
  prefix: string,
  bindings: string,
  fields: Fields | undefined,
  msg?: string,
): string {
  let body = '';
  if (fields !== undefined) {
    try {
      body = JSON.stringify(fields, replacer).slice(1, -1);
    } catch (err) {
      // A circular structure must not cost the line: keep the message and say what was lost.
      body = `"logFieldsError":${JSON.stringify(String(err))}`;
    }
  }
  let out = `{"level":${level},"time":"${new Date().toISOString()}"${prefix}${bindings}`;
  if (body !== '') out += `,${body}`;
  if (msg !== undefined) out += `,"msg":${JSON.stringify(msg)}`;
  return `${out}}\n`;
}

function makeLogger(threshold: number, prefix: string, bindings: string, dest: LogDestination): Logger {
  const method = (level: number): LogMethod => {
    if (level < threshold) return () => undefined;
    return (first: Fields | string, msg?: string): void => {
      dest.write(
        typeof first === 'string'
          ? line(level, prefix, bindings, undefined, first)
          : line(level, prefix, bindings, first, msg),
      );
    };
  };
  return {
    trace: method(LEVEL_NUMBERS.trace),
    debug: method(LEVEL_NUMBERS.debug),
    info: method(LEVEL_NUMBERS.info),
    warn: method(LEVEL_NUMBERS.warn),
    error: method(LEVEL_NUMBERS.error),
    fatal: method(LEVEL_NUMBERS.fatal),
    child: (more: Fields) => {
      const added = JSON.stringify(more, replacer).slice(1, -1);
      return makeLogger(threshold, prefix, added === '' ? bindings : `${bindings},${added}`, dest);
    },
  };
}

let stderrGuarded = false;

/**
 * stderr, made safe to log to: when whoever reads it goes away (a supervisor exits, `2>&1 | head`), writes
 * fail with EPIPE, and an unhandled 'error' on process.stderr would end the process. Losing log lines is
 * better than losing the proxy.
 */
function guardedStderr(): LogDestination {
  if (!stderrGuarded) {
    stderrGuarded = true;
    process.stderr.on('error', () => undefined);
  }
  return process.stderr;
}

export function createLogger(name: string, level: LogLevel = 'info', dest?: LogDestination): Logger {
  const prefix = `,"pid":${process.pid},"name":${JSON.stringify(name)}`;
  return makeLogger(LEVEL_NUMBERS[level], prefix, '', dest ?? guardedStderr());
}
