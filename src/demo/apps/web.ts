// The demo's front end (HTTP/JSON): answers the traffic generator by calling books (gRPC) and authors
// (HTTP) through its own sidecar's outbound listener, as any meshed app would.
import { http } from '../../common/node-http.js';
import * as grpc from '@grpc/grpc-js';
import { Pool } from 'undici';
import { splitAuthority } from '../../common/address.js';
import { BooksClient, type Book, type ListBooksResponse } from '../../api/gen/demo.js';
import type { AppHandle } from './books.js';

export async function runWeb(listen: string, instance: string, outbound: string): Promise<AppHandle> {
  const books = new BooksClient(outbound, grpc.credentials.createInsecure(), {
    'grpc.default_authority': 'books.demo:80',
  });
  const authors = new Pool(`http://${outbound}`, { connections: 16 });
  const getBook = (id: number): Promise<Book> =>
    new Promise((resolve, reject) =>
      books.getBook({ id }, new grpc.Metadata(), { deadline: Date.now() + 2000 }, (err, b) =>
        err ? reject(err) : resolve(b),
      ),
    );
  const listBooks = (): Promise<ListBooksResponse> =>
    new Promise((resolve, reject) =>
      books.listBooks({ limit: 0 }, new grpc.Metadata(), { deadline: Date.now() + 2000 }, (err, r) =>
        err ? reject(err) : resolve(r),
      ),
    );
  const author = async (id: number): Promise<{ status: number; body: unknown }> => {
    const res = await authors.request({
      path: `/authors/${id}`,
      method: 'GET',
      headers: { host: 'authors.demo' },
    });
    return { status: res.statusCode, body: await res.body.json() };
  };

  const server = http.createServer((req, res) => {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-served-by': instance });
      res.end(JSON.stringify(body));
    };
    const fail = (err: unknown): void =>
      json(502, { error: err instanceof Error ? err.message : String(err) });
    const url = req.url ?? '/';
    if (url === '/healthz') return json(200, { ok: true });
    if (url === '/api/books') {
      listBooks().then((r) => json(200, r), fail);
      return;
    }
    const m = /^\/api\/books\/(\d+)$/.exec(url);
    if (m) {
      getBook(Number(m[1]))
        .then(async (book) => {
          const a = await author(book.authorId);
          if (a.status !== 200) return json(502, { error: 'author lookup failed', book });
          json(200, { ...book, author: a.body });
        })
        .catch(fail);
      return;
    }
    json(404, { error: 'not found' });
  });
  const { host, port } = splitAuthority(listen);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    async close() {
      books.close();
      await authors.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
