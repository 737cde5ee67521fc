// Reaching a port inside a pod from the CLI, the way `kubectl port-forward` does: a loopback listener
// whose every connection is carried to the pod through the API server (WebSocket, v4.channel.k8s.io,
// via client-node's PortForward). Used by `check` to ask components and proxies how they are.
import net from 'node:net';
import { Writable } from 'node:stream';
import { type KubeConfig, PortForward } from '@kubernetes/client-node';

interface Closable {
  on(event: 'close', listener: () => void): unknown;
  close(): void;
}

/** Runs `use` with a local `host:port` that leads to `port` of the pod; everything is closed afterwards. */
export async function withPortForward<T>(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  port: number,
  use: (address: string) => Promise<T>,
): Promise<T> {
  const forward = new PortForward(kc, true);
  const sockets = new Set<net.Socket>();
  const channels = new Set<Closable>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // The error channel carries the kubelet's explanation ("connection refused"); it ends the connection.
    const errors = new Writable({
      write(chunk: Buffer, _enc, done) {
        // The channel opens with the port number, which client-node strips, leaving an empty write.
        if (chunk.length === 0) return done();
        socket.destroy(new Error(`port-forward to ${namespace}/${pod}:${port}: ${chunk.toString('utf8')}`));
        done();
      },
    });
    forward.portForward(namespace, pod, [port], socket, errors, socket).then(
      (ws) => {
        if (typeof ws === 'function') return;
        const channel = ws as unknown as Closable;
        channels.add(channel);
        channel.on('close', () => {
          channels.delete(channel);
          socket.end();
        });
        if (socket.destroyed) channel.close();
        socket.once('close', () => channel.close());
      },
      (err: unknown) => socket.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: local } = server.address() as net.AddressInfo;
  try {
    return await use(`127.0.0.1:${local}`);
  } finally {
    for (const c of channels) c.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
