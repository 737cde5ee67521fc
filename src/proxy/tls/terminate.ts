// Terminates mesh mTLS on the inbound side: requires a client certificate chaining to the trust anchors and
// carrying exactly one identity, and reports every refusal (with the peer's identity when it sent one).
// A tls.Server does the handshakes (a bare server-mode TLSSocket never evaluates the client's chain); the
// context comes from a callback per handshake, so a renewed certificate is used from the next connection.
import type net from 'node:net';
import tls from 'node:tls';
import { OPAQUE_ALPN, dnsIdentityOf } from './peer.js';

export type TerminateResult =
  | {
      readonly ok: true;
      readonly socket: tls.TLSSocket;
      readonly peerIdentity: string;
      readonly alpn: string;
    }
  | { readonly ok: false; readonly reason: string; readonly peerIdentity: string | undefined };

const HANDSHAKE_TIMEOUT_MS = 10_000;

function keyOf(s: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${s.remoteAddress ?? ''}|${s.remotePort ?? 0}`;
}

function peerOf(s: tls.TLSSocket): string | undefined {
  try {
    return dnsIdentityOf(s.getPeerCertificate()?.subjectaltname);
  } catch {
    return undefined;
  }
}

export class MeshTlsTerminator {
  private readonly server: tls.Server;
  /** Handshakes in progress, by the client's address (the same on the raw and the TLS socket). */
  private readonly pending = new Map<string, (r: TerminateResult) => void>();

  constructor(context: () => tls.SecureContext | undefined) {
    this.server = tls.createServer({
      requestCert: true,
      // Verified below instead, so that refusals can be counted and explained.
      rejectUnauthorized: false,
      ALPNProtocols: ['h2', 'http/1.1', OPAQUE_ALPN],
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      SNICallback: (_name, cb) => {
        const ctx = context();
        if (ctx === undefined) cb(new Error('no certificate yet'), undefined);
        else cb(null, ctx);
      },
    });
    this.server.on('secureConnection', (s: tls.TLSSocket) => {
      const resolve = this.take(s);
      if (resolve === undefined) return void s.destroy();
      if (!s.authorized) {
        const reason = s.authorizationError;
        const peer = peerOf(s);
        s.destroy();
        return resolve({
          ok: false,
          reason:
            peer === undefined
              ? 'no client certificate'
              : typeof reason === 'string'
                ? reason
                : String(reason?.message),
          peerIdentity: peer,
        });
      }
      const identity = peerOf(s);
      if (identity === undefined) {
        s.destroy();
        return resolve({
          ok: false,
          reason: 'client certificate carries no single identity',
          peerIdentity: undefined,
        });
      }
      resolve({ ok: true, socket: s, peerIdentity: identity, alpn: s.alpnProtocol || 'http/1.1' });
    });
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException, s: tls.TLSSocket) => {
      this.take(s)?.({ ok: false, reason: err.code ?? err.message, peerIdentity: undefined });
    });
  }

  terminate(socket: net.Socket): Promise<TerminateResult> {
    return new Promise((resolve) => {
      const key = keyOf(socket);
      this.pending.set(key, resolve);
      // A client that goes away mid-handshake resolves too, so nothing waits forever.
      socket.once('close', () =>
        this.take(socket)?.({ ok: false, reason: 'closed during handshake', peerIdentity: undefined }),
      );
      this.server.emit('connection', socket);
    });
  }

  private take(s: {
    remoteAddress?: string | undefined;
    remotePort?: number | undefined;
  }): ((r: TerminateResult) => void) | undefined {
    const key = keyOf(s);
    const resolve = this.pending.get(key);
    this.pending.delete(key);
    return resolve;
  }
}
