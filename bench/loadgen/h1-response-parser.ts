// An incremental HTTP/1.1 response parser for the load generator: byte-level, no per-response strings or
// objects, so the generator's own garbage collection stays out of the latencies it measures. It frames
// responses (Content-Length, chunked, read-until-close) and reports status and body size; it does not
// keep header values.

export interface ResponseSink {
  /** One complete response. `keepAlive` is false when the server asked to close the connection. */
  onResponse(status: number, bodyBytes: number, keepAlive: boolean): void;
}

const HEAD = 0;
const BODY = 1;
const BODY_UNTIL_CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_DATA_END = 5;
const TRAILERS = 6;

const CR = 13;
const LF = 10;
/** Head bytes are copied into the head buffer in steps of this size, so large bodies are not copied. */
const HEAD_STEP = 2048;

const NAME_CONTENT_LENGTH = Buffer.from('content-length');
const NAME_TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const NAME_CONNECTION = Buffer.from('connection');
const WORD_CHUNKED = Buffer.from('chunked');
const WORD_CLOSE = Buffer.from('close');

/** Case-insensitive comparison of buf[start, end) with a lower-case ASCII word. */
function equalsLower(buf: Buffer, start: number, end: number, word: Buffer): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (((buf[start + i] as number) | 0x20) !== word[i]) return false;
  }
  return true;
}

/** Case-insensitive search for a lower-case ASCII word inside buf[start, end). */
function containsLower(buf: Buffer, start: number, end: number, word: Buffer): boolean {
  outer: for (let i = start; i + word.length <= end; i++) {
    for (let j = 0; j < word.length; j++) {
      if (((buf[i + j] as number) | 0x20) !== word[j]) continue outer;
    }
    return true;
  }
  return false;
}

export class H1ResponseParser {
  private state = HEAD;
  private readonly head = Buffer.allocUnsafe(16 * 1024);
  private headLen = 0;
  private remaining = 0;
  private status = 0;
  private bodyBytes = 0;
  private keepAlive = true;
  private sawDigit = false;
  private inExtension = false;
  private lineLen = 0;

  constructor(private readonly sink: ResponseSink) {}

  /** Resets for a new connection. */
  reset(): void {
    this.state = HEAD;
    this.headLen = 0;
  }

  /** True between responses, i.e. when a closed connection lost nothing half-read. */
  get idle(): boolean {
    return this.state === HEAD && this.headLen === 0;
  }

  /** Feeds received bytes; returns an error message when the stream is not valid HTTP/1.x. */
  feed(buf: Buffer, start: number, end: number): string | undefined {
    let pos = start;
    while (pos < end) {
      switch (this.state) {
        case HEAD: {
          const r = this.feedHead(buf, pos, end);
          if (typeof r === 'string') return r;
          pos = r;
          break;
        }
        case BODY: {
          const take = Math.min(this.remaining, end - pos);
          this.remaining -= take;
          this.bodyBytes += take;
          pos += take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case BODY_UNTIL_CLOSE:
          this.bodyBytes += end - pos;
          pos = end;
          break;
        case CHUNK_SIZE: {
          const c = buf[pos++] as number;
          if (c === LF) {
            if (!this.sawDigit) return 'chunk size line without digits';
            if (this.remaining === 0) {
              this.state = TRAILERS;
              this.lineLen = 0;
            } else {
              this.state = CHUNK_DATA;
            }
          } else if (c === CR || this.inExtension) {
            // skip
          } else if (c === 0x3b /* ; */) {
            this.inExtension = true;
          } else {
            const d = hexDigit(c);
            if (d < 0) return 'bad chunk size';
            this.remaining = this.remaining * 16 + d;
            this.sawDigit = true;
          }
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, end - pos);
          this.remaining -= take;
          this.bodyBytes += take;
          pos += take;
          if (this.remaining === 0) this.state = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END: {
          const c = buf[pos++] as number;
          if (c === LF) this.startChunk();
          else if (c !== CR) return 'chunk data not followed by CRLF';
          break;
        }
        case TRAILERS: {
          const c = buf[pos++] as number;
          if (c === LF) {
            if (this.lineLen === 0) this.complete();
            this.lineLen = 0;
          } else if (c !== CR) {
            this.lineLen++;
          }
          break;
        }
      }
    }
    return undefined;
  }

  /** The peer closed the connection: completes a read-until-close body. Returns true if it did. */
  end(): boolean {
    if (this.state !== BODY_UNTIL_CLOSE) return false;
    this.keepAlive = false;
    this.complete();
    return true;
  }

  private feedHead(buf: Buffer, pos: number, end: number): number | string {
    const before = this.headLen;
    const room = this.head.length - before;
    if (room === 0) return 'response head larger than 16 KiB';
    const n = Math.min(end - pos, room, HEAD_STEP);
    buf.copy(this.head, before, pos, pos + n);
    this.headLen += n;
    const h = this.head;
    for (let i = Math.max(0, before - 3); i + 3 < this.headLen; i++) {
      if (h[i] === CR && h[i + 1] === LF && h[i + 2] === CR && h[i + 3] === LF) {
        const headEnd = i + 4;
        const err = this.parseHead(headEnd);
        this.headLen = 0;
        return err ?? pos + (headEnd - before);
      }
    }
    return pos + n;
  }

  private parseHead(headEnd: number): string | undefined {
    const h = this.head;
    // "HTTP/1.1 200 OK"
    if (headEnd < 12 || h[0] !== 0x48 || h[4] !== 0x2f || h[5] !== 0x31 || h[6] !== 0x2e) {
      return 'not an HTTP/1.x response';
    }
    const status = ((h[9] as number) - 48) * 100 + ((h[10] as number) - 48) * 10 + ((h[11] as number) - 48);
    if (!(status >= 100 && status <= 999)) return 'bad status code';
    this.status = status;
    this.keepAlive = h[7] === 0x31; // HTTP/1.1 keeps alive by default, 1.0 does not
    let contentLength = -1;
    let chunked = false;
    let lineStart = h.indexOf(LF, 0) + 1;
    while (lineStart > 0 && lineStart < headEnd - 2) {
      let lineEnd = h.indexOf(LF, lineStart);
      if (lineEnd < 0 || lineEnd >= headEnd) break;
      const next = lineEnd + 1;
      if (h[lineEnd - 1] === CR) lineEnd--;
      const colon = h.indexOf(0x3a, lineStart);
      if (colon > lineStart && colon < lineEnd) {
        let vs = colon + 1;
        while (vs < lineEnd && (h[vs] === 0x20 || h[vs] === 0x09)) vs++;
        if (equalsLower(h, lineStart, colon, NAME_CONTENT_LENGTH)) {
          contentLength = 0;
          for (let i = vs; i < lineEnd; i++) {
            const c = h[i] as number;
            if (c < 48 || c > 57) break;
            contentLength = contentLength * 10 + (c - 48);
          }
        } else if (equalsLower(h, lineStart, colon, NAME_TRANSFER_ENCODING)) {
          chunked = containsLower(h, vs, lineEnd, WORD_CHUNKED);
        } else if (equalsLower(h, lineStart, colon, NAME_CONNECTION)) {
          if (containsLower(h, vs, lineEnd, WORD_CLOSE)) this.keepAlive = false;
        }
      }
      lineStart = next;
    }
    this.bodyBytes = 0;
    if (status < 200) {
      // Informational: the real response follows.
      this.state = HEAD;
      return undefined;
    }
    if (status === 204 || status === 304 || contentLength === 0) {
      this.complete();
    } else if (chunked) {
      this.startChunk();
    } else if (contentLength > 0) {
      this.remaining = contentLength;
      this.state = BODY;
    } else {
      this.state = BODY_UNTIL_CLOSE;
    }
    return undefined;
  }

  private startChunk(): void {
    this.state = CHUNK_SIZE;
    this.remaining = 0;
    this.sawDigit = false;
    this.inExtension = false;
  }

  private complete(): void {
    this.state = HEAD;
    this.sink.onResponse(this.status, this.bodyBytes, this.keepAlive);
  }
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
