// Protocol detection on a peeked prefix of a connection: a pure function, so it can be unit-tested and fuzzed.
// Runs on every accepted connection, so it is one pass over at most MAX_DETECT_BYTES with table lookups.
export { parseClientHelloSni, type SniResult } from './client-hello.js';

export type DetectedProtocol = 'tls' | 'http2' | 'http1' | 'opaque';
export type DetectResult = DetectedProtocol | 'need-more';

/** Longest prefix detection ever looks at; past it, undecided input is opaque. */
export const MAX_DETECT_BYTES = 8192;

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const HTTP_VERSION_PREFIX = Buffer.from('HTTP/1.', 'latin1');

const TLS_HANDSHAKE = 0x16;
const TLS_CLIENT_HELLO = 1;
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

// RFC 9110 §5.6.2 tchar: what a method may be made of.
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

// Request-target bytes: visible ASCII, plus obs-text (0x80–0xFF) because real clients send raw UTF-8 paths
// and llhttp accepts them. Controls, SP and DEL are not allowed.
const TARGET_CHAR = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) TARGET_CHAR[c] = 1;
for (let c = 0x80; c <= 0xff; c++) TARGET_CHAR[c] = 1;

/**
 * Classifies the first bytes a client sent:
 * - 'tls'    a TLS handshake record carrying a ClientHello (0x16 0x03 0x0X, handshake type 1)
 * - 'http2'  the complete HTTP/2 prior-knowledge preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`
 * - 'http1'  a complete HTTP/1.0 or 1.1 request line (`TOKEN SP TARGET SP HTTP/1.x CRLF`)
 * - 'opaque' anything else, decided as early as the bytes allow (e.g. a first byte that can start none of them)
 * - 'need-more' when the bytes so far are a proper prefix of one of the above and shorter than MAX_DETECT_BYTES
 */
export function detectProtocol(prefix: Buffer): DetectResult {
  const len = prefix.length;
  if (len === 0) return 'need-more';
  const first = prefix[0] as number;
  if (first === TLS_HANDSHAKE) return detectTls(prefix, len);
  if (TCHAR[first] !== 1) return 'opaque';
  // `PRI * HTTP/2.0…` is also a syntactically plausible HTTP/1 start, so the preface is tried first; once
  // the bytes leave it, the HTTP/1 scan rejects `HTTP/2.0` on its own.
  if (first === 0x50 /* P */) {
    const n = len < H2_PREFACE.length ? len : H2_PREFACE.length;
    if (prefix.compare(H2_PREFACE, 0, n, 0, n) === 0) return n === H2_PREFACE.length ? 'http2' : 'need-more';
  }
  return detectHttp1(prefix, len);
}

function detectTls(prefix: Buffer, len: number): DetectResult {
  // Record header: type 0x16, legacy version 3.0–3.4, two length bytes; then the handshake type.
  if (len > 1 && prefix[1] !== 0x03) return 'opaque';
  if (len > 2 && (prefix[2] as number) > 0x04) return 'opaque';
  if (len > 5) return prefix[5] === TLS_CLIENT_HELLO ? 'tls' : 'opaque';
  return 'need-more';
}

function detectHttp1(prefix: Buffer, len: number): DetectResult {
  const end = len < MAX_DETECT_BYTES ? len : MAX_DETECT_BYTES;
  // The method: one or more tchars up to the first SP (the first byte was checked by the caller).
  let i = 1;
  while (i < end && TCHAR[prefix[i] as number] === 1) i++;
  if (i === end) return undecided(len);
  if (prefix[i] !== SP) return 'opaque';
  i++;
  // The request-target: non-empty, up to the next SP.
  const targetStart = i;
  while (i < end && TARGET_CHAR[prefix[i] as number] === 1) i++;
  if (i === end) return undecided(len);
  if (prefix[i] !== SP || i === targetStart) return 'opaque';
  i++;
  // `HTTP/1.` then `0` or `1`, then CR LF.
  for (let k = 0; k < HTTP_VERSION_PREFIX.length; k++, i++) {
    if (i === end) return undecided(len);
    if (prefix[i] !== HTTP_VERSION_PREFIX[k]) return 'opaque';
  }
  if (i === end) return undecided(len);
  const minor = prefix[i] as number;
  if (minor !== 0x30 && minor !== 0x31) return 'opaque';
  if (++i === end) return undecided(len);
  if (prefix[i] !== CR) return 'opaque';
  if (++i === end) return undecided(len);
  return prefix[i] === LF ? 'http1' : 'opaque';
}

/** The scan ran out of bytes while everything so far still fits a request line. */
function undecided(len: number): DetectResult {
  return len < MAX_DETECT_BYTES ? 'need-more' : 'opaque';
}
