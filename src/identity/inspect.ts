// Reading certificates for people and for checks: what a PEM holds (subject, SANs, issuer, algorithm,
// validity), whether a chain links up, and whether an issuer is usable with its anchors.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { PkiError } from './ca.js';
import { x509 } from './x509.js';

export interface CertificateInfo {
  subject: string;
  sans: string[];
  issuer: string;
  algorithm: string;
  isCa: boolean;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  expired: boolean;
  serialNumber: string;
  fingerprintSha256: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses every certificate of a PEM text; precise errors for text that holds none or a damaged one. */
export function parseCertificates(pem: string, source: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new PkiError(`${source} holds no PEM certificate`, 'expected -----BEGIN CERTIFICATE----- blocks');
  }
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new PkiError(`${source}: certificate ${i + 1} cannot be parsed: ${(err as Error).message}`);
    }
  });
}

function algorithmOf(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec')
    return `ECDSA ${details?.namedCurve === 'prime256v1' ? 'P-256' : (details?.namedCurve ?? '')}`.trim();
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details?.modulusLength ?? ''}`.trim();
  return (key.asymmetricKeyType ?? 'unknown').toUpperCase();
}

export function describe(cert: X509Certificate, now = Date.now()): CertificateInfo {
  const notAfter = new Date(cert.validTo);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    sans: cert.subjectAltName ? cert.subjectAltName.split(', ') : [],
    issuer: cert.issuer.replace(/\n/g, ', '),
    algorithm: algorithmOf(cert),
    isCa: cert.ca,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now) / 86_400_000),
    expired: notAfter.getTime() < now,
    serialNumber: cert.serialNumber,
    fingerprintSha256: cert.fingerprint256,
  };
}

/** Checks that each certificate of a bundle was issued (and signed) by the next one. */
export function checkChainOrder(certs: readonly X509Certificate[], source: string): void {
  for (let i = 0; i + 1 < certs.length; i++) {
    const child = certs[i] as X509Certificate;
    const parent = certs[i + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new PkiError(
        `${source}: certificate ${i + 2} (${parent.subject.replace(/\n/g, ', ')}) did not issue certificate ${i + 1} (${child.subject.replace(/\n/g, ', ')})`,
        'a bundle lists the leaf first, then each issuer',
      );
    }
  }
}

function hasKeyCertSign(cert: X509Certificate): boolean {
  const ku = new x509.X509Certificate(cert.raw).getExtension(x509.KeyUsagesExtension);
  return ku !== null && (ku.usages & x509.KeyUsageFlags.keyCertSign) !== 0;
}

/**
 * Validates a user's (or a generated) issuer for the identity service: anchors and issuer are CAs that may
 * sign certificates, the issuer chains to one of the anchors, neither is expired or not yet valid, and the
 * key belongs to the issuer certificate. Throws PkiError naming the problem.
 */
export function validateIssuer(
  anchorsPem: string,
  issuerCertPem: string,
  issuerKeyPem: string,
  now = Date.now(),
): void {
  const anchors = parseCertificates(anchorsPem, 'trust anchors');
  const [issuer] = parseCertificates(issuerCertPem, 'issuer certificate');
  if (issuer === undefined) throw new PkiError('issuer certificate is empty');
  const checkValidity = (cert: X509Certificate, what: string): void => {
    if (new Date(cert.validTo).getTime() < now)
      throw new PkiError(`${what} expired on ${new Date(cert.validTo).toISOString()}`);
    if (new Date(cert.validFrom).getTime() > now) {
      throw new PkiError(
        `${what} is not valid before ${new Date(cert.validFrom).toISOString()}`,
        'check the system clock',
      );
    }
  };
  anchors.forEach((a, i) => {
    if (!a.ca)
      throw new PkiError(`trust anchor ${i + 1} is not a CA certificate (basicConstraints CA:FALSE)`);
    checkValidity(a, `trust anchor ${i + 1}`);
  });
  if (!issuer.ca)
    throw new PkiError('issuer certificate is not a CA certificate (basicConstraints CA:FALSE)');
  if (!hasKeyCertSign(issuer))
    throw new PkiError('issuer certificate may not sign certificates (keyUsage lacks keyCertSign)');
  checkValidity(issuer, 'issuer certificate');
  if (!anchors.some((a) => issuer.checkIssued(a) && issuer.verify(a.publicKey))) {
    throw new PkiError(
      'issuer certificate was not issued by any of the trust anchors',
      'use the anchor that signed this issuer',
    );
  }
  let key;
  try {
    key = createPrivateKey(issuerKeyPem);
  } catch (err) {
    throw new PkiError(`issuer key cannot be parsed: ${(err as Error).message}`);
  }
  if (!issuer.checkPrivateKey(key))
    throw new PkiError('issuer key does not belong to the issuer certificate');
}
