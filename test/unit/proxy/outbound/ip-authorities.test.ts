// Transparent outbound: an IP authority (an original destination) is asked of discovery, so that a meshed
// pod's IP gets its identity (mTLS); what discovery does not know is dialled directly. HTTP goes by its
// authority, and by the original IP:port when discovery does not know the authority.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createLogger } from '../../../../src/common/logger.js';
import { ProxyError } from '../../../../src/proxy/errors.js';
import type { EndpointPicker } from '../../../../src/proxy/endpoint/picker.js';
import { ProxyMetrics } from '../../../../src/proxy/metrics/proxy-metrics.js';
import { ServiceDirectory, type DiscoveryTrigger } from '../../../../src/proxy/outbound/directory.js';
import { OriginalDstRouter } from '../../../../src/proxy/outbound/original-dst-router.js';
import { setOriginalTarget } from '../../../../src/proxy/accept/original-target.js';

const clock = { now: () => 0 };
const deps = {
  direction: 'outbound' as const,
  metrics: new ProxyMetrics({ authorityLimit: 10, routeLimit: 10 }),
  connectTimeoutMs: 1000,
  clock,
  random: () => 0.5,
};

function directoryWith(transparent: boolean, answer: (d: ServiceDirectory, authority: string) => void) {
  const asked: string[] = [];
  const directory = new ServiceDirectory(deps, clock, createLogger('test', 'silent'), transparent);
  const trigger: DiscoveryTrigger = {
    async watch(authority) {
      asked.push(authority);
      answer(directory, authority);
    },
    touch: () => undefined,
  };
  directory.useDiscovery(trigger);
  return { directory, asked };
}

test('transparent: a meshed IP resolves through discovery, with the identity discovery gave', async () => {
  const { directory, asked } = directoryWith(true, (d, authority) =>
    d.setDiscovery(authority, {
      kind: 'resolved',
      endpoints: [
        {
          address: { host: '10.0.0.7', port: 8080 },
          meta: { labels: {}, weight: 1, identity: 'b.demo.serviceaccount.identity.mesh.cluster.local' },
        },
      ],
    }),
  );
  const picker = (await directory.route('10.0.0.7:8080')) as EndpointPicker;
  assert.deepEqual(asked, ['10.0.0.7:8080']);
  assert.equal(picker.pick()?.meta.identity, 'b.demo.serviceaccount.identity.mesh.cluster.local');
  directory.destroy();
});

test('transparent: an IP discovery does not know (or has no endpoints for) is dialled directly', async () => {
  for (const state of [{ kind: 'unknown' as const }, { kind: 'resolved' as const, endpoints: [] }]) {
    const { directory } = directoryWith(true, (d, authority) => d.setDiscovery(authority, state));
    const picker = await directory.route('10.0.0.8:5432');
    assert.ok(!(picker instanceof ProxyError), state.kind);
    assert.equal(picker.pick()?.key, '10.0.0.8:5432');
    assert.equal(picker.pick()?.meta.identity, undefined);
    directory.destroy();
  }
});

test('local mode is unchanged: IP authorities never reach discovery', async () => {
  const { directory, asked } = directoryWith(false, () => assert.fail('not asked'));
  const picker = await directory.route('10.0.0.9:80');
  assert.ok(!(picker instanceof ProxyError));
  assert.deepEqual(asked, []);
  directory.destroy();
});

test('transparent HTTP: an authority discovery does not know falls back to the original IP:port', async () => {
  const { directory, asked } = directoryWith(true, (d, authority) =>
    d.setDiscovery(
      authority,
      authority === 'web.demo:80'
        ? { kind: 'resolved', endpoints: [{ address: { host: '10.0.0.2', port: 8080 } }] }
        : { kind: 'unknown' },
    ),
  );
  const router = new OriginalDstRouter(directory);
  const conn = {};
  setOriginalTarget(conn, { host: '10.0.0.3', port: 8080 });
  const known = (await router.route('web.demo:80', conn)) as EndpointPicker;
  assert.equal(known.pick()?.key, '10.0.0.2:8080', 'a known authority wins over where the app connected');
  const unknown = (await router.route('api.example.com:80', conn)) as EndpointPicker;
  assert.equal(unknown.pick()?.key, '10.0.0.3:8080');
  assert.deepEqual(asked, ['web.demo:80', 'api.example.com:80', '10.0.0.3:8080']);
  const notRedirected = await router.route('api.example.com:80', {});
  assert.ok(notRedirected instanceof ProxyError && notRedirected.code === 'MESH_UNKNOWN_AUTHORITY');
  directory.destroy();
});
