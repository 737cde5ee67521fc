// Runs the compiled test files with node:test. Usage: node scripts/run-tests.js [file-or-glob ...]
// TEST_CONCURRENCY sets how many files run at once (default 3: most tests wait on sockets, not CPU).
import { spawn } from 'node:child_process';

const patterns = process.argv.slice(2);
const args = [
  '--test',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '3'}`,
  '--test-timeout=240000',
  `--test-reporter=${process.env.TEST_REPORTER ?? 'spec'}`,
  ...(patterns.length > 0 ? patterns : ['dist/test/**/*.test.js']),
];
const child = spawn(process.execPath, args, { stdio: 'inherit', env: process.env });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
