// Protocol detection on a peeked prefix of a connection: a pure function, so it can be unit-tested and fuzzed.

export type DetectedProtocol = 'tls' | 'http2' | 'http1' | 'opaque';
export type DetectResult = DetectedProtocol | 'need-more';

/** Longest prefix detection ever looks at; past it, undecided input is opaque. */
export const MAX_DETECT_BYTES = 8192;

/**
 * Classifies the first bytes a client sent:
 * - 'tls'    a TLS handshake record carrying a ClientHello (0x16 0x03 0x0X, handshake type 1)
 * - 'http2'  the complete HTTP/2 prior-knowledge preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`
 * - 'http1'  a complete HTTP/1.0 or 1.1 request line (`TOKEN SP TARGET SP HTTP/1.x CRLF`)
 * - 'opaque' anything else, decided as early as the bytes allow (e.g. a first byte that can start none of them)
 * - 'need-more' when the bytes so far are a proper prefix of one of the above and shorter than MAX_DETECT_BYTES
 */
export function detectProtocol(_prefix: Buffer): DetectResult {
  throw new Error('not implemented');
}

export type SniResult =
  | { readonly status: 'complete'; readonly sni: string | undefined }
  | { readonly status: 'need-more' }
  | { readonly status: 'malformed' };

/**
 * Extracts the server name (SNI host_name) from a TLS ClientHello record: 'complete' with the name, or with
 * undefined when the hello carries no SNI; 'need-more' when the record is still incomplete; 'malformed' when
 * it cannot be a ClientHello. Never throws, whatever the input.
 */
export function parseClientHelloSni(_prefix: Buffer): SniResult {
  throw new Error('not implemented');
}
