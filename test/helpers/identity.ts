// Identity material for tests: a fresh anchor and issuer on disk (as `meshctl identity create` writes them),
// and leaves minted directly for clients that play a peer proxy in handshake tests.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { createIssuer, createTrustAnchor } from '../../src/identity/pki.js';
import { writeIdentityDir, loadIssuerDir } from '../../src/identity/files.js';
import { createWorkloadKey, derToPem } from '../../src/identity/workload-key.js';

export interface TestIdentityDir {
  readonly dir: string;
  readonly trustAnchorsFile: string;
  readonly trustAnchorsPem: string;
}

export async function makeIdentityDir(
  t: TestContext,
  trustDomain = 'cluster.local',
): Promise<TestIdentityDir> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const anchor = await createTrustAnchor({ trustDomain });
  writeIdentityDir(dir, anchor, await createIssuer(anchor, { trustDomain }));
  const trustAnchorsFile = path.join(dir, 'ca.crt');
  return { dir, trustAnchorsFile, trustAnchorsPem: readFileSync(trustAnchorsFile, 'utf8') };
}

/** A key and a certificate for `identity` from the directory's issuer (optionally already expired). */
export async function mintLeaf(
  dir: string,
  identity: string,
  options: { expired?: boolean } = {},
): Promise<{ key: string; cert: string }> {
  const key = await createWorkloadKey(identity);
  const issuer = await loadIssuerDir(dir, { lifetimeMs: 3_600_000, clockSkewMs: 0 });
  const now = options.expired ? Date.now() - 2 * 86_400_000 : Date.now();
  const leaf = await issuer.issue(key.csrDer, identity, now);
  return {
    key: key.keyPem,
    cert: derToPem(leaf.leafDer) + leaf.intermediatesDer.map((d) => derToPem(d)).join(''),
  };
}

export function meshIdentity(sa: string, ns: string): string {
  return `${sa}.${ns}.serviceaccount.identity.mesh.cluster.local`;
}
