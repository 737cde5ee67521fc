// gRPC through both proxies with a real @grpc/grpc-js server and client: all four call kinds, status
// codes, messages and trailing metadata, and deadlines.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startMeshPath } from '../../helpers/mesh.js';
import { sumOf } from '../../helpers/prom.js';

const id = (b: Buffer): Buffer => b;
const method = (path: string, requestStream: boolean, responseStream: boolean) => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: id,
  requestDeserialize: id,
  responseSerialize: id,
  responseDeserialize: id,
});
const SERVICE = {
  unary: method('/test.Echo/Unary', false, false),
  fail: method('/test.Echo/Fail', false, false),
  slow: method('/test.Echo/Slow', false, false),
  serverStream: method('/test.Echo/ServerStream', false, true),
  clientStream: method('/test.Echo/ClientStream', true, false),
  bidi: method('/test.Echo/Bidi', true, true),
} satisfies grpc.ServiceDefinition;

type Client = grpc.Client & Record<keyof typeof SERVICE, (...args: unknown[]) => unknown>;

async function startGrpcServer(t: { after(fn: () => unknown): void }): Promise<string> {
  const server = new grpc.Server();
  server.addService(SERVICE, {
    unary: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const md = new grpc.Metadata();
      md.set('x-request-tag', String(call.metadata.get('x-tag')[0] ?? ''));
      call.sendMetadata(md);
      cb(null, Buffer.concat([Buffer.from('echo:'), call.request]));
    },
    fail: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const trailer = new grpc.Metadata();
      trailer.set('x-reason', 'not-here');
      cb({ code: grpc.status.NOT_FOUND, details: 'no such thing', metadata: trailer });
    },
    slow: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      setTimeout(() => cb(null, Buffer.from('late')), 3000);
    },
    serverStream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const n = call.request.readUInt32BE(0);
      for (let i = 0; i < n; i++) call.write(Buffer.from(`item-${i}`));
      call.end();
    },
    clientStream: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      let total = 0;
      call.on('data', (b: Buffer) => (total += b.length));
      call.on('end', () => cb(null, Buffer.from(String(total))));
    },
    bidi: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (b: Buffer) => call.write(Buffer.concat([Buffer.from('re:'), b])));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  t.after(() => server.forceShutdown());
  return `127.0.0.1:${port}`;
}

async function setup(t: TestContext) {
  const app = await startGrpcServer(t);
  const { client: proxy } = await startMeshPath(t, app, 'echo.test:80');
  const Ctor = grpc.makeGenericClientConstructor(SERVICE, 'Echo');
  const client = new Ctor(proxy.outbound, grpc.credentials.createInsecure(), {
    'grpc.default_authority': 'echo.test',
  }) as unknown as Client;
  t.after(() => client.close());
  return { client, proxy };
}

test('unary call with metadata, and an error status with message and trailing metadata', async (t) => {
  const { client, proxy } = await setup(t);
  const md = new grpc.Metadata();
  md.set('x-tag', 'abc');
  let headerTag = '';
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const call = client.unary(Buffer.from('ping'), md, (err: grpc.ServiceError | null, res: Buffer) =>
      err ? reject(err) : resolve(res),
    ) as grpc.ClientUnaryCall;
    call.on('metadata', (m: grpc.Metadata) => (headerTag = String(m.get('x-request-tag')[0])));
  });
  assert.equal(reply.toString(), 'echo:ping');
  assert.equal(headerTag, 'abc');

  const err = await new Promise<grpc.ServiceError>((resolve) =>
    client.fail(Buffer.from('x'), (e: grpc.ServiceError) => resolve(e)),
  );
  assert.equal(err.code, grpc.status.NOT_FOUND);
  assert.equal(err.details, 'no such thing');
  assert.equal(String(err.metadata.get('x-reason')[0]), 'not-here');

  const m = await proxy.metrics();
  assert.equal(
    sumOf(m, 'response_total', { direction: 'outbound', grpc_status: '0', classification: 'success' }),
    1,
  );
  assert.equal(
    sumOf(m, 'response_total', { direction: 'outbound', grpc_status: '5', classification: 'failure' }),
    1,
  );
  assert.equal(sumOf(m, 'route_response_total', { route: '/test.Echo/Fail', grpc_status: '5' }), 1);
});

test('server-, client- and bidi-streaming calls deliver every message', async (t) => {
  const { client } = await setup(t);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(500);
  const items: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const call = client.serverStream(count) as grpc.ClientReadableStream<Buffer>;
    call.on('data', (b: Buffer) => items.push(b.toString()));
    call.on('end', resolve);
    call.on('error', reject);
  });
  assert.equal(items.length, 500);
  assert.equal(items[499], 'item-499');

  const total = await new Promise<string>((resolve, reject) => {
    const call = client.clientStream((err: grpc.ServiceError | null, res: Buffer) =>
      err ? reject(err) : resolve(res.toString()),
    ) as grpc.ClientWritableStream<Buffer>;
    for (let i = 0; i < 200; i++) call.write(Buffer.alloc(1000));
    call.end();
  });
  assert.equal(total, '200000');

  const echoes: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const call = client.bidi() as grpc.ClientDuplexStream<Buffer, Buffer>;
    call.on('data', (b: Buffer) => {
      echoes.push(b.toString());
      if (echoes.length < 50) call.write(Buffer.from(String(echoes.length)));
      else call.end();
    });
    call.on('end', resolve);
    call.on('error', reject);
    call.write(Buffer.from('0'));
  });
  assert.equal(echoes.length, 50);
  assert.equal(echoes[49], 're:49');
});

test('an exceeded deadline ends as DEADLINE_EXCEEDED', async (t) => {
  const { client, proxy } = await setup(t);
  const started = Date.now();
  const err = await new Promise<grpc.ServiceError>((resolve) =>
    client.slow(
      Buffer.from('x'),
      new grpc.Metadata(),
      { deadline: Date.now() + 300 },
      (e: grpc.ServiceError) => resolve(e),
    ),
  );
  assert.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
  assert.ok(Date.now() - started < 2500, 'did not wait for the slow server');
  // The proxy records the call as a failure too (it enforced grpc-timeout or saw the cancel).
  const m = await proxy.metrics();
  assert.equal(sumOf(m, 'response_total', { direction: 'outbound', classification: 'failure' }) >= 1, true);
});
