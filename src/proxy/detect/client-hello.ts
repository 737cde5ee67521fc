// Reads the SNI host_name out of a TLS ClientHello without a TLS stack: a bounds-checked walk over the record,
// fed attacker-controlled bytes, so every length is checked against its container before it is trusted.

export type SniResult =
  | { readonly status: 'complete'; readonly sni: string | undefined }
  | { readonly status: 'need-more' }
  | { readonly status: 'malformed' };

const NEED_MORE: SniResult = Object.freeze({ status: 'need-more' });
const MALFORMED: SniResult = Object.freeze({ status: 'malformed' });
const NO_SNI: SniResult = Object.freeze({ status: 'complete', sni: undefined });

const RECORD_HEADER = 5;
const HANDSHAKE_HEADER = 4;
/** RFC 8446 §5.1: a plaintext record fragment is at most 2^14 bytes. */
const MAX_RECORD = 16384;
const EXT_SERVER_NAME = 0;
const NAME_TYPE_HOST = 0;
const MAX_HOST_NAME = 255;

// Bytes a DNS host name may hold (RFC 6066 §3: ASCII, no trailing dot). Anything else is refused rather than
// passed on, because the name becomes an identity to match and a label to record.
const HOST_CHAR = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) HOST_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) HOST_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) HOST_CHAR[c] = 1;
HOST_CHAR[0x2d] = 1; // -
HOST_CHAR[0x2e] = 1; // .
HOST_CHAR[0x5f] = 1; // _

/**
 * Extracts the server name (SNI host_name) from a TLS ClientHello record: 'complete' with the name, or with
 * undefined when the hello carries no SNI; 'need-more' when the record is still incomplete; 'malformed' when
 * it cannot be a ClientHello. Never throws, whatever the input.
 *
 * Only the first record is read: a ClientHello fragmented over several records (which no mainstream client
 * sends; hellos are far below 2^14 bytes) is reported as 'malformed'. 'complete' is returned only once the
 * whole handshake message has arrived, so 'need-more' means "a valid prefix so far", never "looks odd".
 */
export function parseClientHelloSni(prefix: Buffer): SniResult {
  const avail = prefix.length;
  // Record header: handshake (0x16), legacy version 3.x with x ≤ 4, 16-bit fragment length.
  if (avail > 0 && prefix[0] !== 0x16) return MALFORMED;
  if (avail > 1 && prefix[1] !== 0x03) return MALFORMED;
  if (avail > 2 && (prefix[2] as number) > 0x04) return MALFORMED;
  if (avail < RECORD_HEADER) return NEED_MORE;
  const recordLen = prefix.readUInt16BE(3);
  if (recordLen < HANDSHAKE_HEADER || recordLen > MAX_RECORD) return MALFORMED;
  const recordEnd = RECORD_HEADER + recordLen;

  // Handshake header: type ClientHello (1) and a 24-bit length that must fit in this record.
  if (avail <= RECORD_HEADER) return NEED_MORE;
  if (prefix[RECORD_HEADER] !== 1) return MALFORMED;
  if (avail < RECORD_HEADER + HANDSHAKE_HEADER) return NEED_MORE;
  const helloLen = prefix.readUIntBE(RECORD_HEADER + 1, 3);
  const helloEnd = RECORD_HEADER + HANDSHAKE_HEADER + helloLen;
  if (helloEnd > recordEnd) return MALFORMED;

  const r: Reader = { buf: prefix, pos: RECORD_HEADER + HANDSHAKE_HEADER, avail };
  // legacy_version (3.x) and the 32-byte random.
  const major = readU8(r, helloEnd);
  if (major < 0) return status(major);
  if (major !== 0x03) return MALFORMED;
  let step = skip(r, 1 + 32, helloEnd);
  if (step < 0) return status(step);

  // legacy_session_id<0..32>.
  const sessionLen = readU8(r, helloEnd);
  if (sessionLen < 0) return status(sessionLen);
  if (sessionLen > 32) return MALFORMED;
  if ((step = skip(r, sessionLen, helloEnd)) < 0) return status(step);

  // cipher_suites<2..2^16-2>: two bytes each, at least one.
  const suitesLen = readU16(r, helloEnd);
  if (suitesLen < 0) return status(suitesLen);
  if (suitesLen < 2 || (suitesLen & 1) !== 0) return MALFORMED;
  if ((step = skip(r, suitesLen, helloEnd)) < 0) return status(step);

  // legacy_compression_methods<1..2^8-1>.
  const compressionLen = readU8(r, helloEnd);
  if (compressionLen < 0) return status(compressionLen);
  if (compressionLen < 1) return MALFORMED;
  if ((step = skip(r, compressionLen, helloEnd)) < 0) return status(step);

  // Extensions are optional (pre-TLS 1.2 hellos may end here); when present they fill the rest exactly.
  if (r.pos === helloEnd) return avail >= helloEnd ? NO_SNI : NEED_MORE;
  const extensionsLen = readU16(r, helloEnd);
  if (extensionsLen < 0) return status(extensionsLen);
  if (r.pos + extensionsLen !== helloEnd) return MALFORMED;

  let sni: string | undefined;
  let seenServerName = false;
  while (r.pos < helloEnd) {
    const type = readU16(r, helloEnd);
    if (type < 0) return status(type);
    const extLen = readU16(r, helloEnd);
    if (extLen < 0) return status(extLen);
    const extEnd = r.pos + extLen;
    if (extEnd > helloEnd) return MALFORMED;
    if (type === EXT_SERVER_NAME) {
      // RFC 8446 §4.2: an extension type appears at most once.
      if (seenServerName) return MALFORMED;
      seenServerName = true;
      const name = readServerName(r, extEnd);
      if (typeof name === 'number') return status(name);
      sni = name;
    } else if ((step = skip(r, extLen, helloEnd)) < 0) {
      return status(step);
    }
  }
  // Skipped extension bodies are not read, so arrival of the last bytes is checked here.
  if (avail < helloEnd) return NEED_MORE;
  return sni === undefined ? NO_SNI : { status: 'complete', sni };
}

// Negative sentinels returned by the readers in place of a value (all lengths read are ≥ 0).
const NEED = -1;
const BAD = -2;

interface Reader {
  readonly buf: Buffer;
  pos: number;
  readonly avail: number;
}

function status(code: number): SniResult {
  return code === NEED ? NEED_MORE : MALFORMED;
}

function readU8(r: Reader, limit: number): number {
  if (r.pos + 1 > limit) return BAD;
  if (r.pos + 1 > r.avail) return NEED;
  return r.buf[r.pos++] as number;
}

function readU16(r: Reader, limit: number): number {
  if (r.pos + 2 > limit) return BAD;
  if (r.pos + 2 > r.avail) return NEED;
  const v = r.buf.readUInt16BE(r.pos);
  r.pos += 2;
  return v;
}

/** Moves past `n` bytes that need not be read; they may not have arrived yet, which a later read notices. */
function skip(r: Reader, n: number, limit: number): number {
  if (r.pos + n > limit) return BAD;
  r.pos += n;
  return 0;
}

/** server_name extension body (RFC 6066 §3): the first host_name entry, or a sentinel. */
function readServerName(r: Reader, extEnd: number): string | undefined | number {
  const listLen = readU16(r, extEnd);
  if (listLen < 0) return listLen;
  if (r.pos + listLen !== extEnd || listLen === 0) return BAD;
  let host: string | undefined;
  while (r.pos < extEnd) {
    const nameType = readU8(r, extEnd);
    if (nameType < 0) return nameType;
    const nameLen = readU16(r, extEnd);
    if (nameLen < 0) return nameLen;
    if (r.pos + nameLen > extEnd) return BAD;
    if (r.pos + nameLen > r.avail) return NEED;
    if (nameType === NAME_TYPE_HOST) {
      // RFC 6066: at most one name of each type.
      if (host !== undefined) return BAD;
      if (nameLen === 0 || nameLen > MAX_HOST_NAME) return BAD;
      for (let i = r.pos; i < r.pos + nameLen; i++) {
        if (HOST_CHAR[r.buf[i] as number] !== 1) return BAD;
      }
      if (r.buf[r.pos + nameLen - 1] === 0x2e) return BAD;
      host = r.buf.toString('latin1', r.pos, r.pos + nameLen);
    }
    r.pos += nameLen;
  }
  return host;
}
