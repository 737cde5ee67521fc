// The Kubernetes back end of token validation: the proxy presents its projected ServiceAccount token
// (audience identity.mesh.io); a TokenReview asks the API server whether it is genuine, unexpired and
// bound to that audience, and who it belongs to. The identity it proves is exactly that ServiceAccount's
// mesh identity — the Certify handler then refuses any CSR for another name.
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { apiErrorMessage } from '../../k8s/client/api-error.js';
import { IDENTITY_TOKEN_AUDIENCE } from '../../k8s/inject/proxy-env.js';
import { workloadIdentity } from '../registry/model.js';
import { GrpcError } from '../grpc-error.js';
import type { TokenCheck, TokenValidator } from './tokens.js';

const SA_USER = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;
/** Projected tokens are JWTs of a few hundred bytes to ~2 KiB; anything far larger is not one. */
const MAX_TOKEN_BYTES = 16 * 1024;

export interface TokenReviewSettings {
  readonly controlPlaneNamespace: string;
  readonly trustDomain: string;
  readonly audience?: string;
}

export class TokenReviewValidator implements TokenValidator {
  private readonly api: AuthenticationV1Api;
  private readonly audience: string;

  constructor(
    kc: KubeConfig,
    private readonly settings: TokenReviewSettings,
  ) {
    this.api = kc.makeApiClient(AuthenticationV1Api);
    this.audience = settings.audience ?? IDENTITY_TOKEN_AUDIENCE;
  }

  async validate(token: Buffer): Promise<TokenCheck> {
    if (token.length === 0) return { ok: false, reason: 'no token presented' };
    if (token.length > MAX_TOKEN_BYTES) return { ok: false, reason: 'token is too large' };
    const text = token.toString('utf8').trim();
    let review;
    try {
      review = await this.api.createTokenReview({
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token: text, audiences: [this.audience] },
        },
      });
    } catch (err) {
      // Not the caller's fault: the proxy retries, and the status says it may.
      throw new GrpcError(GrpcStatus.UNAVAILABLE, `cannot review the token: ${apiErrorMessage(err)}`);
    }
    const status = review.status;
    if (status?.authenticated !== true) {
      return {
        ok: false,
        reason: `token rejected by the Kubernetes API: ${status?.error ?? 'not authenticated'}`,
      };
    }
    // An API server that ignores spec.audiences (very old ones) must not let API tokens through.
    if (!(status.audiences ?? []).includes(this.audience)) {
      return { ok: false, reason: `token is not bound to the audience ${this.audience}` };
    }
    const username = status.user?.username ?? '';
    const m = SA_USER.exec(username);
    if (!m) return { ok: false, reason: `token belongs to "${username}", not to a ServiceAccount` };
    const namespace = m[1] as string;
    const serviceAccount = m[3] as string;
    return {
      ok: true,
      identity: workloadIdentity(
        serviceAccount,
        namespace,
        this.settings.controlPlaneNamespace,
        this.settings.trustDomain,
      ),
    };
  }
}
