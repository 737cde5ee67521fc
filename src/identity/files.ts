// The identity directory on disk: ca.crt (trust anchors), issuer.crt and issuer.key, as written by
// `meshctl identity create` and read by the identity component and proxies.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MeshError } from '../common/errors.js';
import { PKI_ERRORS, PkiError, validateChain, type CertAndKey } from './pki.js';
import { type IssuerOptions, DEFAULT_ISSUER_OPTIONS, Issuer } from './issuer.js';

export const TRUST_ANCHORS_FILE = 'ca.crt';
export const TRUST_ANCHOR_KEY_FILE = 'ca.key';
export const ISSUER_CERT_FILE = 'issuer.crt';
export const ISSUER_KEY_FILE = 'issuer.key';

function read(dir: string, file: string): string {
  const p = path.join(dir, file);
  try {
    return readFileSync(p, 'utf8');
  } catch (err) {
    throw new MeshError(
      'MESH_IDENTITY_FILES',
      `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'create the identity directory with `meshctl identity create --out DIR`',
    );
  }
}

export async function loadIssuerDir(
  dir: string,
  options: IssuerOptions = DEFAULT_ISSUER_OPTIONS,
): Promise<Issuer> {
  const issuer: CertAndKey = { certPem: read(dir, ISSUER_CERT_FILE), keyPem: read(dir, ISSUER_KEY_FILE) };
  try {
    // Users may bring their own anchor and issuer: refuse unusable ones with the precise reason.
    validateChain({
      trustAnchorsPem: read(dir, TRUST_ANCHORS_FILE),
      issuerCertPem: issuer.certPem,
      issuerKeyPem: issuer.keyPem,
      sources: {
        trustAnchors: path.join(dir, TRUST_ANCHORS_FILE),
        issuerCert: path.join(dir, ISSUER_CERT_FILE),
        issuerKey: path.join(dir, ISSUER_KEY_FILE),
      },
    });
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError(PKI_ERRORS.badPem, `${dir}: ${(err as Error).message}`);
  }
  try {
    return await Issuer.load(issuer, options);
  } catch (err) {
    throw new MeshError('MESH_IDENTITY_FILES', `invalid issuer in ${dir}: ${(err as Error).message}`);
  }
}

export function readTrustAnchors(dir: string): string {
  return read(dir, TRUST_ANCHORS_FILE);
}

/** Writes an anchor and issuer; private keys are readable by the owner only. */
export function writeIdentityDir(dir: string, anchor: CertAndKey, issuer: CertAndKey): void {
  mkdirSync(dir, { recursive: true });
  const write = (file: string, text: string, secret: boolean): void => {
    const p = path.join(dir, file);
    writeFileSync(p, text, { mode: secret ? 0o600 : 0o644 });
    if (secret) chmodSync(p, 0o600);
  };
  write(TRUST_ANCHORS_FILE, anchor.certPem, false);
  write(TRUST_ANCHOR_KEY_FILE, anchor.keyPem, true);
  write(ISSUER_CERT_FILE, issuer.certPem, false);
  write(ISSUER_KEY_FILE, issuer.keyPem, true);
}
