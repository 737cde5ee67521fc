// Structured logs: JSON lines on stderr (stdout belongs to command output and `-o json`).
import { pino, type Logger } from 'pino';
import { UsageError } from './errors.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(text: string, what = 'log level'): LogLevel {
  const level = text.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new UsageError(
    'MESH_BAD_LOG_LEVEL',
    `invalid ${what} "${text}"`,
    `use one of: ${LOG_LEVELS.join(', ')}`,
  );
}

export function createLogger(name: string, level: LogLevel = 'info', fd = 2): Logger {
  return pino(
    {
      name,
      level: level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd, sync: false }),
  );
}
