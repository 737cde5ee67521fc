// The mesh's certificate authority work, PEM in and PEM out: a trust anchor (root), an issuer (intermediate)
// signed by it, a serving certificate for the admission webhook, and the validation of a chain a user brings.
// ECDSA P-256 with SHA-256 throughout, on @peculiar/x509 over node:crypto's WebCrypto; checks use
// node:crypto's X509Certificate where it suffices.
import { X509Certificate, createHash, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { MeshError } from '../common/errors.js';
import { EC_ALGORITHM, generateKeyPair, privateKeyPem, randomSerial, x509 } from './x509.js';

const DAY_MS = 86_400_000;
/** Certificates are backdated a little so that peers whose clocks run behind still accept them. */
const BACKDATE_MS = 60_000;

/** A certificate and its private key, both PEM. */
export interface CertAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Error codes of this module; tests and `meshctl check` match on these, never on the wording. */
export const PKI_ERRORS = {
  badPem: 'MESH_PKI_BAD_PEM',
  notCa: 'MESH_PKI_NOT_CA',
  keyUsage: 'MESH_PKI_KEY_USAGE',
  expired: 'MESH_PKI_EXPIRED',
  notYetValid: 'MESH_PKI_NOT_YET_VALID',
  notSignedByAnchor: 'MESH_PKI_NOT_SIGNED_BY_ANCHOR',
  keyMismatch: 'MESH_PKI_KEY_MISMATCH',
  algorithm: 'MESH_PKI_ALGORITHM',
} as const;
export type PkiErrorCode = (typeof PKI_ERRORS)[keyof typeof PKI_ERRORS];

export class PkiError extends MeshError {
  declare readonly code: PkiErrorCode;
  constructor(code: PkiErrorCode, message: string, hint?: string) {
    super(code, message, hint);
    this.name = 'PkiError';
  }
}

export interface TrustAnchorOptions {
  /** Names the subject `root.<trustDomain>`; pass the mesh's identity domain, e.g. `mesh.cluster.local`. */
  readonly trustDomain: string;
  /** Default 3650 (10 years): a root is rotated rarely and deliberately. */
  readonly validityDays?: number;
  readonly now?: Date;
}

export interface IssuerOptions {
  /** Names the subject `identity.<trustDomain>`. */
  readonly trustDomain: string;
  /** Default 365: the issuer is meant to be rotated yearly, the root stays. */
  readonly validityDays?: number;
  readonly now?: Date;
}

export interface ServingCertificateOptions {
  /** DNS names the server answers to, e.g. `mesh-injector.mesh.svc`; the first also names the subject. */
  readonly dnsNames: readonly string[];
  readonly validityDays?: number;
  readonly now?: Date;
}

/** A serving certificate and the throwaway CA that signed it (whose PEM goes into a caBundle). */
export interface ServingCertificate extends CertAndKey {
  readonly caPem: string;
}

/** Imports a PEM private key (PKCS#8 or SEC1 `EC PRIVATE KEY`, as `step` and openssl write them) for signing. */
export async function importSigningKey(pem: string, source: string): Promise<webcrypto.CryptoKey> {
  const key = readPrivateKey(pem, source);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, EC_ALGORITHM, false, ['sign']);
}

function readPrivateKey(pem: string, source: string): ReturnType<typeof createPrivateKey> {
  if (/ENCRYPTED/.test(pem)) {
    throw new PkiError(
      PKI_ERRORS.badPem,
      `${source}: encrypted private keys are not supported`,
      'decrypt it first, e.g. `openssl ec -in key.pem -out plain.pem`',
    );
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new PkiError(
      PKI_ERRORS.badPem,
      `${source}: not a PEM private key (${(err as Error).message})`,
      'expected -----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----',
    );
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new PkiError(
      PKI_ERRORS.algorithm,
      `${source}: the key is ${describeKey(key)}, but the mesh signs with ECDSA P-256`,
      'create an ECDSA P-256 key, e.g. `step certificate create ... --kty EC --crv P-256`',
    );
  }
  return key;
}

function describeKey(key: {
  asymmetricKeyType?: string;
  asymmetricKeyDetails?: { namedCurve?: string };
}): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve ? `${type.toUpperCase()} ${curve}` : type.toUpperCase();
}

function validity(now: Date | undefined, days: number): { notBefore: Date; notAfter: Date } {
  const t = (now ?? new Date()).getTime();
  return { notBefore: new Date(t - BACKDATE_MS), notAfter: new Date(t + days * DAY_MS) };
}

function certPem(cert: x509.X509Certificate): string {
  return cert.toString('pem') + '\n';
}

const CA_USAGES = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

/** A self-signed root, allowed to sign one level of intermediates (the issuer). */
export async function createTrustAnchor(options: TrustAnchorOptions): Promise<CertAndKey> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=root.${options.trustDomain}`,
    ...validity(options.now, options.validityDays ?? 3650),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(CA_USAGES, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: certPem(cert), keyPem: await privateKeyPem(keys.privateKey) };
}

/** An intermediate CA signed by the anchor; it signs workload certificates only (path length 0). */
export async function createIssuer(anchor: CertAndKey, options: IssuerOptions): Promise<CertAndKey> {
  const anchorCert = new x509.X509Certificate(anchor.certPem);
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=identity.${options.trustDomain}`,
    issuer: anchorCert.subject,
    ...validity(options.now, options.validityDays ?? 365),
    signingKey: await importSigningKey(anchor.keyPem, 'trust anchor key'),
    publicKey: keys.publicKey,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(CA_USAGES, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(anchorCert),
    ],
  });
  return { certPem: certPem(cert), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * A TLS server certificate for the given DNS names, signed by a CA made for it alone. The CA's key is
 * discarded, so nothing else can ever be signed by what the API server trusts through the caBundle.
 */
export async function createServingCertificate(
  options: ServingCertificateOptions,
): Promise<ServingCertificate> {
  const first = options.dnsNames[0];
  if (first === undefined) throw new Error('createServingCertificate needs at least one DNS name');
  const days = options.validityDays ?? 365;
  const caKeys = await generateKeyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=webhook-ca.${first}`,
    ...validity(options.now, days),
    keys: caKeys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${first}`,
    issuer: ca.subject,
    ...validity(options.now, days),
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: 'dns', value }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { caPem: certPem(ca), certPem: certPem(cert), keyPem: await privateKeyPem(keys.privateKey) };
}

/** Splits a PEM bundle into certificates; `source` names the file in errors. */
export function parseCertificates(pem: string, source: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new PkiError(
      PKI_ERRORS.badPem,
      `${source}: no PEM certificate found`,
      'expected one or more -----BEGIN CERTIFICATE----- blocks',
    );
  }
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      const which = blocks.length > 1 ? ` (certificate ${i + 1} of ${blocks.length})` : '';
      throw new PkiError(
        PKI_ERRORS.badPem,
        `${source}${which}: unreadable certificate: ${(err as Error).message}`,
      );
    }
  });
}

/** Hex SHA-256 of the trust-anchor PEM bundle as given; pods carry it so a root rotation can be seen. */
export function trustRootSha256(pem: string): string {
  return createHash('sha256').update(pem).digest('hex');
}

/** What validation found: facts for `meshctl check`, and warnings that are not (yet) failures. */
export interface ChainReport {
  readonly anchors: readonly CertificateSummary[];
  readonly issuer: CertificateSummary;
  readonly warnings: readonly string[];
}

export interface CertificateSummary {
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly sha256: string;
}

export interface ChainInput {
  readonly trustAnchorsPem: string;
  readonly issuerCertPem: string;
  readonly issuerKeyPem: string;
  /** Names used in messages, normally the file names; default "trust anchors", "issuer certificate", "issuer key". */
  readonly sources?: {
    readonly trustAnchors?: string;
    readonly issuerCert?: string;
    readonly issuerKey?: string;
  };
}

export interface ChainOptions {
  readonly now?: Date;
  /** Warn when a certificate expires within this many days (Linkerd's check uses 60). */
  readonly warnWithinDays?: number;
}

function summary(cert: X509Certificate): CertificateSummary {
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    sha256: cert.fingerprint256,
  };
}

function checkCa(cert: X509Certificate, source: string): void {
  if (!cert.ca) {
    throw new PkiError(
      PKI_ERRORS.notCa,
      `${source}: "${summary(cert).subject}" is not a CA certificate (basic constraints CA:TRUE missing)`,
      'the trust anchor and the issuer must both be CA certificates',
    );
  }
  const parsed = new x509.X509Certificate(cert.raw);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  // Without the extension every usage is allowed (RFC 5280 §4.2.1.3); with it, keyCertSign must be there.
  if (usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new PkiError(
      PKI_ERRORS.keyUsage,
      `${source}: "${summary(cert).subject}" may not sign certificates (key usage lacks keyCertSign)`,
    );
  }
}

function checkValidity(cert: X509Certificate, source: string, now: Date): void {
  const s = summary(cert);
  if (now < s.notBefore) {
    throw new PkiError(
      PKI_ERRORS.notYetValid,
      `${source}: "${s.subject}" is not valid before ${s.notBefore.toISOString()}`,
      "check this machine's clock",
    );
  }
  if (now > s.notAfter) {
    throw new PkiError(
      PKI_ERRORS.expired,
      `${source}: "${s.subject}" expired on ${s.notAfter.toISOString()}`,
      'create a new one; an expired issuer stops all new workload certificates',
    );
  }
}

/**
 * Checks that a user-supplied trust anchor bundle, issuer certificate and issuer key form a usable chain:
 * every certificate parses, is a CA allowed to sign, is within its validity period, the issuer is signed by
 * one of the anchors, its key is ECDSA P-256 and matches the certificate. Throws PkiError on the first
 * problem, naming the file and the certificate; returns a summary with warnings for near expiry.
 */
export function validateChain(input: ChainInput, options: ChainOptions = {}): ChainReport {
  const now = options.now ?? new Date();
  const src = {
    trustAnchors: input.sources?.trustAnchors ?? 'trust anchors',
    issuerCert: input.sources?.issuerCert ?? 'issuer certificate',
    issuerKey: input.sources?.issuerKey ?? 'issuer key',
  };
  const anchors = parseCertificates(input.trustAnchorsPem, src.trustAnchors);
  for (const a of anchors) {
    checkCa(a, src.trustAnchors);
    checkValidity(a, src.trustAnchors, now);
  }
  const issuers = parseCertificates(input.issuerCertPem, src.issuerCert);
  const issuer = issuers[0] as X509Certificate;
  checkCa(issuer, src.issuerCert);
  checkValidity(issuer, src.issuerCert, now);
  if (
    issuer.publicKey.asymmetricKeyType !== 'ec' ||
    issuer.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new PkiError(
      PKI_ERRORS.algorithm,
      `${src.issuerCert}: the issuer's key is ${describeKey(issuer.publicKey)}, but the mesh issues with ECDSA P-256`,
    );
  }
  const signer = anchors.find((a) => issuer.checkIssued(a) && issuer.verify(a.publicKey));
  if (signer === undefined) {
    throw new PkiError(
      PKI_ERRORS.notSignedByAnchor,
      `${src.issuerCert}: "${summary(issuer).subject}" is not signed by any certificate in ${src.trustAnchors}` +
        ` (issuer named "${issuer.issuer.replace(/\n/g, ', ')}")`,
      'pass the root that signed the issuer with --identity-trust-anchors-file',
    );
  }
  const key = readPrivateKey(input.issuerKeyPem, src.issuerKey);
  const spki = (k: ReturnType<typeof createPublicKey>): Buffer => k.export({ format: 'der', type: 'spki' });
  if (!spki(createPublicKey(key)).equals(spki(issuer.publicKey))) {
    throw new PkiError(
      PKI_ERRORS.keyMismatch,
      `${src.issuerKey} does not belong to ${src.issuerCert} (the public keys differ)`,
    );
  }
  const warnings: string[] = [];
  const warnMs = (options.warnWithinDays ?? 60) * DAY_MS;
  const soon = (cert: X509Certificate, what: string): void => {
    const s = summary(cert);
    if (s.notAfter.getTime() - now.getTime() < warnMs) {
      warnings.push(`${what} "${s.subject}" expires on ${s.notAfter.toISOString()}`);
    }
  };
  anchors.forEach((a) => soon(a, 'trust anchor'));
  soon(issuer, 'issuer certificate');
  if (summary(issuer).notAfter > summary(signer).notAfter) {
    warnings.push(
      `issuer certificate outlives its trust anchor (${summary(signer).notAfter.toISOString()}); it stops being trusted then`,
    );
  }
  return { anchors: anchors.map(summary), issuer: summary(issuer), warnings };
}
