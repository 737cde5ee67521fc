// Who a Certify caller is: token validation behind one interface. The local back end matches bootstrap
// tokens from the mesh file; the Kubernetes back end (TokenReview of the projected ServiceAccount token)
// will implement the same interface.
import { timingSafeEqual } from 'node:crypto';
import type { MeshRegistry } from '../registry/model.js';

export type TokenCheck =
  { readonly ok: true; readonly identity: string } | { readonly ok: false; readonly reason: string };

export interface TokenValidator {
  /** Resolves the identity the token proves, or why it proves none. */
  validate(token: Buffer): Promise<TokenCheck>;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Bootstrap tokens: each meshed instance in the mesh file has one; it proves its workload's identity. */
export class RegistryTokenValidator implements TokenValidator {
  constructor(private readonly registry: MeshRegistry) {}

  async validate(token: Buffer): Promise<TokenCheck> {
    if (token.length === 0) return { ok: false, reason: 'no token presented' };
    for (const inst of this.registry.instances()) {
      if (inst.token !== undefined && sameBytes(Buffer.from(inst.token), token)) {
        return { ok: true, identity: inst.identity };
      }
    }
    return { ok: false, reason: 'token is not known to the mesh' };
  }
}
