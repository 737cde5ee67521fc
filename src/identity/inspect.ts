// Reading certificates for people and for checks: what a PEM holds (subject, SANs, issuer, algorithm,
// validity) and whether a bundle links up. Validation of an anchor/issuer pair lives in pki.ts.
import type { X509Certificate } from 'node:crypto';
import { PKI_ERRORS, PkiError } from './pki.js';

export { parseCertificates } from './pki.js';

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
        PKI_ERRORS.notSignedByAnchor,
        `${source}: certificate ${i + 2} (${parent.subject.replace(/\n/g, ', ')}) did not issue certificate ${i + 1} (${child.subject.replace(/\n/g, ', ')})`,
        'a bundle lists the leaf first, then each issuer',
      );
    }
  }
}
