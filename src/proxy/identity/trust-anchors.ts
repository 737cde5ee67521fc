// Reads the mesh's trust anchors (PEM) at start, failing with a message that names the file and the problem.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { UsageError } from '../../common/errors.js';

/** Reads the trust anchors from a file, or takes them inline when the value is PEM text itself (injection). */
export function readTrustAnchorsFile(file: string): string {
  let pem: string;
  if (file.trimStart().startsWith('-----BEGIN')) {
    pem = file;
    file = 'the inline trust anchors';
  } else
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        'MESH_BAD_TRUST_ANCHORS',
        `cannot read trust anchors ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new UsageError(
      'MESH_BAD_TRUST_ANCHORS',
      `${file} holds no PEM certificate`,
      'expected the ca.crt of the mesh',
    );
  }
  for (const [i, block] of blocks.entries()) {
    try {
      const cert = new X509Certificate(block);
      if (!cert.ca) throw new Error('not a CA certificate');
    } catch (err) {
      throw new UsageError(
        'MESH_BAD_TRUST_ANCHORS',
        `${file}: certificate ${i + 1} is unusable: ${(err as Error).message}`,
      );
    }
  }
  return pem;
}
