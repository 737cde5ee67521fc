import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/common/errors.js';
import {
  displayResource,
  parseResourceArgs,
  parseResourceFlag,
  toWireResource,
} from '../../../src/cli/resource.js';

test('TYPE, TYPE NAME and TYPE/NAME name the same resource, with kubectl aliases', () => {
  const web = { kind: 'workload', namespace: 'demo', name: 'web' };
  for (const args of [
    ['workload', 'web'],
    ['workload/web'],
    ['deploy/web'],
    ['deployment', 'web'],
    ['DEPLOY/web'],
  ]) {
    assert.deepEqual(parseResourceArgs(args, 'demo'), web, args.join(' '));
  }
  assert.deepEqual(parseResourceArgs(['po'], 'x'), { kind: 'pod', namespace: 'x', name: '' });
  assert.deepEqual(parseResourceArgs(['svc/books'], 'demo'), {
    kind: 'service',
    namespace: 'demo',
    name: 'books',
  });
  assert.deepEqual(parseResourceArgs(['pods', 'web-0'], 'demo'), {
    kind: 'pod',
    namespace: 'demo',
    name: 'web-0',
  });
  assert.deepEqual(parseResourceArgs(['au/web.demo:80'], 'demo'), {
    kind: 'authority',
    namespace: 'demo',
    name: 'web.demo:80',
  });
  // A namespace's name is the namespace: it lives in none.
  assert.deepEqual(parseResourceArgs(['ns/demo'], 'other'), {
    kind: 'namespace',
    namespace: '',
    name: 'demo',
  });
});

test('unknown types and malformed arguments are usage errors naming the valid types', () => {
  const usage = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof UsageError && re.test(e.message));
  usage(
    () => parseResourceArgs(['deployz'], 'd'),
    /unknown resource type "deployz": expected namespace \(ns\), workload \(deployment, deploy\), pod \(po\), service \(svc\), authority \(au\)/,
  );
  usage(() => parseResourceArgs([], 'd'), /missing resource/);
  usage(() => parseResourceArgs(['workload/web', 'extra'], 'd'), /unexpected argument "extra"/);
  usage(() => parseResourceArgs(['workload', 'a', 'b'], 'd'), /unexpected argument "b"/);
  usage(() => parseResourceArgs(['workload/'], 'd'), /invalid workload name ""/);
  usage(() => parseResourceArgs(['workload/a/b'], 'd'), /invalid workload name "a\/b"/);
  usage(
    () => parseResourceArgs(['svc'], 'd', ['workload', 'pod']),
    /expected workload \(deployment, deploy\), pod \(po\)$/,
  );
  usage(() => parseResourceFlag('bogus/x', '--to', 'd'), /unknown --to type "bogus"/);
});

test('--to/--from take TYPE or TYPE/NAME in the -n namespace', () => {
  assert.deepEqual(parseResourceFlag('svc/authors', '--to', 'demo'), {
    kind: 'service',
    namespace: 'demo',
    name: 'authors',
  });
  assert.deepEqual(parseResourceFlag('deploy', '--from', 'demo'), {
    kind: 'workload',
    namespace: 'demo',
    name: '',
  });
});

test('wire and display forms', () => {
  const r = parseResourceArgs(['deploy/web'], 'demo');
  assert.deepEqual(toWireResource(r), { type: 'workload', namespace: 'demo', name: 'web' });
  assert.equal(displayResource(r), 'workload/web');
  assert.equal(displayResource({ kind: 'service', name: '' }), 'svc');
  assert.equal(displayResource({ kind: 'pod', name: 'web-0' }), 'po/web-0');
});
