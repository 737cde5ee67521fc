// Origin servers for tests: real HTTP/1.1 and HTTP/2 servers on 127.0.0.1 that count what reaches them.
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import type { TestContext } from 'node:test';

export interface Origin<S> {
  readonly server: S;
  readonly port: number;
  readonly address: string;
  /** Requests (HTTP/1) or streams (HTTP/2) that reached the origin. */
  requests: number;
  /** TCP connections the origin accepted. */
  connections: number;
}

async function listen(server: net.Server, t: TestContext | undefined): Promise<number> {
  // Track raw sockets: upgraded (WebSocket) connections leave the HTTP server's own bookkeeping.
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t?.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

export async function startHttpOrigin(
  t: TestContext | undefined,
  handler: http.RequestListener,
): Promise<Origin<http.Server>> {
  const server = http.createServer({ keepAliveTimeout: 30_000 });
  const origin = { server, port: 0, address: '', requests: 0, connections: 0 };
  server.on('connection', () => origin.connections++);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    origin.requests++;
    handler(req, res);
  });
  origin.port = await listen(server, t);
  origin.address = `127.0.0.1:${origin.port}`;
  return origin;
}

export async function startH2Origin(
  t: TestContext | undefined,
  handler: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
): Promise<Origin<http2.Http2Server>> {
  const server = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
  const sessions = new Set<http2.ServerHttp2Session>();
  const origin = { server, port: 0, address: '', requests: 0, connections: 0 };
  server.on('session', (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  server.on('connection', () => origin.connections++);
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    origin.requests++;
    handler(stream, headers);
  });
  t?.after(() => {
    for (const s of sessions) s.destroy();
  });
  origin.port = await listen(server, t);
  origin.address = `127.0.0.1:${origin.port}`;
  return origin;
}

/** Reads a whole request body. */
export async function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}
