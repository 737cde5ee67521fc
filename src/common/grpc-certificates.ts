// A grpc-js certificate provider fed from memory, so gRPC servers and channels use a workload certificate
// that is renewed while they run (grpc-js picks up each update for new connections).
import type { experimental } from '@grpc/grpc-js';

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

export class MemoryCertificateProvider implements experimental.CertificateProvider {
  private ca: experimental.CaCertificateUpdate | null = null;
  private identity: experimental.IdentityCertificateUpdate | null = null;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  setCa(pem: string): void {
    this.ca = { caCertificate: Buffer.from(pem) };
    for (const l of this.caListeners) l(this.ca);
  }

  setIdentity(certChainPem: string, keyPem: string): void {
    this.identity = { certificate: Buffer.from(certChainPem), privateKey: Buffer.from(keyPem) };
    for (const l of this.identityListeners) l(this.identity);
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    if (this.ca) listener(this.ca);
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    if (this.identity) listener(this.identity);
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}

/** The single DNS SAN of a peer certificate's subjectaltname, as gRPC's auth context reports it. */
export function peerDnsIdentity(subjectaltname: string | undefined): string | undefined {
  const names = (subjectaltname ?? '').split(', ').filter((n) => n.startsWith('DNS:'));
  return names.length === 1 ? (names[0] as string).slice(4) : undefined;
}

/**
 * The identity of the control plane's tap component, from any workload identity of the same mesh:
 * `<sa>.<ns>.serviceaccount.identity.<cp-ns>.<trust-domain>` → `tap.<cp-ns>.serviceaccount.identity.<cp-ns>.<td>`.
 */
export function tapControllerIdentity(workloadIdentity: string): string | undefined {
  const marker = '.serviceaccount.identity.';
  const at = workloadIdentity.indexOf(marker);
  if (at < 0) return undefined;
  const suffix = workloadIdentity.slice(at + marker.length);
  const cpNamespace = suffix.split('.')[0];
  return cpNamespace ? `tap.${cpNamespace}${marker}${suffix}` : undefined;
}
