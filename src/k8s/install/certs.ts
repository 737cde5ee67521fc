// The certificates an install needs: the identity trust anchor and issuer (fresh, or the user's own after
// validation) and a serving certificate for the injector webhook (always fresh).
import { readFileSync } from 'node:fs';
import { MeshError, UsageError, errorCode } from '../../common/errors.js';
import {
  type CertAndKey,
  type ServingCertificate,
  createIssuer,
  createServingCertificate,
  createTrustAnchor,
  validateChain,
} from '../../identity/pki.js';
import { componentName, identityDomain } from '../control-plane.js';
import type { MeshValues } from '../values.js';

export interface InstallCertificates {
  readonly trustAnchorsPem: string;
  readonly issuer: CertAndKey;
  readonly webhook: ServingCertificate;
}

export interface SuppliedIdentityFiles {
  readonly trustAnchorsFile?: string | undefined;
  readonly issuerCertificateFile?: string | undefined;
  readonly issuerKeyFile?: string | undefined;
}

export interface CertificatesResult {
  readonly certs: InstallCertificates;
  /** Things to tell the user on stderr (a supplied issuer expiring soon…). */
  readonly warnings: readonly string[];
}

const FLAGS = {
  trustAnchorsFile: '--identity-trust-anchors-file',
  issuerCertificateFile: '--identity-issuer-certificate-file',
  issuerKeyFile: '--identity-issuer-key-file',
} as const;

export function readTextFile(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const why = errorCode(err) === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new MeshError('MESH_READ_FILE', `cannot read ${flag} ${file}: ${why}`);
  }
}

export async function installCertificates(
  values: MeshValues,
  files: SuppliedIdentityFiles,
  now: Date = new Date(),
): Promise<CertificatesResult> {
  const given = (Object.keys(FLAGS) as (keyof typeof FLAGS)[]).filter((k) => files[k] !== undefined);
  if (given.length > 0 && given.length < 3) {
    const missing = (Object.keys(FLAGS) as (keyof typeof FLAGS)[]).filter((k) => files[k] === undefined);
    throw new UsageError(
      'MESH_IDENTITY_FLAGS',
      `${given.map((k) => FLAGS[k]).join(', ')} given without ${missing.map((k) => FLAGS[k]).join(', ')}`,
      'pass all three files to use your own trust anchor and issuer, or none to have fresh ones made',
    );
  }
  const domain = identityDomain(values.controlPlaneNamespace, values.identityTrustDomain);
  let trustAnchorsPem: string;
  let issuer: CertAndKey;
  let warnings: readonly string[] = [];
  if (files.trustAnchorsFile && files.issuerCertificateFile && files.issuerKeyFile) {
    trustAnchorsPem = readTextFile(files.trustAnchorsFile, FLAGS.trustAnchorsFile);
    issuer = {
      certPem: readTextFile(files.issuerCertificateFile, FLAGS.issuerCertificateFile),
      keyPem: readTextFile(files.issuerKeyFile, FLAGS.issuerKeyFile),
    };
    const report = validateChain(
      {
        trustAnchorsPem,
        issuerCertPem: issuer.certPem,
        issuerKeyPem: issuer.keyPem,
        sources: {
          trustAnchors: files.trustAnchorsFile,
          issuerCert: files.issuerCertificateFile,
          issuerKey: files.issuerKeyFile,
        },
      },
      { now },
    );
    warnings = report.warnings;
  } else {
    const anchor = await createTrustAnchor({ trustDomain: domain, validityDays: 3650, now });
    trustAnchorsPem = anchor.certPem;
    // The anchor's key is dropped here: rotating the issuer later needs the user's own root.
    issuer = await createIssuer(anchor, { trustDomain: domain, validityDays: 365, now });
  }
  const service = componentName('injector');
  const ns = values.controlPlaneNamespace;
  const webhook = await createServingCertificate({
    dnsNames: [`${service}.${ns}.svc`, `${service}.${ns}.svc.${values.clusterDomain}`],
    validityDays: 365,
    now,
  });
  return { certs: { trustAnchorsPem, issuer, webhook }, warnings };
}
