// The scraper against real HTTP targets that misbehave: slow, refusing, failing, oversized, half garbage.
// Each failure is recorded for its target only; targets follow the registry; concurrency stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { parseHostPort } from '../../../../src/common/address.js';
import { EmbeddedBackend } from '../../../../src/control/metrics/embedded/embedded-backend.js';
import type { TargetStatus } from '../../../../src/control/metrics/embedded/scraper.js';
import { createMetricsService } from '../../../../src/control/metrics/service.js';
import type { MeshSpec } from '../../../../src/control/registry/model.js';
import { startHttpOrigin } from '../../../helpers/origins.js';
import { freePort } from '../../../helpers/ports.js';
import { waitFor } from '../../../helpers/wait.js';
import { syntheticRegistry } from '../../../fixtures/metrics/synthetic-mesh.js';

const GOOD_TEXT = [
  '# TYPE response_total counter',
  'response_total{direction="inbound",authority="a:80",tls="true",status_code="200",classification="success"} 7',
  'response_total{direction="inbound" 3',
  '}}} garbage',
  'process_cpu_seconds_total 1',
  '',
].join('\n');

function spec(instances: { name: string; admin: string }[]): MeshSpec {
  return {
    trustDomain: 'cluster.local',
    controlPlaneNamespace: 'mesh',
    clusterDomain: 'cluster.local',
    services: [],
    workloads: [
      {
        name: 'app',
        namespace: 'demo',
        serviceAccount: 'app',
        instances: instances.map((i, n) => ({
          name: i.name,
          address: { host: '127.0.0.1', port: 10_000 + n },
          admin: parseHostPort(i.admin),
        })),
      },
    ],
  };
}

test('each target fails on its own, is recorded, and never stops the others', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const track =
    (handler: http.RequestListener): http.RequestListener =>
    (req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.once('close', () => inFlight--);
      handler(req, res);
    };
  const good = await startHttpOrigin(
    t,
    track((_req, res) => res.end(GOOD_TEXT)),
  );
  const slow = await startHttpOrigin(
    t,
    track(() => undefined),
  ); // never answers
  const failing = await startHttpOrigin(
    t,
    track((_req, res) => ((res.statusCode = 500), res.end('boom'))),
  );
  const huge = await startHttpOrigin(
    t,
    track((_req, res) => res.end('x'.repeat(64 * 1024))),
  );
  const refusedPort = await freePort();
  const registry = syntheticRegistry(t);
  registry.replace(
    spec([
      { name: 'good-0', admin: good.address },
      { name: 'slow-0', admin: slow.address },
      { name: 'failing-0', admin: failing.address },
      { name: 'huge-0', admin: huge.address },
      { name: 'refused-0', admin: `127.0.0.1:${refusedPort}` },
    ]),
  );
  const backend = new EmbeddedBackend(registry, {
    intervalMs: 250,
    retentionMs: 60_000,
    scrapeTimeoutMs: 400,
    scrapeConcurrency: 2,
    maxScrapeBytes: 16 * 1024,
  });
  t.after(() => backend.close());
  const status = (pod: string): TargetStatus | undefined =>
    backend.scraper.targets().find((s) => s.labels.pod === pod);
  await waitFor(() => backend.scraper.targets().every((s) => s.scrapes >= 2), {
    timeoutMs: 15_000,
    what: 'two scrapes of every target',
  });
  const g = status('good-0')!;
  assert.equal(g.up, true);
  assert.equal(g.lastSamples, 1, 'only kept families are read');
  assert.equal(g.lastParseErrors, 2);
  assert.match(g.lastError ?? '', /unreadable line: .*direction/);
  assert.equal(g.url, `http://${good.address}/metrics`);
  assert.deepEqual(g.labels, { namespace: 'demo', workload: 'app', pod: 'good-0' });
  const failed = (pod: string, message: RegExp) => {
    const s = status(pod)!;
    assert.equal(s.up, false, pod);
    assert.equal(s.failures, s.scrapes, pod);
    assert.ok(s.consecutiveFailures >= 2, pod);
    assert.match(s.lastError ?? '', message, pod);
  };
  failed('slow-0', /timeout|abort/i);
  failed('failing-0', /^HTTP 500$/);
  failed('huge-0', /^response larger than 16384 bytes$/);
  failed('refused-0', /ECONNREFUSED/);
  assert.ok(maxInFlight <= 2, `${maxInFlight} scrapes in flight at once`);
  // The store holds the good target's series; the failed ones were recorded as stale, not as data.
  const series = backend.store.select({ metric: 'response_total', matchers: [] });
  assert.equal(series.length, 1);
  assert.equal(series[0]!.labels['pod'], 'good-0');

  // The registry changes: targets follow within a round.
  registry.replace(
    spec([
      { name: 'good-1', admin: good.address },
      { name: 'good-0', admin: good.address },
    ]),
  );
  assert.deepEqual(
    backend.scraper
      .targets()
      .map((s) => s.labels.pod)
      .sort(),
    ['good-0', 'good-1'],
  );
  await waitFor(() => (status('good-1')?.scrapes ?? 0) >= 1, {
    timeoutMs: 10_000,
    what: 'a scrape of good-1',
  });
  assert.equal(status('good-1')!.up, true);

  // After close() nothing is scraped any more.
  await backend.close();
  const before = good.requests;
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(good.requests, before);
});

test("the component's own metrics show every target's state and the store's size", async (t) => {
  const good = await startHttpOrigin(t, (_req, res) => res.end(GOOD_TEXT));
  const refusedPort = await freePort();
  const registry = syntheticRegistry(t);
  registry.replace(
    spec([
      { name: 'good-0', admin: good.address },
      { name: 'refused-0', admin: `127.0.0.1:${refusedPort}` },
    ]),
  );
  const component = createMetricsService({
    registry,
    backend: { type: 'embedded', intervalMs: 200, retentionMs: 10_000, maxSeries: 1234 },
  });
  t.after(() => component.close());
  await waitFor(
    () =>
      /mesh_metrics_scrapes_total\{namespace="demo",pod="refused-0"\} [2-9]/.test(component.metricsText()),
    {
      timeoutMs: 10_000,
      what: 'scrapes counted',
    },
  );
  const text = component.metricsText();
  assert.match(text, /^mesh_metrics_backend_info\{source="embedded"\} 1$/m);
  assert.match(text, /^mesh_metrics_scrape_up\{namespace="demo",pod="good-0"\} 1$/m);
  assert.match(text, /^mesh_metrics_scrape_up\{namespace="demo",pod="refused-0"\} 0$/m);
  assert.match(text, /^mesh_metrics_scrape_failures_total\{namespace="demo",pod="good-0"\} 0$/m);
  assert.match(text, /^mesh_metrics_store_series 1$/m);
  assert.match(text, /^mesh_metrics_store_series_limit 1234$/m);
  assert.match(text, /^mesh_metrics_scrape_targets 2$/m);
  assert.match(text, /^mesh_metrics_scrape_duration_ms_count [1-9]\d*$/m);
});
