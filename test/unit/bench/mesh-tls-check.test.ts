import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestTotals } from '../../../bench/targets/mesh-tls-check.js';

test('request_total series are read with their labels; other metrics and comments are skipped', () => {
  const text = [
    '# HELP request_total Total count of HTTP requests.',
    '# TYPE request_total counter',
    'request_total{direction="outbound",authority="h1.bench:80",tls="true",server_id="h1.bench.serviceaccount.identity.mesh.cluster.local"} 3',
    'request_total{direction="inbound",authority="h1.bench:80",tls="false"} 0',
    'route_request_total{direction="outbound",authority="h1.bench:80",route="GET /"} 3',
    'response_total{direction="outbound",tls="true",status_code="200"} 3',
    '',
  ].join('\n');
  assert.deepEqual(requestTotals(text), [
    {
      labels: {
        direction: 'outbound',
        authority: 'h1.bench:80',
        tls: 'true',
        server_id: 'h1.bench.serviceaccount.identity.mesh.cluster.local',
      },
      value: 3,
    },
    { labels: { direction: 'inbound', authority: 'h1.bench:80', tls: 'false' }, value: 0 },
  ]);
});
