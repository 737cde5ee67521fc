// Certificate rotation under traffic: with 60 s certificates (renewed at 70 %), requests keep succeeding
// across three renewals on both proxies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { sumOf } from '../../helpers/prom.js';
import { waitFor } from '../../helpers/wait.js';
import { startSecureMesh } from './mesh.js';

test('connections continue without a failed request across three certificate renewals', async (t) => {
  const { client, server } = await startSecureMesh(t, { lifetime: '60s' });
  let sent = 0;
  const failures: string[] = [];
  let running = true;
  const traffic = (async () => {
    while (running) {
      try {
        const res = await request(`http://${client.outbound}/`, { headers: { host: 'web.demo' } });
        await res.body.dump();
        if (res.statusCode !== 200)
          failures.push(`${res.statusCode} ${String(res.headers['mesh-proxy-error'])}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
      sent++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  t.after(async () => {
    running = false;
    await traffic;
  });
  const renewals = async (proxy: typeof client) =>
    sumOf(await proxy.metrics(), 'identity_cert_refresh_total', { result: 'ok' });
  // The first certificate plus three renewals, on both sides (about 3 × 42 s).
  await waitFor(async () => (await renewals(client)) >= 4 && (await renewals(server)) >= 4, {
    timeoutMs: 180_000,
    intervalMs: 1000,
    what: 'three renewals on both proxies',
  });
  running = false;
  await traffic;
  t.diagnostic(`${sent} requests across the renewals, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.ok(sent > 1000);
  // The certificates in use now are the renewed ones: they expire about a minute from now.
  const expiry = sumOf(await server.metrics(), 'identity_cert_expiration_timestamp_seconds');
  assert.ok(
    expiry - Date.now() / 1000 > 10 && expiry - Date.now() / 1000 <= 61,
    `expires in ${expiry - Date.now() / 1000} s`,
  );
});
