// The proxy's own identity: a key made in memory at start, a certificate for it from the identity service,
// renewed at 70 % of its lifetime (retries with jittered backoff), and the TLS contexts built from it. While
// the identity service is down the current certificate keeps serving until it expires.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { type HostPort, formatHostPort } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import { IdentityClient as IdentityGrpcClient, type CertifyResponse } from '../../api/gen/identity.js';
import { createWorkloadKey, derToPem, type WorkloadKey } from '../../identity/workload-key.js';
import { backoffDelay } from '../balance/backoff.js';
import type { PrometheusWriter } from '../metrics/prometheus-text.js';

export interface IdentityOptions {
  /** This proxy's identity, e.g. web.demo.serviceaccount.identity.mesh.cluster.local. */
  readonly identity: string;
  readonly address: HostPort;
  /** The token proving the identity; a file is re-read for every request (projected tokens rotate). */
  readonly token: { readonly file: string } | { readonly value: string };
  readonly trustAnchorsPem: string;
  readonly logger: Logger;
  readonly random: () => number;
  /** Fraction of the lifetime after which the certificate is renewed. */
  readonly renewAt?: number;
}

// Capped low: a proxy waiting for its first certificate should be ready soon after the identity service returns.
const RETRY = { minMs: 1000, maxMs: 10_000, jitter: 0.5 };

interface Current {
  readonly certPem: string;
  readonly chainPem: string;
  readonly validUntilMs: number;
  readonly server: tls.SecureContext;
  readonly client: tls.SecureContext;
}

export class ProxyIdentity {
  private key: WorkloadKey | undefined;
  private current: Current | undefined;
  private readonly grpc: IdentityGrpcClient;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  refreshes = { ok: 0, failed: 0 };
  private readonly rotateListeners = new Set<() => void>();

  constructor(readonly options: IdentityOptions) {
    this.grpc = new IdentityGrpcClient(formatHostPort(options.address), grpc.credentials.createInsecure());
  }

  get identity(): string {
    return this.options.identity;
  }

  /** True once a certificate has been obtained. */
  get ready(): boolean {
    return this.current !== undefined;
  }

  get validUntilMs(): number | undefined {
    return this.current?.validUntilMs;
  }

  serverContext(): tls.SecureContext | undefined {
    return this.current?.server;
  }

  clientContext(): tls.SecureContext | undefined {
    return this.current?.client;
  }

  /** The current certificate chain and key as PEM, for servers configured outside node:tls (gRPC). */
  pems(): { certChainPem: string; keyPem: string } | undefined {
    if (this.current === undefined || this.key === undefined) return undefined;
    return { certChainPem: this.current.chainPem, keyPem: this.key.keyPem };
  }

  onRotate(listener: () => void): void {
    this.rotateListeners.add(listener);
  }

  start(): void {
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    if (this.closed) return;
    const { options } = this;
    try {
      this.key ??= await createWorkloadKey(options.identity);
      const res = await this.certify(this.key.csrDer);
      const leaf = derToPem(res.leafCertificate);
      const chain = res.intermediateCertificates.map((c) => derToPem(c)).join('');
      const context = (): tls.SecureContext =>
        tls.createSecureContext({
          key: this.key?.keyPem,
          cert: leaf + chain,
          ca: options.trustAnchorsPem,
          minVersion: 'TLSv1.3',
        });
      this.current = {
        certPem: leaf,
        chainPem: leaf + chain,
        validUntilMs: res.validUntilMs,
        server: context(),
        client: context(),
      };
      this.failures = 0;
      this.refreshes.ok++;
      const lifetime = res.validUntilMs - Date.now();
      const renewIn = Math.max(1000, lifetime * (options.renewAt ?? 0.7));
      options.logger.info(
        {
          identity: options.identity,
          validUntil: new Date(res.validUntilMs).toISOString(),
          renewInMs: Math.round(renewIn),
        },
        'certificate obtained',
      );
      for (const l of this.rotateListeners) l();
      this.schedule(renewIn);
    } catch (err) {
      this.refreshes.failed++;
      const delay = backoffDelay(this.failures++, RETRY, options.random);
      const e = err as { details?: string; message?: string };
      options.logger.warn(
        {
          identity: options.identity,
          err: e.details ?? e.message,
          retryInMs: Math.round(delay),
          servingUntil: this.current ? new Date(this.current.validUntilMs).toISOString() : null,
        },
        this.current
          ? 'certificate renewal failed: still serving with the current certificate'
          : 'no certificate yet',
      );
      this.schedule(delay);
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.refresh(), ms);
    this.timer.unref();
  }

  private certify(csr: Buffer): Promise<CertifyResponse> {
    const { token, identity } = this.options;
    const bytes = 'file' in token ? readFileSync(token.file) : Buffer.from(token.value);
    return new Promise((resolve, reject) =>
      this.grpc.certify(
        { identity, token: bytes, certificateSigningRequest: csr },
        new grpc.Metadata(),
        { deadline: Date.now() + 10_000 },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
  }

  collect(w: PrometheusWriter): void {
    w.family(
      'identity_cert_expiration_timestamp_seconds',
      'gauge',
      'When the current workload certificate expires.',
    );
    w.sample(
      'identity_cert_expiration_timestamp_seconds',
      '',
      Math.floor((this.current?.validUntilMs ?? 0) / 1000),
    );
    w.family(
      'identity_cert_refresh_total',
      'counter',
      'Certificate requests to the identity service, by result.',
    );
    w.sample('identity_cert_refresh_total', 'result="ok"', this.refreshes.ok);
    w.sample('identity_cert_refresh_total', 'result="failed"', this.refreshes.failed);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.grpc.close();
  }
}
