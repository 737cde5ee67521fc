// Route labels without configuration: gRPC methods as they are, HTTP paths with their variable parts templated.
import { OTHER_LABEL } from '../metrics/proxy-metrics.js';

const MAX_LABEL_LENGTH = 256;

// Methods outside this set (WebDAV, typos, garbage) all share one label: a client inventing methods must
// not be able to mint routes.
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

const SLASH = 0x2f;
const QUESTION = 0x3f;
const HASH = 0x23;
const DASH = 0x2d;
const UUID_LENGTH = 36;
const MIN_HEX_LENGTH = 16;
const MIN_TOKEN_LENGTH = 20;

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
 *
 * Choices the comment above leaves open: a gRPC path that is not `/service/method` (or is too long) is
 * `[other]`; an empty HTTP path is `/` (as an empty path is in a URI); a method outside the standard set
 * becomes `[other]` but its path is still templated; a label that would exceed 256 characters becomes
 * `METHOD [other]` rather than being cut (a cut label could split a template and still vary).
 */
export function inferRoute(method: string, path: string, isGrpc: boolean): string {
  if (isGrpc) return grpcRoute(path);
  const m = normalizeMethod(method);
  const templated = templatePath(path);
  if (templated === undefined || m.length + 1 + templated.length > MAX_LABEL_LENGTH)
    return m + ' ' + OTHER_LABEL;
  return m + ' ' + templated;
}

function normalizeMethod(method: string): string {
  if (KNOWN_METHODS.has(method)) return method; // the common case allocates nothing
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : OTHER_LABEL;
}

/** `/service/method` up to any query string, or `[other]` for anything that is not that shape. */
function grpcRoute(path: string): string {
  const n = path.length;
  if (n < 4 || path.charCodeAt(0) !== SLASH) return OTHER_LABEL;
  let secondSlash = -1;
  let end = n;
  for (let i = 1; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c === QUESTION || c === HASH) {
      end = i;
      break;
    }
    if (c === SLASH) {
      if (secondSlash !== -1) return OTHER_LABEL;
      secondSlash = i;
    }
  }
  if (secondSlash <= 1 || secondSlash >= end - 1 || end > MAX_LABEL_LENGTH) return OTHER_LABEL;
  return end === n ? path : path.slice(0, end);
}

/**
 * The origin-form path with its query dropped and variable segments replaced, or undefined when the
 * request target is not origin-form. One pass over the characters; the output is only built when a
 * segment is replaced, so a path without ids comes back as the same string.
 */
function templatePath(path: string): string | undefined {
  const n = path.length;
  if (n === 0) return '/';
  if (path.charCodeAt(0) !== SLASH) return undefined;
  let out = '';
  let copied = 0; // path[0, copied) is already in `out`
  let segStart = 1;
  let end = n;
  // What the current segment could still be; each flag only ever goes from true to false.
  let digits = true;
  let hex = true;
  let token = true;
  let uuid = true;
  let hasDigit = false;
  for (let i = 1; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : SLASH;
    if (c === SLASH || c === QUESTION || c === HASH) {
      const len = i - segStart;
      if (len > 0) {
        let template: string | undefined;
        if (digits) template = '{id}';
        else if (uuid && len === UUID_LENGTH) template = '{uuid}';
        else if (hex && len >= MIN_HEX_LENGTH) template = '{hex}';
        else if (token && hasDigit && len >= MIN_TOKEN_LENGTH) template = '{token}';
        if (template !== undefined) {
          out += path.slice(copied, segStart) + template;
          copied = i;
        }
      }
      if (c !== SLASH) {
        end = i;
        break;
      }
      segStart = i + 1;
      digits = hex = token = uuid = true;
      hasDigit = false;
      continue;
    }
    const isDigit = c >= 0x30 && c <= 0x39;
    const lower = c | 0x20; // ASCII letters to lower case; no other character lands in a-z this way
    const isHexLetter = lower >= 0x61 && lower <= 0x66;
    if (isDigit) hasDigit = true;
    else digits = false;
    if (!isDigit && !isHexLetter) hex = false;
    const isLetter = lower >= 0x61 && lower <= 0x7a;
    if (token && !isDigit && !isLetter && c !== 0x5f && c !== DASH && c !== 0x2b && c !== 0x3d) {
      token = false; // not one of [A-Za-z0-9_\-+=]
    }
    if (uuid) {
      const pos = i - segStart; // 8-4-4-4-12: dashes at 8, 13, 18 and 23, hex digits elsewhere
      uuid = pos === 8 || pos === 13 || pos === 18 || pos === 23 ? c === DASH : isDigit || isHexLetter;
    }
  }
  if (copied === 0) return end === n ? path : path.slice(0, end);
  return out + path.slice(copied, end);
}
