// A workload's key and certificate request, made in the proxy's memory at start. The private key is
// exported only as the PEM Node's TLS needs, in this process; it is never written or sent.
import { EC_ALGORITHM, generateKeyPair, privateKeyPem, x509 } from './x509.js';

export interface WorkloadKey {
  /** PKCS#8 PEM for tls.createSecureContext. */
  readonly keyPem: string;
  /** DER PKCS#10 request whose subject and only SAN is the identity. */
  readonly csrDer: Buffer;
}

export async function createWorkloadKey(identity: string): Promise<WorkloadKey> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${identity}`,
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: identity }])],
  });
  return { keyPem: await privateKeyPem(keys.privateKey), csrDer: Buffer.from(csr.rawData) };
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.replace(/\n?$/, '\n')}-----END ${label}-----\n`;
}
