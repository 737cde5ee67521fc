// Originates mesh mTLS to a peer proxy: TLS 1.3 with this proxy's certificate, SNI set to the peer's
// identity, and the peer's certificate verified against the trust anchors and that exact identity.
import type { PeerCertificate } from 'node:tls';
import tls from 'node:tls';
import type { HostPort } from '../../common/address.js';
import { dnsIdentityOf } from './peer.js';

export interface OriginateOptions {
  readonly address: HostPort;
  readonly peerIdentity: string;
  readonly context: tls.SecureContext;
  readonly alpn: string;
  /** Opaque traffic needs half-open sockets (see ConnectOptions.halfOpen); HTTP must not have them. */
  readonly halfOpen: boolean;
}

export function originateMeshTls(options: OriginateOptions): tls.TLSSocket {
  const { peerIdentity } = options;
  // allowHalfOpen is honoured by tls.connect (it is passed to the underlying socket) but missing from the
  // types.
  const halfOpen = { allowHalfOpen: options.halfOpen } as tls.ConnectionOptions;
  const socket = tls.connect({
    ...halfOpen,
    host: options.address.host,
    port: options.address.port,
    servername: peerIdentity,
    secureContext: options.context,
    ALPNProtocols: [options.alpn],
    rejectUnauthorized: true,
    // The identity discovery named, exactly: never a wildcard, never the address.
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      dnsIdentityOf(cert.subjectaltname) === peerIdentity
        ? undefined
        : Object.assign(
            new Error(`peer presented ${cert.subjectaltname || 'no identity'}, expected DNS:${peerIdentity}`),
            {
              code: 'ERR_MESH_IDENTITY_MISMATCH',
            },
          ),
  });
  socket.setNoDelay(true);
  return socket;
}
