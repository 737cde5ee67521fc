// Per-label-set TCP connection accounting, read from the sockets themselves so nothing runs per chunk.
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Histogram, LATENCY_BUCKETS_MS } from './histogram.js';

interface LiveSocket {
  readonly start: number;
  // Last byte counts seen: a destroyed TLS wrapper may report undefined, and then these are the best we have.
  read: number;
  written: number;
}

/**
 * tcp_open_total, tcp_close_total, tcp_open_connections, tcp_read_bytes_total, tcp_write_bytes_total and
 * tcp_connection_duration_ms for {direction, peer, target_addr, tls}. Bytes are read from the sockets
 * themselves at scrape time (live sockets) and at close (closed ones), so counting costs nothing per chunk.
 */
export class TcpSeries {
  opened = 0;
  closed = 0;
  readonly duration = new Histogram(LATENCY_BUCKETS_MS);
  #closedRead = 0;
  #closedWritten = 0;
  readonly #live = new Map<net.Socket, LiveSocket>();

  constructor(readonly labels: string) {}

  /** Starts accounting for a socket: counts the open now, and the close, bytes and duration when it closes. */
  track(socket: net.Socket): void {
    if (this.#live.has(socket)) return; // tracking twice must not count twice
    const live: LiveSocket = { start: performance.now(), read: 0, written: 0 };
    this.#live.set(socket, live);
    this.opened++;
    // A socket that already emitted 'close' will not emit it again.
    if (socket.closed) this.#close(socket, live);
    else socket.once('close', () => this.#close(socket, live));
  }

  /** tcp_open_connections. */
  get open(): number {
    return this.opened - this.closed;
  }

  /** tcp_read_bytes_total: closed sockets' totals plus what live sockets have read so far. */
  readBytes(): number {
    let total = this.#closedRead;
    for (const [socket, live] of this.#live) total += refresh(socket, live).read;
    return total;
  }

  /** tcp_write_bytes_total: closed sockets' totals plus what live sockets have written so far. */
  writtenBytes(): number {
    let total = this.#closedWritten;
    for (const [socket, live] of this.#live) total += refresh(socket, live).written;
    return total;
  }

  #close(socket: net.Socket, live: LiveSocket): void {
    if (!this.#live.delete(socket)) return;
    refresh(socket, live);
    this.#closedRead += live.read;
    this.#closedWritten += live.written;
    this.closed++;
    this.duration.observe(performance.now() - live.start);
  }
}

function refresh(socket: net.Socket, live: LiveSocket): LiveSocket {
  const read = socket.bytesRead as number | undefined;
  const written = socket.bytesWritten as number | undefined;
  if (typeof read === 'number' && read >= live.read) live.read = read;
  if (typeof written === 'number' && written >= live.written) live.written = written;
  return live;
}
