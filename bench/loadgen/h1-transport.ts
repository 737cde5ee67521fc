// HTTP/1.1 keep-alive connections for the open-loop generator: a fixed pool, one request in flight per
// connection (no pipelining, like wrk2), free connections handed out round-robin. Reads land in one
// preallocated buffer per connection (net's `onread`), and the request is one prebuilt Buffer, so the
// steady state allocates almost nothing per request.
import net from 'node:net';
import { H1ResponseParser, type ResponseSink } from './h1-response-parser.js';
import type { CompletionSink, Transport } from './open-loop.js';

export interface H1Target {
  readonly host: string;
  readonly port: number;
  /** The complete request bytes, sent as they are for every request. */
  readonly request: Buffer;
}

/** Builds a GET request with a Host header (the meshctl outbound routes on it). */
export function buildGetRequest(path: string, authority: string): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: meshload\r\n\r\n`, 'latin1');
}

class H1Connection implements ResponseSink {
  socket: net.Socket | undefined;
  busy = false;
  private intended = 0;
  private sentAt = 0;
  private readonly parser = new H1ResponseParser(this);
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  private closing = false;

  constructor(
    private readonly target: H1Target,
    private readonly pool: H1Transport,
  ) {}

  connect(): Promise<void> {
    this.parser.reset();
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: this.target.host,
        port: this.target.port,
        noDelay: true,
        onread: {
          buffer: this.readBuffer,
          callback: (n: number, buf: Uint8Array) => {
            const err = this.parser.feed(buf as Buffer, 0, n);
            if (err !== undefined) this.lost(new Error(err));
            return true;
          },
        },
      });
      this.socket = socket;
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        resolve();
      });
      socket.once('error', (err) => {
        if (connected) this.lost(err);
        else reject(err);
      });
      socket.once('close', () => {
        if (this.socket !== socket || !connected) return;
        if (this.busy && this.parser.end()) return;
        this.lost(new Error('connection closed'));
      });
    });
  }

  send(intended: number, now: number): void {
    this.busy = true;
    this.intended = intended;
    this.sentAt = now;
    (this.socket as net.Socket).write(this.target.request);
  }

  onResponse(status: number, bodyBytes: number, keepAlive: boolean): void {
    if (!this.busy) return;
    this.busy = false;
    this.pool.completed(this, this.intended, this.sentAt, status >= 200 && status < 400, bodyBytes);
    if (!keepAlive) this.reconnect();
    else this.pool.free(this);
  }

  /** The connection broke: the request in flight (if any) failed; a new connection replaces it. */
  private lost(err: Error): void {
    if (this.closing) return;
    this.pool.noteError(err);
    const wasBusy = this.busy;
    this.busy = false;
    if (wasBusy) this.pool.completed(this, this.intended, this.sentAt, false, 0);
    this.reconnect();
  }

  private reconnect(): void {
    const old = this.socket;
    this.socket = undefined;
    old?.destroy();
    if (this.pool.closed) return;
    // A short pause keeps a refusing target from turning the generator into a connect loop.
    setTimeout(() => {
      if (this.pool.closed) return;
      this.connect().then(
        () => this.pool.free(this),
        (err: Error) => {
          this.pool.noteError(err);
          this.reconnect();
        },
      );
    }, 10);
  }

  close(): void {
    this.closing = true;
    this.socket?.destroy();
  }
}

export class H1Transport implements Transport {
  closed = false;
  inFlight = 0;
  /** First few distinct connection errors, for the report. */
  readonly errorSamples: string[] = [];
  private readonly connections: H1Connection[] = [];
  private readonly freeList: H1Connection[] = [];
  private freeHead = 0;

  constructor(
    private readonly target: H1Target,
    private readonly sink: CompletionSink,
    count: number,
  ) {
    for (let i = 0; i < count; i++) this.connections.push(new H1Connection(target, this));
  }

  async open(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.connect()));
    for (const c of this.connections) this.freeList.push(c);
  }

  trySend(intended: number, now: number): boolean {
    if (this.freeHead >= this.freeList.length) return false;
    const conn = this.freeList[this.freeHead++] as H1Connection;
    if (this.freeHead > 4096) {
      this.freeList.splice(0, this.freeHead);
      this.freeHead = 0;
    }
    this.inFlight++;
    conn.send(intended, now);
    return true;
  }

  completed(_conn: H1Connection, intended: number, sentAt: number, ok: boolean, bodyBytes: number): void {
    this.inFlight--;
    this.sink.complete(intended, sentAt, ok, bodyBytes);
  }

  free(conn: H1Connection): void {
    this.freeList.push(conn);
    this.sink.connectionFree();
  }

  noteError(err: Error): void {
    if (this.errorSamples.length < 5 && !this.errorSamples.includes(err.message)) {
      this.errorSamples.push(err.message);
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections) c.close();
  }
}
