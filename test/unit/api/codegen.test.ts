// The generated API code round-trips messages on the wire and serves over a real grpc-js connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  DestinationClient,
  DestinationService,
  ProtocolHint,
  Update,
  type DestinationServer,
  type GetDestination,
} from '../../../src/api/gen/destination.js';
import { StatRow } from '../../../src/api/gen/metrics.js';
import { ResponseEnd } from '../../../src/api/gen/tap.js';

test('messages round-trip through their binary encoding, maps and oneofs included', () => {
  const update: Update = Update.fromPartial({
    add: {
      addrs: [
        {
          addr: { ip: '127.0.0.1', port: 4143 },
          weight: 3,
          metricLabels: { pod: 'web-0', workload: 'web' },
          tlsIdentity: { dnsLikeIdentity: 'web.demo.serviceaccount.identity.mesh.cluster.local' },
          protocolHint: ProtocolHint.PROTOCOL_HINT_H2,
        },
      ],
      metricLabels: { service: 'web' },
    },
  });
  const decoded = Update.decode(Update.encode(update).finish());
  assert.deepEqual(decoded, update);
  assert.equal(decoded.remove, undefined);
});

test('proto3 optional fields keep presence: absent differs from zero', () => {
  const empty = StatRow.decode(StatRow.encode(StatRow.fromPartial({ rps: 0 })).finish());
  assert.equal(empty.successRate, undefined);
  assert.equal(empty.latencyP99Ms, undefined);
  const zero = StatRow.decode(
    StatRow.encode(StatRow.fromPartial({ successRate: 0, latencyP99Ms: 0 })).finish(),
  );
  assert.equal(zero.successRate, 0);
  assert.equal(zero.latencyP99Ms, 0);
  const ok = ResponseEnd.decode(ResponseEnd.encode(ResponseEnd.fromPartial({ grpcStatus: 0 })).finish());
  assert.equal(ok.grpcStatus, 0);
  const plain = ResponseEnd.decode(ResponseEnd.encode(ResponseEnd.fromPartial({})).finish());
  assert.equal(plain.grpcStatus, undefined);
});

test('a generated server and client talk over a real grpc-js connection', async (t) => {
  const server = new grpc.Server();
  const impl: DestinationServer = {
    get(call: grpc.ServerWritableStream<GetDestination, Update>) {
      call.write(Update.fromPartial({ noEndpoints: { exists: call.request.authority === 'known.test:80' } }));
      call.end();
    },
    getProfile(call) {
      call.end();
    },
    list(_call, callback) {
      callback(null, {
        destinations: [{ authority: 'known.test:80', namespace: 'demo', service: 'known', endpoints: 0 }],
      });
    },
  };
  server.addService(DestinationService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  t.after(() => server.forceShutdown());
  const client = new DestinationClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.after(() => client.close());
  const updates: Update[] = [];
  await new Promise<void>((resolve, reject) => {
    const stream = client.get({ authority: 'known.test:80', contextToken: '' });
    stream.on('data', (u: Update) => updates.push(u));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  assert.deepEqual(updates, [Update.fromPartial({ noEndpoints: { exists: true } })]);
  const list = await new Promise((resolve, reject) =>
    client.list({}, (e, r) => (e ? reject(e) : resolve(r))),
  );
  assert.deepEqual(list, {
    destinations: [{ authority: 'known.test:80', namespace: 'demo', service: 'known', endpoints: 0 }],
  });
});
