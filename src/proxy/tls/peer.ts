// Mesh TLS facts shared by the listener and the HTTP layers: the ALPN names proxies use between themselves,
// and the verified client identity of each terminated connection.
import type { Duplex } from 'node:stream';

/** ALPN protocol for opaque TCP carried over mesh TLS (HTTP uses h2 and http/1.1). */
export const OPAQUE_ALPN = 'mesh.io/opaque';

/** The request header carrying the verified client identity to the app. */
export const CLIENT_ID_HEADER = 'mesh-client-id';

const peers = new WeakMap<object, string>();

/** Records the verified identity of a connection (or of the HTTP/2 session on it). */
export function setPeerIdentity(socket: Duplex | object, identity: string): void {
  peers.set(socket, identity);
}

/** The verified identity of the mesh client on this connection, if it arrived over mesh mTLS. */
export function peerIdentityOf(socket: object | null | undefined): string | undefined {
  return socket ? peers.get(socket) : undefined;
}

/** The single DNS SAN of a certificate's subjectaltname string, or undefined when there is not exactly one. */
export function dnsIdentityOf(subjectaltname: string | undefined): string | undefined {
  if (!subjectaltname) return undefined;
  const names = subjectaltname.split(', ').filter((n) => n.startsWith('DNS:'));
  return names.length === 1 ? (names[0] as string).slice(4) : undefined;
}
