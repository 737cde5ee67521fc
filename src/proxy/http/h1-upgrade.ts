// HTTP/1.1 Upgrade (WebSocket and friends): the handshake goes through the pool like any request; after the
// upstream's 101 the two sockets are joined and bytes are copied both ways, as opaque TCP.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { EndpointPicker } from '../endpoint/picker.js';
import { ProxyError, PROXY_ERROR_HEADER, httpStatusFor, toProxyError } from '../errors.js';
import { h1RequestHeaders } from './headers.js';

type DispatchController = Dispatcher.DispatchController;

function rawHead(
  status: number,
  reason: string,
  headers: Record<string, string | string[] | undefined>,
): string {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${v}\r\n`;
  }
  return head + '\r\n';
}

function rejectUpgrade(client: Duplex, err: ProxyError): void {
  const body = `${err.message}\n`;
  client.end(
    rawHead(httpStatusFor(err), 'Bad Gateway', {
      [PROXY_ERROR_HEADER]: err.headerValue(),
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    }) + body,
  );
}

/** Joins two byte streams until both sides are done; an error on either destroys both. */
function join(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const destroyBoth = (): void => {
    a.destroy();
    b.destroy();
  };
  a.once('error', destroyBoth);
  b.once('error', destroyBoth);
  a.once('close', () => b.destroy());
  b.once('close', () => a.destroy());
}

export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  picker: EndpointPicker,
): void {
  const ep = picker.pick();
  if (ep === undefined) {
    rejectUpgrade(
      client,
      new ProxyError('MESH_NO_ENDPOINTS', `no available endpoints for ${picker.authority}`),
    );
    return;
  }
  const headers = h1RequestHeaders(req.rawHeaders, req.headers.connection);
  let controller: DispatchController | null = null;
  client.once('error', () => controller?.abort(new Error('client went away')));
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
    },
    onRequestUpgrade(_c, statusCode, resHeaders, upstream) {
      client.write(rawHead(statusCode, 'Switching Protocols', resHeaders));
      if (head.length > 0) upstream.write(head);
      join(client, upstream);
    },
    onResponseError(_c, err) {
      rejectUpgrade(client, toProxyError(err, ep.key));
    },
  };
  ep.h1().dispatch(
    {
      path: req.url ?? '/',
      method: req.method ?? 'GET',
      headers,
      upgrade: req.headers.upgrade ?? 'websocket',
    },
    handler,
  );
}
