// Golden files: compares output with test/golden/<path>, or rewrites the file when UPDATE_GOLDEN=1, so an
// intended change shows up as a reviewable diff of the golden file.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './processes.js';

export const GOLDEN_DIR = path.join(REPO_ROOT, 'test', 'golden');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
export const UPDATING_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';

export function assertGolden(relative: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, relative);
  if (UPDATING_GOLDEN) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8');
  } catch {
    assert.fail(
      `missing golden file test/golden/${relative}; create it with UPDATE_GOLDEN=1 npm run test:only -- <test file>`,
    );
  }
  assert.equal(
    actual,
    expected,
    `output differs from test/golden/${relative} (UPDATE_GOLDEN=1 rewrites it if the change is intended)`,
  );
}
