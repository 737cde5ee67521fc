import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatPercent,
  formatRps,
  formatWindow,
  successHealth,
  truncateMiddle,
} from '../../../src/tui/format.js';
import { parseResource, resourceLabel } from '../../../src/tui/target.js';
import { UsageError } from '../../../src/common/errors.js';

test('numbers have fixed precision and "-" for no data', () => {
  assert.equal(formatPercent(0.99123), '99.12%');
  assert.equal(formatPercent(null), '-');
  assert.equal(formatRps(0), '0');
  assert.equal(formatRps(0.25), '0.25');
  assert.equal(formatRps(12.34), '12.3');
  assert.equal(formatWindow(60_000), '1m');
  assert.equal(formatWindow(10_000), '10s');
  assert.equal(formatWindow(3_600_000), '1h');
});

test('long names are cut in the middle', () => {
  assert.equal(truncateMiddle('/api/v1/users/{id}/items', 12), '/api/v…items');
  assert.equal(truncateMiddle('short', 12), 'short');
  assert.equal([...truncateMiddle('x'.repeat(100), 20)].length, 20);
});

test('success thresholds', () => {
  assert.equal(successHealth(0.995), 'good');
  assert.equal(successHealth(0.97), 'warn');
  assert.equal(successHealth(0.5), 'bad');
  assert.equal(successHealth(null), 'none');
});

test('resources parse kubectl-style', () => {
  assert.deepEqual(parseResource('ns/demo', 'default'), { type: 'namespace', namespace: '', name: 'demo' });
  assert.deepEqual(parseResource('deploy/web', 'demo'), { type: 'workload', namespace: 'demo', name: 'web' });
  assert.deepEqual(parseResource('svc', 'demo'), { type: 'service', namespace: 'demo', name: '' });
  assert.deepEqual(parseResource('authority/web.demo:80', 'demo'), {
    type: 'authority',
    namespace: 'demo',
    name: 'web.demo:80',
  });
  assert.equal(resourceLabel(parseResource('po/web-0', 'demo')), 'pod/web-0 (ns demo)');
  for (const bad of ['foo/bar', 'deploy/', '']) {
    assert.throws(
      () => parseResource(bad, 'demo', '--to'),
      (e: unknown) => e instanceof UsageError && e.message.includes('--to'),
    );
  }
});
