// The identity gRPC service: Certify checks the caller's token, checks that the CSR asks for exactly the
// identity the token proves, and issues a short-lived leaf. Requests are rate-limited per identity so a
// runaway proxy cannot monopolise the issuer.
import type * as grpc from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import {
  IdentityService,
  type CertifyRequest,
  type CertifyResponse,
  type IdentityServer,
} from '../../api/gen/identity.js';
import { CsrError, type Issuer } from '../../identity/issuer.js';
import type { Component } from '../component.js';
import type { TokenValidator } from './tokens.js';
import { GrpcError, toServiceError } from '../grpc-error.js';

/** Per-identity limit: a burst of 20, refilled at 5 per second. */
const BURST = 20;
const REFILL_PER_SECOND = 5;

interface Bucket {
  tokens: number;
  at: number;
}

export function createIdentityComponent(issuer: Issuer, tokens: TokenValidator, logger: Logger): Component {
  const results = new Map<string, number>();
  const buckets = new Map<string, Bucket>();
  const count = (result: string): void => void results.set(result, (results.get(result) ?? 0) + 1);

  function allow(identity: string): boolean {
    const now = Date.now();
    const b = buckets.get(identity) ?? { tokens: BURST, at: now };
    b.tokens = Math.min(BURST, b.tokens + ((now - b.at) / 1000) * REFILL_PER_SECOND);
    b.at = now;
    buckets.set(identity, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  async function certify(request: CertifyRequest): Promise<CertifyResponse> {
    const claimed = request.identity;
    if (claimed === '' || claimed.length > 253) {
      throw new GrpcError(
        GrpcStatus.INVALID_ARGUMENT,
        'identity must be a DNS-like name of at most 253 characters',
      );
    }
    const check = await tokens.validate(Buffer.from(request.token));
    if (!check.ok) throw new GrpcError(GrpcStatus.UNAUTHENTICATED, check.reason);
    if (check.identity !== claimed) {
      throw new GrpcError(GrpcStatus.PERMISSION_DENIED, `the token proves ${check.identity}, not ${claimed}`);
    }
    if (!allow(claimed)) {
      throw new GrpcError(
        GrpcStatus.RESOURCE_EXHAUSTED,
        `too many certificate requests for ${claimed}; retry later`,
      );
    }
    try {
      const leaf = await issuer.issue(request.certificateSigningRequest, claimed);
      return {
        leafCertificate: leaf.leafDer,
        intermediateCertificates: leaf.intermediatesDer,
        validUntilMs: leaf.validUntilMs,
      };
    } catch (err) {
      if (err instanceof CsrError) {
        throw new GrpcError(
          err.problem === 'MALFORMED' ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.PERMISSION_DENIED,
          err.message,
        );
      }
      throw err;
    }
  }

  const implementation: IdentityServer = {
    certify(
      call: grpc.ServerUnaryCall<CertifyRequest, CertifyResponse>,
      callback: grpc.sendUnaryData<CertifyResponse>,
    ) {
      certify(call.request).then(
        (res) => {
          count('issued');
          logger.info({ identity: call.request.identity }, 'certificate issued');
          callback(null, res);
        },
        (err: unknown) => {
          const { code, details } = toServiceError(err);
          count(GrpcStatus[code] ?? 'UNKNOWN');
          // Identities and reasons are logged as JSON fields, so hostile values cannot forge log lines.
          logger.warn(
            { identity: call.request.identity, code: GrpcStatus[code], reason: details },
            'certificate refused',
          );
          callback({ code, details });
        },
      );
    },
  };

  return {
    name: 'identity',
    services: [{ name: 'mesh.identity.v1.Identity', definition: IdentityService, implementation }],
    metrics: () => {
      const lines = [
        '# HELP identity_certify_total Certify requests by result.',
        '# TYPE identity_certify_total counter',
      ];
      for (const [result, n] of results) lines.push(`identity_certify_total{result="${result}"} ${n}`);
      return lines.join('\n') + '\n';
    },
    notReadyReason: () => undefined,
    async close() {
      buckets.clear();
    },
  };
}
