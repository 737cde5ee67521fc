import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/common/errors.js';
import {
  buildTapMatch,
  parseMaxRps,
  parseMinLatency,
  parseStatusFilter,
} from '../../../src/cli/tap-filter.js';

test('--status takes a class, a code or a range', () => {
  assert.deepEqual(parseStatusFilter('5xx'), { min: 500, max: 599 });
  assert.deepEqual(parseStatusFilter('4XX'), { min: 400, max: 499 });
  assert.deepEqual(parseStatusFilter('503'), { min: 503, max: 503 });
  assert.deepEqual(parseStatusFilter('500-504'), { min: 500, max: 504 });
  for (const bad of ['6xx', '99', '504-500', 'five', '5xxx', '600']) {
    assert.throws(() => parseStatusFilter(bad), UsageError, bad);
  }
});

test('--min-latency and --max-rps are checked with the flag named', () => {
  assert.equal(parseMinLatency('100ms'), 100);
  assert.equal(parseMinLatency('1.5s'), 1500);
  assert.throws(() => parseMinLatency('soon'), /--min-latency/);
  assert.equal(parseMaxRps('2.5'), 2.5);
  for (const bad of ['0', '-1', 'x', '10001']) assert.throws(() => parseMaxRps(bad), /--max-rps/);
});

test('no filter matches everything; one filter is the match itself; several are all of them', () => {
  assert.equal(buildTapMatch({}), undefined);
  assert.deepEqual(buildTapMatch({ method: 'post' }), { http: { method: 'POST' } });
  const m = buildTapMatch({
    to: { kind: 'service', namespace: 'demo', name: 'authors' },
    path: '/authors',
    status: { min: 500, max: 599 },
    minLatencyMs: 100,
  });
  assert.deepEqual(m, {
    all: {
      matches: [
        { destinationLabel: { key: 'namespace', value: 'demo' } },
        { destinationLabel: { key: 'service', value: 'authors' } },
        { http: { pathPrefix: '/authors' } },
        {
          response: {
            statusMin: 500,
            statusMax: 599,
            minLatencyMs: 100,
            hasGrpcStatus: false,
            grpcStatus: 0,
          },
        },
      ],
    },
  });
  assert.deepEqual(buildTapMatch({ to: { kind: 'authority', namespace: 'demo', name: 'web.demo:80' } }), {
    http: { authority: 'web.demo:80' },
  });
  assert.deepEqual(buildTapMatch({ to: { kind: 'namespace', namespace: '', name: 'demo' } }), {
    destinationLabel: { key: 'namespace', value: 'demo' },
  });
});

test('bad filter values are usage errors naming the flag', () => {
  assert.throws(() => buildTapMatch({ path: 'api' }), /--path/);
  assert.throws(() => buildTapMatch({ method: 'GE T' }), /--method/);
  assert.throws(() => buildTapMatch({ authority: 'a b' }), /--authority/);
});
