import * as grpc from '@grpc/grpc-js';
import { BooksClient } from './dist/src/api/gen/demo.js';
const [outbound] = process.argv.slice(2);
const c = new BooksClient(outbound, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'books.demo:80' });
for (let i = 0; i < 6; i++) {
  const t0 = Date.now();
  await new Promise((r) => c.listBooks({ limit: 1 }, new grpc.Metadata(), { deadline: Date.now() + 3000 }, (err, res) => { console.log(i, Date.now() - t0, 'ms', err ? `${err.code} ${err.details}` : res.servedBy); r(); }));
}
process.exit(0);
