// The demo's books service (gRPC): lists and fetches books; fetching every fifth book is slow, so the
// demo has a latency story to tell.
import * as grpc from '@grpc/grpc-js';
import {
  BooksService,
  type BooksServer,
  type GetBookRequest,
  type Book,
  type ListBooksRequest,
  type ListBooksResponse,
} from '../../api/gen/demo.js';
import { BOOKS } from './catalog.js';

export interface AppHandle {
  close(): Promise<void>;
}

export async function runBooks(listen: string, instance: string): Promise<AppHandle> {
  const server = new grpc.Server();
  const impl: BooksServer = {
    listBooks(
      call: grpc.ServerUnaryCall<ListBooksRequest, ListBooksResponse>,
      cb: grpc.sendUnaryData<ListBooksResponse>,
    ) {
      const limit = call.request.limit || BOOKS.length;
      cb(null, { books: BOOKS.slice(0, limit), servedBy: instance });
    },
    getBook(call: grpc.ServerUnaryCall<GetBookRequest, Book>, cb: grpc.sendUnaryData<Book>) {
      const book = BOOKS.find((b) => b.id === call.request.id);
      if (book === undefined) {
        cb({ code: grpc.status.NOT_FOUND, details: `no book ${call.request.id}` });
        return;
      }
      const delay = book.id % 5 === 0 ? 150 + Math.random() * 100 : 2 + Math.random() * 8;
      setTimeout(() => cb(null, book), delay);
    },
  };
  server.addService(BooksService, impl);
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  return {
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
