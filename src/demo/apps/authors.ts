// The demo's authors service (HTTP/JSON): every seventh-ish lookup fails with 500 — a fixed 15 % share —
// so success rate, retries and failure accrual have something to show.
import { http } from '../../common/node-http.js';
import { splitAuthority } from '../../common/address.js';
import { AUTHORS } from './catalog.js';
import type { AppHandle } from './books.js';

/** Lookups that fail: 3 of every 20 (15 %), spread out. */
const FAILING = new Set([3, 10, 17]);

export async function runAuthors(listen: string, instance: string): Promise<AppHandle> {
  let lookups = 0;
  const server = http.createServer((req, res) => {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-served-by': instance });
      res.end(JSON.stringify(body));
    };
    const m = /^\/authors\/(\d+)$/.exec(req.url ?? '');
    if (req.url === '/authors')
      return json(
        200,
        Object.entries(AUTHORS).map(([id, name]) => ({ id: Number(id), name })),
      );
    if (m) {
      if (FAILING.has(lookups++ % 20)) return json(500, { error: 'author index temporarily unavailable' });
      const name = AUTHORS[Number(m[1])];
      return name === undefined
        ? json(404, { error: 'no such author' })
        : json(200, { id: Number(m[1]), name });
    }
    json(404, { error: 'not found' });
  });
  const { host, port } = splitAuthority(listen);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
