// The injector's HTTPS listener: TLS 1.2+ with the certificate from the mounted Secret (re-read when the
// Secret is rotated), tight header/request timeouts and a body cap so a slow or huge client cannot tie it
// up, POST /inject only. Each request is handed to reviewAdmission; nothing here knows about pods.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { type HostPort } from '../../common/address.js';
import { MeshError, errorMessage } from '../../common/errors.js';

/** AdmissionReviews carry the whole pod; the API server's own object limit is 3 MiB. */
export const MAX_REVIEW_BYTES = 4 * 1024 * 1024;
export const WEBHOOK_PATHS = ['/inject', '/'];

export interface WebhookTls {
  readonly cert: string;
  readonly key: string;
}

export function readWebhookTls(dir: string): WebhookTls {
  try {
    return {
      cert: readFileSync(path.join(dir, 'tls.crt'), 'utf8'),
      key: readFileSync(path.join(dir, 'tls.key'), 'utf8'),
    };
  } catch (err) {
    throw new MeshError(
      'MESH_INJECTOR_TLS',
      `cannot read the injector's certificate from ${dir}: ${errorMessage(err)}`,
      'mount the mesh-injector-k8s-tls Secret there (tls.crt, tls.key), or pass --injector-tls-dir',
    );
  }
}

export interface WebhookServer {
  readonly address: HostPort;
  close(): Promise<void>;
}

export async function startWebhookServer(options: {
  listen: HostPort;
  tlsDir: string;
  handle: (body: Buffer) => Promise<{ status: number; body: string }>;
  onReject: (status: number, why: string) => void;
  reloadMs?: number;
}): Promise<WebhookServer> {
  let tls = readWebhookTls(options.tlsDir);
  const server = https.createServer({
    ...tls,
    minVersion: 'TLSv1.2',
    // The API server sends small, quick requests; anything slower is not the API server.
    headersTimeout: 5_000,
    requestTimeout: 10_000,
    keepAliveTimeout: 30_000,
    maxHeaderSize: 16 * 1024,
  });
  const sockets = new Set<net.Socket>();
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const reject = (status: number, why: string): void => {
      options.onReject(status, why);
      // Too big: answer, then drop the connection rather than read megabytes more; once the answer is out,
      // so that the client reads a 413 and not a bare reset.
      if (status === 413) {
        res.shouldKeepAlive = false;
        res.once('finish', () => req.destroy());
      }
      reply(status, why + '\n');
    };
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    if (!WEBHOOK_PATHS.includes(url))
      return reject(404, `not found: the webhook is POST ${WEBHOOK_PATHS[0]}`);
    if (req.method !== 'POST') return reject(405, 'method not allowed: POST an AdmissionReview');
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_REVIEW_BYTES) return reject(413, `request body over ${MAX_REVIEW_BYTES} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REVIEW_BYTES) return reject(413, `request body over ${MAX_REVIEW_BYTES} bytes`);
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_REVIEW_BYTES) return;
      options.handle(Buffer.concat(chunks)).then(
        (r) => reply(r.status, r.body, r.status === 200 ? 'application/json' : 'text/plain; charset=utf-8'),
        (err: unknown) => reject(500, `injector error: ${errorMessage(err)}`),
      );
    });
    req.on('error', () => undefined);
  });
  server.on('clientError', (_err, socket: net.Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  // A rotated Secret shows up in the mounted directory; pick it up without a restart.
  const reload = setInterval(() => {
    try {
      const next = readWebhookTls(options.tlsDir);
      if (next.cert !== tls.cert || next.key !== tls.key) {
        server.setSecureContext({ ...next, minVersion: 'TLSv1.2' });
        tls = next;
      }
    } catch {
      // Keep serving with the certificate we have; the mount may be mid-update.
    }
  }, options.reloadMs ?? 30_000);
  reload.unref();
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: { host: options.listen.host, port },
    async close() {
      clearInterval(reload);
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
