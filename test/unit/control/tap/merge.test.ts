// Merging proxies' tap events at an overall rate: requests are admitted whole or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TapEvent } from '../../../../src/api/gen/tap.js';
import { EventMerger } from '../../../../src/control/tap/merge.js';

const base = {
  source: undefined,
  sourceMeta: {},
  destination: undefined,
  destinationMeta: {},
  proxyDirection: 0,
  tls: false,
  timestampMs: 0,
  proxy: '',
};
const id = (stream: number) => ({ base: 1, stream });
const req = (s: number): TapEvent => ({
  ...base,
  requestInit: {
    id: id(s),
    method: 'GET',
    scheme: 'http',
    authority: 'a:80',
    path: '/',
    headers: [],
    route: '',
  },
});
const rsp = (s: number): TapEvent => ({
  ...base,
  responseInit: { id: id(s), sinceRequestInitUs: 1, httpStatus: 200, headers: [] },
});
const end = (s: number): TapEvent => ({
  ...base,
  responseEnd: {
    id: id(s),
    sinceRequestInitUs: 2,
    sinceResponseInitUs: 1,
    responseBytes: 0,
    grpcStatus: undefined,
    trailers: [],
    resetErrorCode: 0,
  },
});

test('over the rate, a request is dropped with its later events; admitted ones pass whole', () => {
  const m = new EventMerger(1, 0);
  assert.equal(m.accept('p1', req(1), 0), true);
  assert.equal(m.accept('p1', req(2), 10), false, 'over 1 rps');
  assert.equal(m.accept('p1', rsp(2), 20), false);
  assert.equal(m.accept('p1', end(2), 30), false);
  assert.equal(m.accept('p1', rsp(1), 40), true);
  assert.equal(m.accept('p1', end(1), 50), true);
  assert.equal(m.tracked, 0, 'an ended request is forgotten');
  assert.equal(m.droppedMaxRps, 1);
  assert.equal(m.droppedOrphans, 2);
});

test('the same stream id from two proxies names two requests', () => {
  const m = new EventMerger(100, 0);
  assert.equal(m.accept('p1', req(1), 0), true);
  assert.equal(m.accept('p2', end(1), 0), false, "p2's request 1 was never admitted");
  assert.equal(m.accept('p1', end(1), 0), true);
});

test('a caller that is backed up turns new requests away without spending rate', () => {
  const m = new EventMerger(1, 0);
  assert.equal(m.accept('p1', req(1), 0, false), false);
  assert.equal(m.droppedMaxRps, 0);
  assert.equal(m.accept('p1', req(2), 0, true), true, 'the token is still there');
});

test('a proxy whose stream ended has its half-reported requests forgotten; tracking is bounded', () => {
  const m = new EventMerger(1000, 0, 3);
  m.accept('p1', req(1), 0);
  m.accept('p2', req(1), 0);
  m.forgetProxy('p1');
  assert.equal(m.tracked, 1);
  for (let s = 2; s < 10; s++) m.accept('p2', req(s), 0);
  assert.equal(m.tracked, 3);
  assert.equal(m.accept('p2', end(9), 0), true, 'the newest are kept');
  assert.equal(m.accept('p2', end(2), 0), false, 'the oldest were forgotten');
});
