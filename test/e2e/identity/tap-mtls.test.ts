// Tap over mTLS: the control plane taps a proxy with its own tap identity and sees verified client
// identities; any other client of the proxy's tap listener is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import { TapAPIClient, TapClient, type TapEvent } from '../../../src/api/gen/tap.js';
import { mintLeaf } from '../../helpers/identity.js';
import { waitFor } from '../../helpers/wait.js';
import { CLIENT_ID, WEB_ID, startSecureMesh } from './mesh.js';

test('the TapAPI taps proxies over mTLS; other tap clients are refused', async (t) => {
  const { mesh, server, client, control, ids } = await startSecureMesh(t);
  // Tell the registry where the server's admin and tap listeners are.
  mesh.write({
    services: [{ name: 'web', namespace: 'demo', ports: [80], workload: 'web' }],
    workloads: [
      {
        name: 'web',
        namespace: 'demo',
        instances: [
          { name: 'web-0', address: server.inbound, admin: server.admin, tap: server.tap, token: 'tok-web' },
        ],
      },
      {
        name: 'client',
        namespace: 'demo',
        instances: [{ name: 'client-0', address: '127.0.0.1:2', admin: '127.0.0.1:3', token: 'tok-client' }],
      },
    ],
  });
  const api = new TapAPIClient(control.grpc, grpc.credentials.createInsecure());
  t.after(() => api.close());
  const events: TapEvent[] = [];
  const watch = api.watch({
    target: { type: 'workload', namespace: 'demo', name: 'web' },
    match: undefined,
    maxRps: 0,
    extractHeaders: false,
    redactHeaders: [],
  });
  watch.on('data', (e: TapEvent) => events.push(e));
  watch.on('error', () => undefined);
  t.after(() => watch.cancel());
  await waitFor(
    async () => {
      const res = await request(`http://${client.outbound}/tapped`, { headers: { host: 'web.demo' } });
      await res.body.dump();
      return events.some((e) => e.requestInit?.path === '/tapped');
    },
    { timeoutMs: 20_000, what: 'tap events through mTLS' },
  );
  const init = events.find((e) => e.requestInit?.path === '/tapped') as TapEvent;
  assert.equal(init.tls, true);
  assert.equal(init.sourceMeta['client_id'], CLIENT_ID);
  assert.equal(init.proxy, 'web-0');

  // Straight to the proxy's tap listener: plaintext, or a mesh certificate that is not the tap identity.
  const observe = (creds: grpc.ChannelCredentials, options: grpc.ClientOptions = {}) =>
    new Promise<grpc.status>((resolve) => {
      const c = new TapClient(server.tap, creds, options);
      const s = c.observe({
        limit: 1,
        match: undefined,
        maxRps: 0,
        extractHeaders: false,
        redactHeaders: [],
      });
      s.on('data', () => undefined);
      s.on('error', (e: grpc.ServiceError) => {
        c.close();
        resolve(e.code);
      });
      s.on('end', () => resolve(grpc.status.OK));
    });
  assert.equal(await observe(grpc.credentials.createInsecure()), grpc.status.UNAVAILABLE);
  const impostor = await mintLeaf(ids.dir, CLIENT_ID);
  const code = await observe(
    grpc.credentials.createSsl(
      Buffer.from(ids.trustAnchorsPem),
      Buffer.from(impostor.key),
      Buffer.from(impostor.cert),
    ),
    { 'grpc.ssl_target_name_override': WEB_ID },
  );
  assert.equal(code, grpc.status.PERMISSION_DENIED);
});
