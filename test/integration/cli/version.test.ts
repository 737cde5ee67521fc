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
