// Static discovery from a JSON file: {"web.test:80": ["127.0.0.1:4143", ...]}. The offline fallback.
import type { HostPort } from '../../common/address.js';

export type EndpointMap = ReadonlyMap<string, readonly HostPort[]>;

/**
 * Parses the file's text. Keys are authorities and are normalised (lower-case, default port 80 added);
 * values are arrays of `host:port` strings. Throws UsageError (code MESH_BAD_ENDPOINTS) naming the file,
 * the key and the bad value for: invalid JSON (with line/column), a non-object top level, a bad authority,
 * a non-array value, a bad address. An empty array is allowed (authority known, no endpoints).
 */
export function parseEndpointMap(_text: string, _fileName: string): EndpointMap {
  throw new Error('not implemented');
}

/**
 * Loads the file, calls onChange with the parsed map now, then again whenever the file's content changes
 * (polling its mtime/size every `intervalMs`). A change that fails to parse is reported through onError and
 * the last good map stays in force. Returns a function that stops watching.
 * The initial load throws (UsageError) if the file is missing or invalid.
 */
export function watchEndpointFile(
  _fileName: string,
  _onChange: (map: EndpointMap) => void,
  _onError: (err: Error) => void,
  _intervalMs?: number,
): () => void {
  throw new Error('not implemented');
}
