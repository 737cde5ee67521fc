// docs/cli-json.md is a contract: its examples agree with its field tables and with what the views produce.
// (The e2e acceptance test compares them with the output of a live mesh as well.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolHint } from '../../../src/api/gen/destination.js';
import { ProxyDirection } from '../../../src/api/gen/tap.js';
import { edgeJsonRows } from '../../../src/cli/views/edges.js';
import { endpointJsonRow } from '../../../src/cli/views/endpoints.js';
import { routeJsonRows } from '../../../src/cli/views/routes.js';
import { statJsonRows } from '../../../src/cli/views/stat.js';
import { tapEventJson } from '../../../src/cli/views/tap.js';
import { jsonType, readJsonDocs, shapeProblems } from '../../helpers/json-docs.js';

const docs = readJsonDocs();

test('every observability command has an example and a field table that agree', () => {
  assert.deepEqual([...docs.keys()].sort(), ['edges', 'endpoints', 'routes', 'stat', 'tap']);
  for (const [name, doc] of docs) {
    assert.ok(doc.examples.length > 0, name);
    const topFields = [...doc.fields.keys()].filter((f) => !f.includes('.'));
    for (const ex of doc.examples) {
      for (const [k, v] of Object.entries(ex)) {
        const allowed = doc.fields.get(k);
        assert.ok(allowed, `${name}: ${k} is in the example but not in the table`);
        assert.ok(
          allowed.has(jsonType(v)),
          `${name}: ${k} is ${jsonType(v)}, the table says ${[...allowed].join('|')}`,
        );
      }
    }
    if (name !== 'tap') {
      assert.deepEqual(Object.keys(doc.examples[0] ?? {}).sort(), [...topFields].sort(), name);
    }
  }
  // tap: one example per event type, and together they use every documented field.
  const tap = docs.get('tap');
  assert.deepEqual(
    tap?.examples.map((e) => e['type']),
    ['requestInit', 'responseInit', 'responseEnd'],
  );
});

test('the examples have the shapes the views produce', () => {
  const check = (name: string, actual: unknown, i = 0) => {
    const doc = docs.get(name);
    assert.ok(doc);
    assert.deepEqual(shapeProblems(doc, doc.examples[i], actual), [], name);
  };
  const resource = { type: 'workload', namespace: 'demo', name: 'web' };
  check(
    'stat',
    statJsonRows({
      windowMs: 60_000,
      source: 'embedded',
      rows: [
        {
          resource,
          meshedPods: 1,
          runningPods: 1,
          successRate: 1,
          rps: 1,
          latencyP50Ms: 1,
          latencyP95Ms: 1,
          latencyP99Ms: 1,
          tcpOpenConnections: 1,
          tlsShare: 1,
          readBytesPerSecond: 1,
          writeBytesPerSecond: 1,
          requests: 1,
        },
      ],
    })[0],
  );
  check(
    'routes',
    routeJsonRows({
      windowMs: 60_000,
      source: 'embedded',
      rows: [
        {
          route: 'GET /',
          authority: 'web.demo:80',
          resource,
          successRate: 1,
          rps: 1,
          latencyP50Ms: 1,
          latencyP95Ms: 1,
          latencyP99Ms: 1,
          requests: 1,
          retriesPerSecond: 0,
        },
      ],
    })[0],
  );
  check(
    'edges',
    edgeJsonRows({
      edges: [{ src: resource, dst: resource, clientId: 'a', serverId: 'b', secured: true, noTlsReason: '' }],
    })[0],
  );
  check(
    'endpoints',
    endpointJsonRow('web.demo:80', {
      addr: { ip: '127.0.0.1', port: 1 },
      weight: 1,
      metricLabels: { namespace: 'demo' },
      tlsIdentity: { dnsLikeIdentity: 'x' },
      protocolHint: ProtocolHint.PROTOCOL_HINT_UNKNOWN,
    }),
  );
  const envelope = {
    source: { ip: '127.0.0.1', port: 1 },
    sourceMeta: {},
    destination: { ip: '127.0.0.1', port: 2 },
    destinationMeta: {},
    proxyDirection: ProxyDirection.PROXY_DIRECTION_INBOUND,
    tls: true,
    timestampMs: 1,
    proxy: 'web-0',
  };
  const id = { base: 1, stream: 1 };
  const header = [{ name: 'a', value: 'b' }];
  check(
    'tap',
    tapEventJson({
      ...envelope,
      requestInit: {
        id,
        method: 'GET',
        scheme: 'http',
        authority: 'a:80',
        path: '/',
        headers: header,
        route: 'GET /',
      },
    }),
    0,
  );
  check(
    'tap',
    tapEventJson({
      ...envelope,
      responseInit: { id, sinceRequestInitUs: 1, httpStatus: 200, headers: header },
    }),
    1,
  );
  check(
    'tap',
    tapEventJson({
      ...envelope,
      responseEnd: {
        id,
        sinceRequestInitUs: 1,
        sinceResponseInitUs: 1,
        responseBytes: 1,
        grpcStatus: undefined,
        trailers: [],
        resetErrorCode: 0,
      },
    }),
    2,
  );
});

test('the shape check notices a renamed, a missing and a mistyped field', () => {
  const doc = docs.get('stat');
  assert.ok(doc);
  const good = { ...(doc.examples[0] ?? {}) };
  const { rps: _rps, ...missing } = good;
  assert.deepEqual(shapeProblems(doc, good, { ...missing, reqPerSec: 1 }), [
    'rps: documented, missing',
    'reqPerSec: present, not documented',
  ]);
  assert.deepEqual(shapeProblems(doc, good, { ...good, rps: '1' }), [
    'rps: documented number (number), got string',
  ]);
  assert.deepEqual(shapeProblems(doc, good, { ...good, successRate: null }), []);
  assert.deepEqual(shapeProblems(doc, good, { ...good, rps: null }), [
    'rps: documented number (number), got null',
  ]);
});
