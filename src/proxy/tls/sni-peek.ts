// Reads a TLS ClientHello to its end (detection may decide "TLS" from its first bytes) and puts every byte
// back, so the server name can choose between terminating mesh mTLS and passing the app's own TLS through.
import type net from 'node:net';
import { parseClientHelloSni } from '../detect/detect.js';

const MAX_HELLO_BYTES = 16 * 1024 + 5;

/** The SNI of the ClientHello at the start of `socket` (undefined if none or malformed). */
export function peekSni(socket: net.Socket, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (sni: string | undefined): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      if (size > 0) socket.unshift(Buffer.concat(chunks, size));
      resolve(sni);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const result = parseClientHelloSni(Buffer.concat(chunks, size));
      if (result.status === 'complete') finish(result.sni);
      else if (result.status === 'malformed' || size >= MAX_HELLO_BYTES) finish(undefined);
    };
    const onEnd = (): void => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.resume();
  });
}
