// Route labels without configuration: gRPC methods as they are, HTTP paths with their variable parts templated.

/**
 * The route label of a request:
 * - gRPC (isGrpc): the path itself, `/pkg.Service/Method` (query string dropped).
 * - HTTP: `METHOD /templated/path`: the query string is dropped; each path segment that is a number,
 *   a UUID, a long hex string (≥ 16 hex chars) or a long base64/base64url-like token (≥ 20 chars of
 *   [A-Za-z0-9_-+=] with at least one digit) becomes `{id}`, `{uuid}`, `{hex}` or `{token}` respectively.
 *   `GET /users/42` → `GET /users/{id}`; `/` stays `/`; percent-encoding is left as it is; methods are
 *   upper-cased and unknown/garbage methods or paths that are not origin-form (`*`, absolute URIs) yield
 *   `METHOD [other]`-style labels that cannot blow up cardinality. A label is at most 256 characters.
 * Pure and allocation-light; called once per request.
 */
export function inferRoute(_method: string, _path: string, _isGrpc: boolean): string {
  throw new Error('not implemented');
}
