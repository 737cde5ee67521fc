import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMeshctl } from '../../helpers/processes.js';
import { VERSION } from '../../../src/common/version.js';

test('version -o json has stable fields', async () => {
  const r = await runMeshctl(['version', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { client: { version: string; node: string; platform: string } };
  assert.equal(doc.client.version, VERSION);
  assert.match(doc.client.node, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof doc.client.platform, 'string');
});

test('unknown commands and bad flags are usage errors (exit 2)', async () => {
  const r1 = await runMeshctl(['no-such-command']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /unknown command/);
  const r2 = await runMeshctl(['version', '-o', 'xml']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /xml/);
});

test('proxy --help documents every flag with its environment variable', async () => {
  const r = await runMeshctl(['proxy', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const name of [
    'inbound',
    'outbound',
    'admin',
    'app',
    'endpoints',
    'log-level',
    'opaque-ports',
    'detect-timeout',
  ]) {
    assert.match(r.stdout, new RegExp(`--${name} <`), name);
  }
  for (const env of [
    'MESH_PROXY_INBOUND',
    'MESH_PROXY_OUTBOUND',
    'MESH_PROXY_ADMIN',
    'MESH_PROXY_APP',
    'MESH_PROXY_ENDPOINTS',
  ]) {
    assert.ok(r.stdout.includes(env), env);
  }
});

test('a bad proxy setting names the flag or variable and exits 2', async () => {
  const r = await runMeshctl(['proxy', '--app', '127.0.0.1:1'], {
    env: { MESH_PROXY_DETECT_TIMEOUT: 'soon' },
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /MESH_PROXY_DETECT_TIMEOUT/);
});

test('meshctl refuses a Node older than 22.19 with a clear message', async () => {
  const { execFile } = await import('node:child_process');
  const { MESHCTL_BIN } = await import('../../helpers/processes.js');
  // The machine's own node (outside npm's PATH) is the old one on this machine kind; skip where it is not.
  const system = await new Promise<{ out: string; code: number | null }>((resolve) =>
    execFile('/usr/bin/env', ['-i', 'PATH=/usr/local/bin:/usr/bin:/bin', 'node', '--version'], (e, out) =>
      resolve({ out: String(out).trim(), code: e ? 1 : 0 }),
    ),
  );
  const [major = 0, minor = 0] = system.out.replace(/^v/, '').split('.').map(Number);
  if (system.code !== 0 || major > 22 || (major === 22 && minor >= 19)) return;
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
    execFile(
      '/usr/bin/env',
      ['-i', 'PATH=/usr/local/bin:/usr/bin:/bin', 'node', MESHCTL_BIN, 'version'],
      (e, _o, stderr) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stderr: String(stderr) }),
    ),
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /meshctl needs Node\.js 22\.19 or newer \(found 2\d\./);
  assert.match(r.stderr, /npm exec -- meshctl/);
});
