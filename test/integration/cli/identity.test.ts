// `meshctl identity create` and `inspect`: correct output for good certificates, and a precise error with
// exit code 1 for expired, wrong-chain and garbage input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createIssuer, createTrustAnchor } from '../../../src/identity/pki.js';
import { runMeshctl } from '../../helpers/processes.js';

test('create writes an anchor and issuer that inspect describes, table and JSON', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-id-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const created = await runMeshctl(['identity', 'create', '--out', dir, '--trust-domain', 'example.org']);
  assert.equal(created.code, 0, created.stderr);
  const table = await runMeshctl(['identity', 'inspect', path.join(dir, 'issuer.crt')]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Subject: +CN=identity\.example\.org/);
  assert.match(table.stdout, /Issuer: +CN=root\.example\.org/);
  assert.match(table.stdout, /Algorithm: +ECDSA P-256 \(CA\)/);
  assert.match(table.stdout, /Days left: +36[45]/);
  const json = await runMeshctl(['identity', 'inspect', '-', '-o', 'json'], {
    input:
      readFileSync(path.join(dir, 'issuer.crt'), 'utf8') + readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
  });
  assert.equal(json.code, 0, json.stderr);
  const certs = JSON.parse(json.stdout) as {
    subject: string;
    isCa: boolean;
    daysLeft: number;
    expired: boolean;
  }[];
  assert.deepEqual(
    certs.map((c) => [c.subject, c.isCa, c.expired]),
    [
      ['CN=identity.example.org', true, false],
      ['CN=root.example.org', true, false],
    ],
  );
  assert.ok((certs[1]?.daysLeft ?? 0) > 3600);
});

test('expired, wrong-chain and garbage input give a precise error and exit 1', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-id-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const old = await createTrustAnchor({
    trustDomain: 'old.test',
    validityDays: 1,
    now: new Date(Date.now() - 10 * 86_400_000),
  });
  const anchor = await createTrustAnchor({ trustDomain: 'a.test' });
  const issuer = await createIssuer(anchor, { trustDomain: 'a.test' });
  const files: Record<string, string> = {
    expired: old.certPem,
    wrongChain: anchor.certPem + issuer.certPem,
    garbage: 'hello, not a certificate\n',
    damaged: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  };
  const expected: Record<string, RegExp> = {
    expired: /certificate 1 expired on 20\d\d-/,
    wrongChain: /certificate 2 \(CN=identity\.a\.test\) did not issue certificate 1 \(CN=root\.a\.test\)/,
    garbage: /no PEM certificate found/,
    damaged: /unreadable certificate/,
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, `${name}.pem`);
    writeFileSync(file, text);
    const r = await runMeshctl(['identity', 'inspect', file]);
    assert.equal(r.code, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, expected[name] as RegExp, name);
  }
  // An expired certificate is still described before the error.
  const r = await runMeshctl(['identity', 'inspect', path.join(dir, 'expired.pem')]);
  assert.match(r.stdout, /Days left: +EXPIRED/);
  const missing = await runMeshctl(['identity', 'inspect', path.join(dir, 'nope.pem')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*nope\.pem: ENOENT/);
});
