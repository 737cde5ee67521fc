// The structured logger: pino-shaped JSON lines, level filtering, child bindings, errors, and no way for a
// value to break a line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createLogger, parseLogLevel, type LogLevel } from '../../../src/common/logger.js';

function collect(level: LogLevel = 'info') {
  const lines: string[] = [];
  const logger = createLogger('proxy', level, { write: (line: string) => lines.push(line) });
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, entries };
}

test('one JSON line per entry, in pino order and with pino level numbers', () => {
  const { logger, lines, entries } = collect();
  logger.info({ listen: '127.0.0.1:4140', count: 2 }, 'outbound listening');
  logger.warn('plain message');
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.endsWith('}\n') && l.indexOf('\n') === l.length - 1));
  const [first, second] = entries();
  assert.deepEqual(Object.keys(first ?? {}), ['level', 'time', 'pid', 'name', 'listen', 'count', 'msg']);
  assert.equal(first?.['level'], 30);
  assert.equal(first?.['pid'], process.pid);
  assert.equal(first?.['name'], 'proxy');
  assert.equal(first?.['msg'], 'outbound listening');
  assert.ok(!Number.isNaN(Date.parse(String(first?.['time']))), 'ISO time');
  assert.equal(second?.['level'], 40);
  assert.equal(second?.['msg'], 'plain message');
});

test('entries below the level are dropped; silent drops everything', () => {
  const warn = collect('warn');
  warn.logger.debug('no');
  warn.logger.info({ a: 1 }, 'no');
  warn.logger.error('yes');
  warn.logger.fatal('yes');
  assert.deepEqual(
    warn.entries().map((e) => e['level']),
    [50, 60],
  );
  const silent = collect('silent');
  silent.logger.fatal('nothing');
  assert.equal(silent.lines.length, 0);
  const trace = collect('trace');
  trace.logger.trace('kept');
  assert.equal(trace.entries()[0]?.['level'], 10);
});

test('child loggers add their bindings to every line, nested', () => {
  const { logger, entries } = collect();
  const child = logger.child({ component: 'destination' }).child({ authority: 'web.demo:80' });
  child.info({ endpoints: 2 }, 'resolved');
  assert.deepEqual(entries()[0], {
    level: 30,
    time: entries()[0]?.['time'],
    pid: process.pid,
    name: 'proxy',
    component: 'destination',
    authority: 'web.demo:80',
    endpoints: 2,
    msg: 'resolved',
  });
});

test('errors are written with type, message, stack and code; bigints as strings', () => {
  const { logger, entries } = collect();
  const err = Object.assign(new RangeError('connect refused', { cause: new Error('socket') }), {
    code: 'ECONNREFUSED',
  });
  logger.error({ err, bytes: 10n ** 20n }, 'upstream failed');
  const e = entries()[0]?.['err'] as Record<string, unknown>;
  assert.equal(e['type'], 'RangeError');
  assert.equal(e['message'], 'connect refused');
  assert.equal(e['code'], 'ECONNREFUSED');
  assert.match(String(e['stack']), /RangeError: connect refused/);
  assert.equal((e['cause'] as Record<string, unknown>)['message'], 'socket');
  assert.equal(entries()[0]?.['bytes'], '100000000000000000000');
});

test('values cannot forge lines, and a circular value keeps the message', () => {
  const { logger, lines, entries } = collect();
  logger.info({ path: '/x\n{"level":60,"msg":"forged"}' }, 'line\nbreak');
  const circular: Record<string, unknown> = { name: 'loop' };
  circular['self'] = circular;
  logger.warn({ circular }, 'still logged');
  assert.equal(lines.length, 2);
  assert.ok(
    lines.every((l) => l.indexOf('\n') === l.length - 1),
    'one line each',
  );
  assert.equal(entries()[0]?.['path'], '/x\n{"level":60,"msg":"forged"}');
  assert.equal(entries()[1]?.['msg'], 'still logged');
  assert.match(String(entries()[1]?.['logFieldsError']), /circular/i);
});

test('log levels parse case-insensitively and bad ones say what is allowed', () => {
  assert.equal(parseLogLevel(' WARN '), 'warn');
  assert.throws(() => parseLogLevel('loud'), /invalid log level "loud"/);
});

test('a process keeps running when the reader of its stderr goes away', async () => {
  // The child logs every millisecond; the parent closes the child's stderr after the first line, so the
  // child's writes fail with EPIPE. It must still reach its own exit.
  const logger = new URL('../../../src/common/logger.js', import.meta.url).href;
  const script = `
    import { createLogger } from ${JSON.stringify(logger)};
    const log = createLogger('proxy', 'info');
    const timer = setInterval(() => log.info({ pad: 'x'.repeat(500) }, 'tick'), 1);
    setTimeout(() => { clearInterval(timer); process.stdout.write('still running'); process.exit(0); }, 400);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.once('data', () => child.stderr.destroy());
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.equal(out, 'still running');
});
