// A trust anchor (root) and an issuer (intermediate) for the mesh: made for local use by the control plane
// and `meshctl identity create`, and validated when users bring their own.
import { MeshError } from '../common/errors.js';
import {
  EC_ALGORITHM,
  generateKeyPair,
  importPrivateKeyPem,
  privateKeyPem,
  randomSerial,
  x509,
} from './x509.js';

const DAY_MS = 86_400_000;

export interface CertAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export async function createTrustAnchor(trustDomain: string, validityDays = 3650): Promise<CertAndKey> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=root.${trustDomain}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validityDays * DAY_MS),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

export async function createIssuer(
  anchor: CertAndKey,
  trustDomain: string,
  validityDays = 365,
): Promise<CertAndKey> {
  const keys = await generateKeyPair();
  const anchorCert = new x509.X509Certificate(anchor.certPem);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=identity.${trustDomain}`,
    issuer: anchorCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validityDays * DAY_MS),
    signingKey: await importPrivateKeyPem(anchor.keyPem),
    publicKey: keys.publicKey,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(anchorCert),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

export class PkiError extends MeshError {
  constructor(message: string, hint?: string) {
    super('MESH_BAD_CERTIFICATE', message, hint);
  }
}
