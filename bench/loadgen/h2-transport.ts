// HTTP/2 (h2c prior knowledge) and gRPC unary for the open-loop generator: a few sessions, one stream per
// request, never refused (streams multiplex, so a slow server queues them rather than the generator).
// gRPC requests carry one length-prefixed message and succeed only with grpc-status 0 in the trailers.
import http2 from 'node:http2';
import type { CompletionSink, Transport } from './open-loop.js';

export interface H2Target {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly authority: string;
  /** gRPC: the message bytes to send (without the 5-byte prefix); undefined for a plain GET. */
  readonly grpcMessage: Buffer | undefined;
}

/** A gRPC length-prefixed message: flag byte 0 (uncompressed), 4-byte big-endian length, payload. */
export function grpcFrame(message: Buffer): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

/** One request in flight; the stream's listeners are module functions bound to it. */
class Pending {
  status = 0;
  grpcOk = false;
  bytes = 0;

  constructor(
    readonly transport: H2Transport,
    readonly intended: number,
    readonly sentAt: number,
  ) {}
}

export class H2Transport implements Transport {
  inFlight = 0;
  readonly errorSamples: string[] = [];
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private next = 0;
  private readonly headers: http2.OutgoingHttpHeaders;
  private readonly frame: Buffer | undefined;
  readonly isGrpc: boolean;

  constructor(
    private readonly target: H2Target,
    private readonly sink: CompletionSink,
    private readonly count: number,
  ) {
    const grpc = target.grpcMessage !== undefined;
    this.isGrpc = grpc;
    this.headers = grpc
      ? {
          ':method': 'POST',
          ':path': target.path,
          ':authority': target.authority,
          'content-type': 'application/grpc',
          te: 'trailers',
          'user-agent': 'meshload',
        }
      : { ':method': 'GET', ':path': target.path, ':authority': target.authority, 'user-agent': 'meshload' };
    this.frame = target.grpcMessage === undefined ? undefined : grpcFrame(target.grpcMessage);
  }

  async open(): Promise<void> {
    for (let i = 0; i < this.count; i++) {
      const session = http2.connect(`http://${this.target.host}:${this.target.port}`, {
        settings: { enablePush: false, initialWindowSize: 1 << 20 },
        peerMaxConcurrentStreams: 10_000,
      });
      session.on('error', (err: Error) => this.noteError(err));
      await new Promise<void>((resolve, reject) => {
        session.once('connect', () => resolve());
        session.once('error', reject);
      });
      session.setLocalWindowSize(8 << 20);
      this.sessions.push(session);
    }
  }

  trySend(intended: number, now: number): boolean {
    let session = this.sessions[this.next++ % this.sessions.length] as http2.ClientHttp2Session;
    if (session.closed || session.destroyed) session = this.replace(session);
    const p = new Pending(this, intended, now);
    this.inFlight++;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(this.headers, { endStream: this.frame === undefined });
    } catch (err) {
      this.noteError(err as Error);
      this.finish(p, false);
      return true;
    }
    stream.on('response', onResponse.bind(p));
    stream.on('data', onData.bind(p));
    stream.on('trailers', onTrailers.bind(p));
    stream.on('close', onClose.bind(p, stream));
    stream.on('error', (err: Error) => this.noteError(err));
    if (this.frame !== undefined) stream.end(this.frame);
    return true;
  }

  finish(p: Pending, ok: boolean): void {
    this.inFlight--;
    this.sink.complete(p.intended, p.sentAt, ok, p.bytes);
  }

  noteError(err: Error): void {
    if (this.errorSamples.length < 5 && !this.errorSamples.includes(err.message)) {
      this.errorSamples.push(err.message);
    }
  }

  close(): void {
    for (const s of this.sessions) s.destroy();
  }

  private replace(old: http2.ClientHttp2Session): http2.ClientHttp2Session {
    const session = http2.connect(`http://${this.target.host}:${this.target.port}`);
    session.on('error', (err: Error) => this.noteError(err));
    this.sessions[this.sessions.indexOf(old)] = session;
    return session;
  }
}

function onResponse(this: Pending, headers: http2.IncomingHttpHeaders): void {
  this.status = Number(headers[':status']);
  // Trailers-only responses carry grpc-status in the headers.
  if (headers['grpc-status'] !== undefined) this.grpcOk = headers['grpc-status'] === '0';
}

function onData(this: Pending, chunk: Buffer): void {
  this.bytes += chunk.length;
}

function onTrailers(this: Pending, trailers: http2.IncomingHttpHeaders): void {
  this.grpcOk = trailers['grpc-status'] === '0';
}

function onClose(this: Pending, stream: http2.ClientHttp2Stream): void {
  const httpOk =
    this.status >= 200 && this.status < 400 && stream.rstCode === http2.constants.NGHTTP2_NO_ERROR;
  this.transport.finish(this, httpOk && (!this.transport.isGrpc || this.grpcOk));
}
