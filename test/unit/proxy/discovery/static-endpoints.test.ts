import { test, mock, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseEndpointMap,
  watchEndpointFile,
  type EndpointMap,
} from '../../../../src/proxy/discovery/static-endpoints.js';
import { MeshError, UsageError } from '../../../../src/common/errors.js';
import { startProcess } from '../../../helpers/processes.js';
import { sleep, waitFor } from '../../../helpers/wait.js';

const FILE = 'endpoints.json';

test('parses a good file, normalising authorities and keeping address order', () => {
  const map = parseEndpointMap(
    JSON.stringify({
      'Web.Test': ['127.0.0.1:4143', '[::1]:4143', 'Pod-1.web.ns.svc.cluster.local:8080'],
      'api.test:8080': [],
    }),
    FILE,
  );
  assert.deepEqual(
    [...map],
    [
      [
        'web.test:80',
        [
          { host: '127.0.0.1', port: 4143 },
          { host: '::1', port: 4143 },
          { host: 'pod-1.web.ns.svc.cluster.local', port: 8080 },
        ],
      ],
      ['api.test:8080', []],
    ],
  );
  assert.equal(parseEndpointMap('\ufeff{}', FILE).size, 0, 'a byte-order mark is tolerated');
});

/** Asserts a MESH_BAD_ENDPOINTS usage error whose message contains every fragment. */
function assertBad(text: string, fragments: readonly string[]): void {
  assert.throws(
    () => parseEndpointMap(text, FILE),
    (err: unknown) => {
      assert.ok(err instanceof UsageError, `not a UsageError: ${String(err)}`);
      assert.equal(err.code, 'MESH_BAD_ENDPOINTS');
      for (const fragment of [FILE, ...fragments]) {
        assert.ok(err.message.includes(fragment), `${JSON.stringify(err.message)} lacks ${fragment}`);
      }
      return true;
    },
    text,
  );
}

test('JSON syntax errors name the file, line and column', () => {
  assertBad('{\n  "web.test:80": ["127.0.0.1:4143",]\n}', [`${FILE}:2:36:`, "unexpected ']'"]);
  assertBad('{\n  "web.test": ["127.0.0.1:4143"]\n  "api.test": []\n}', [`${FILE}:3:3:`, "',' or '}'"]);
  assertBad('{"web.test": [', [`${FILE}:1:15:`, 'unexpected end of input']);
  assertBad('', [`${FILE}:1:1:`]);
  assertBad('{"web.test": ["1.2.3.4:80\n"]}', [`${FILE}:1:26:`, 'U+000A']);
  assertBad("{'web.test': []}", [`${FILE}:1:2:`, 'double quotes']);
  assertBad('{"a": []} x', [`${FILE}:1:11:`, "unexpected 'x'"]);
});

test('a top level that is not an object is refused', () => {
  assertBad('[]', ['top level must be an object', 'an array']);
  assertBad('null', ['top level must be an object', 'null']);
  assertBad('"web.test"', ['top level must be an object', 'a string']);
});

test('bad authorities and non-array values name the key and the value', () => {
  assertBad('{"bad key": []}', ['invalid authority "bad key"']);
  assertBad('{"web.test:99999": []}', ['invalid authority "web.test:99999"']);
  assertBad('{"web.test": [], "WEB.test:80": []}', ['"WEB.test:80"', '"web.test"', 'web.test:80']);
  assertBad('{"web.test": "127.0.0.1:80"}', ['"web.test"', 'expected an array', '"127.0.0.1:80"']);
  assertBad('{"web.test": {"a": 1}}', ['"web.test"', 'expected an array', 'an object']);
  assertBad('{"web.test": null}', ['"web.test"', 'expected an array', 'null']);
});

test('bad addresses name the key, the index and the value', () => {
  assertBad('{"web.test": [4143]}', ['"web.test"[0]', 'a number 4143']);
  assertBad('{"web.test": ["127.0.0.1:80", null]}', ['"web.test"[1]', 'null']);
  for (const bad of [
    '127.0.0.1',
    '127.0.0.1:99999',
    '127.0.0.1:0',
    ':4143',
    'a b:80',
    '999.1.1.1:80',
    '[nothost]:80',
    '::1:80',
    ' 127.0.0.1:80',
    '',
  ]) {
    assertBad(JSON.stringify({ 'web.test': ['10.0.0.1:80', bad] }), [
      '"web.test"[1]',
      `invalid address ${JSON.stringify(bad)}`,
    ]);
  }
  assertBad('{"web.test": ["10.0.0.1:80", "10.0.0.1:80"]}', [
    '"web.test"[1]',
    '"10.0.0.1:80" is listed twice',
  ]);
});

// --- watching -------------------------------------------------------------------------------------------

function tempFile(t: TestContext, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshctl-endpoints-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'endpoints.json');
  fs.writeFileSync(file, content);
  return file;
}

interface Recorder {
  maps: EndpointMap[];
  errors: Error[];
  onChange: (map: EndpointMap) => void;
  onError: (err: Error) => void;
}

function recorder(): Recorder {
  const r: Recorder = {
    maps: [],
    errors: [],
    onChange: (map) => r.maps.push(map),
    onError: (err) => r.errors.push(err),
  };
  return r;
}

/**
 * Counts the watcher's polls (each starts with one stat), so a test can wait until a poll has certainly
 * seen a write: the next poll is only scheduled once the previous one has finished.
 */
function pollCounter(t: TestContext): { count: () => number; afterPolls: (n: number) => Promise<void> } {
  const stat = mock.method(fs.promises, 'stat');
  t.after(() => stat.mock.restore());
  return {
    count: () => stat.mock.callCount(),
    afterPolls: async (n: number) => {
      const target = stat.mock.callCount() + n;
      await waitFor(() => stat.mock.callCount() >= target, { timeoutMs: 5_000, what: `${n} polls` });
    },
  };
}

const INTERVAL = 50;
const GOOD = JSON.stringify({ 'web.test': ['127.0.0.1:4143'] });
const CHANGED = JSON.stringify({ 'web.test': ['127.0.0.1:4143', '127.0.0.1:4144'] });

test('the initial load is synchronous and throws on a missing or invalid file', (t) => {
  const file = tempFile(t, GOOD);
  const r = recorder();
  const stop = watchEndpointFile(file, r.onChange, r.onError, INTERVAL);
  t.after(stop);
  assert.equal(r.maps.length, 1, 'onChange ran before watchEndpointFile returned');
  assert.deepEqual(r.maps[0]?.get('web.test:80'), [{ host: '127.0.0.1', port: 4143 }]);

  const missing = path.join(path.dirname(file), 'nope.json');
  assert.throws(
    () => watchEndpointFile(missing, r.onChange, r.onError, INTERVAL),
    (err: unknown) =>
      err instanceof UsageError && err.code === 'MESH_BAD_ENDPOINTS' && err.message.includes(missing),
  );
  const bad = tempFile(t, '{"web.test": [}');
  assert.throws(
    () => watchEndpointFile(bad, r.onChange, r.onError, INTERVAL),
    (err: unknown) => err instanceof UsageError && err.message.includes(`${bad}:1:15:`),
  );
  assert.equal(r.maps.length, 1);
});

test('a change is picked up within a couple of intervals', async (t) => {
  const file = tempFile(t, GOOD);
  const r = recorder();
  const stop = watchEndpointFile(file, r.onChange, r.onError, INTERVAL);
  t.after(stop);
  const writtenAt = Date.now();
  fs.writeFileSync(file, CHANGED);
  await waitFor(() => r.maps.length === 2, { timeoutMs: 20 * INTERVAL, what: 'the change' });
  const latency = Date.now() - writtenAt;
  t.diagnostic(`change seen after ${latency} ms (interval ${INTERVAL} ms)`);
  assert.equal(r.maps[1]?.get('web.test:80')?.length, 2);
  assert.deepEqual(r.errors, []);
});

test('identical rewrites and touches do not fire onChange', async (t) => {
  const file = tempFile(t, GOOD);
  const r = recorder();
  const polls = pollCounter(t);
  const stop = watchEndpointFile(file, r.onChange, r.onError, INTERVAL);
  t.after(stop);
  fs.writeFileSync(file, GOOD);
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(file, later, later);
  await polls.afterPolls(2);
  assert.equal(r.maps.length, 1);
  assert.deepEqual(r.errors, []);
});

test('an invalid change keeps the last good map, is reported once, and recovery fires again', async (t) => {
  const file = tempFile(t, GOOD);
  const r = recorder();
  const polls = pollCounter(t);
  const stop = watchEndpointFile(file, r.onChange, r.onError, INTERVAL);
  t.after(stop);

  fs.writeFileSync(file, '{"web.test": ["127.0.0.1"]}');
  await waitFor(() => r.errors.length === 1, { timeoutMs: 20 * INTERVAL, what: 'onError' });
  const err = r.errors[0];
  assert.ok(err instanceof MeshError && err.code === 'MESH_BAD_ENDPOINTS', String(err));
  assert.ok(err.message.includes(file) && err.message.includes('"127.0.0.1"'), err.message);
  assert.equal(r.maps.length, 1, 'the last good map stays in force');

  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(file, later, later);
  await polls.afterPolls(2);
  assert.equal(r.errors.length, 1, 'the same bad content is reported once');

  fs.writeFileSync(file, CHANGED);
  await waitFor(() => r.maps.length === 2, { timeoutMs: 20 * INTERVAL, what: 'recovery' });
  assert.equal(r.maps[1]?.get('web.test:80')?.length, 2);
});

test('a deleted file is reported once and picked up again when it comes back', async (t) => {
  const file = tempFile(t, GOOD);
  const r = recorder();
  const polls = pollCounter(t);
  const stop = watchEndpointFile(file, r.onChange, r.onError, INTERVAL);
  t.after(stop);
  fs.rmSync(file);
  await waitFor(() => r.errors.length === 1, { timeoutMs: 20 * INTERVAL, what: 'onError' });
  assert.match(r.errors[0]?.message ?? '', /not found/);
  await polls.afterPolls(2);
  assert.equal(r.errors.length, 1);
  fs.writeFileSync(file, CHANGED);
  await waitFor(() => r.maps.length === 2, { timeoutMs: 20 * INTERVAL, what: 'the file again' });
});

test('stop() ends polling and notifications', async (t) => {
  const file = tempFile(t, GOOD);
  const r = recorder();
  const polls = pollCounter(t);
  const stop = watchEndpointFile(file, r.onChange, r.onError, INTERVAL);
  await polls.afterPolls(1);
  stop();
  const before = polls.count();
  fs.writeFileSync(file, CHANGED);
  // Proving that nothing happens needs a wait; a few intervals is plenty for a 50 ms poller.
  await sleep(5 * INTERVAL);
  assert.equal(polls.count(), before, 'no polls after stop()');
  assert.equal(r.maps.length, 1);
  assert.deepEqual(r.errors, []);
  stop(); // idempotent
});

test('a watcher never keeps the process alive', async (t) => {
  const file = tempFile(t, GOOD);
  const moduleUrl = new URL('../../../../src/proxy/discovery/static-endpoints.js', import.meta.url).href;
  const script =
    `import { watchEndpointFile } from ${JSON.stringify(moduleUrl)};\n` +
    `watchEndpointFile(${JSON.stringify(file)}, () => console.log('loaded'), (e) => console.error(e), 20);\n`;
  const child = startProcess(t, process.execPath, ['--input-type=module', '-e', script]);
  const code = await waitFor(
    () => (child.child.exitCode ?? child.child.signalCode ?? undefined) as number | string | undefined,
    { timeoutMs: 10_000, what: 'the process to exit by itself' },
  );
  assert.equal(code, 0, child.stderr());
  assert.equal(child.stdout().trim(), 'loaded');
});
