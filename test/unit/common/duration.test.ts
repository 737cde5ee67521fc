import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, formatDuration } from '../../../src/common/duration.js';
import { UsageError } from '../../../src/common/errors.js';

test('parses single and compound durations to milliseconds', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('500us'), 0.5);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('42'), 42);
});

test('rejects malformed durations with a usage error naming the setting', () => {
  for (const bad of ['', 's', '10x', '10 s', '-5s', '1m30', 'ms10']) {
    assert.throws(
      () => parseDuration(bad, '--detect-timeout'),
      (err: unknown) => err instanceof UsageError && err.message.includes('--detect-timeout'),
      bad,
    );
  }
});

test('formats durations compactly', () => {
  assert.equal(formatDuration(0.42), '0.42ms');
  assert.equal(formatDuration(3.14), '3.1ms');
  assert.equal(formatDuration(120), '120ms');
  assert.equal(formatDuration(1500), '1.50s');
  assert.equal(formatDuration(90_000), '1.5m');
});
