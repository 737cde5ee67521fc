// Signs workload certificates: checks a CSR (well-formed, self-signed correctly, asking for exactly the
// authenticated identity) and issues a short-lived leaf for it from the mesh's issuer.
import { MeshError } from '../common/errors.js';
import { importSigningKey, type CertAndKey } from './pki.js';
import { type CryptoKey, EC_ALGORITHM, randomSerial, x509 } from './x509.js';

const SUBJECT_ALT_NAME_OID = '2.5.29.17';

export type CsrProblem = 'MALFORMED' | 'IDENTITY_MISMATCH';

export class CsrError extends MeshError {
  constructor(
    readonly problem: CsrProblem,
    message: string,
  ) {
    super(problem === 'MALFORMED' ? 'MESH_BAD_CSR' : 'MESH_IDENTITY_MISMATCH', message);
  }
}

export interface IssuedLeaf {
  readonly leafDer: Buffer;
  readonly intermediatesDer: Buffer[];
  readonly validUntilMs: number;
}

export interface IssuerOptions {
  /** Leaf lifetime; 24 h by default. */
  readonly lifetimeMs: number;
  /** notBefore is backdated by this much so peers with slightly slow clocks accept new certificates. */
  readonly clockSkewMs: number;
}

export const DEFAULT_ISSUER_OPTIONS: IssuerOptions = { lifetimeMs: 24 * 3_600_000, clockSkewMs: 20_000 };

export class Issuer {
  private constructor(
    private readonly cert: x509.X509Certificate,
    private readonly key: CryptoKey,
    readonly options: IssuerOptions,
  ) {}

  static async load(issuer: CertAndKey, options: IssuerOptions = DEFAULT_ISSUER_OPTIONS): Promise<Issuer> {
    return new Issuer(
      new x509.X509Certificate(issuer.certPem),
      await importSigningKey(issuer.keyPem, 'issuer key'),
      options,
    );
  }

  /** The identities a CSR asks for (its DNS SANs). */
  static async requestedIdentities(csrDer: Uint8Array): Promise<string[]> {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrDer);
    } catch (err) {
      throw new CsrError(
        'MALFORMED',
        `certificate signing request cannot be parsed: ${(err as Error).message}`,
      );
    }
    if (!(await csr.verify().catch(() => false))) {
      throw new CsrError('MALFORMED', 'certificate signing request signature does not verify');
    }
    const san = csr.extensions.find((e) => e.type === SUBJECT_ALT_NAME_OID);
    if (san === undefined) return [];
    return new x509.SubjectAlternativeNameExtension(san.rawData).names.items
      .filter((n) => n.type === 'dns')
      .map((n) => n.value);
  }

  /** Issues a leaf for `identity` from a CSR that asks for exactly that identity. */
  async issue(csrDer: Uint8Array, identity: string, now = Date.now()): Promise<IssuedLeaf> {
    const wanted = await Issuer.requestedIdentities(csrDer);
    if (wanted.length !== 1 || wanted[0] !== identity) {
      throw new CsrError(
        'IDENTITY_MISMATCH',
        `the CSR asks for ${wanted.length === 0 ? 'no identity' : wanted.join(', ')}, not ${identity}`,
      );
    }
    const csr = new x509.Pkcs10CertificateRequest(csrDer);
    const notAfter = Math.min(now + this.options.lifetimeMs, this.cert.notAfter.getTime());
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${identity}`,
      issuer: this.cert.subject,
      notBefore: new Date(now - this.options.clockSkewMs),
      notAfter: new Date(notAfter),
      signingKey: this.key,
      publicKey: csr.publicKey,
      signingAlgorithm: EC_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: identity }], true),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
      ],
    });
    return {
      leafDer: Buffer.from(leaf.rawData),
      intermediatesDer: [Buffer.from(this.cert.rawData)],
      validUntilMs: notAfter,
    };
  }
}
