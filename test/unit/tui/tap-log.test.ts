import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_TAP_LOG, foldTapRecords, type TapLog } from '../../../src/tui/state/tap-log.js';
import type { TapRecord } from '../../../src/tui/model.js';
import { exchange } from './data.js';

test('pairs responses with their request and classifies failures', () => {
  const records = [...exchange(1), ...exchange(2, { status: 503 }), ...exchange(3, { grpcStatus: 14 })];
  const log = foldTapRecords(EMPTY_TAP_LOG, records);
  assert.equal(log.lines.length, 9);
  assert.deepEqual(
    log.lines.map((l) => l.kind),
    ['req', 'rsp', 'end', 'req', 'rsp', 'end', 'req', 'rsp', 'end'],
  );
  const ends = log.lines.filter((l) => l.kind === 'end');
  assert.deepEqual(
    ends.map((l) => l.failure),
    [false, true, true],
  );
  // The end line knows the request's path and status although the end record carries neither.
  assert.equal(ends[1]?.path, '/items/2');
  assert.equal(ends[1]?.status, 503);
  assert.equal(log.inflight.size, 0, 'ended requests leave the in-flight table');
  assert.deepEqual(
    log.lines.map((l) => l.seq),
    [0, 1, 2, 3, 4, 5, 6, 7, 8],
  );
});

test('a response whose request was never seen still shows, without request facts', () => {
  const [, response] = exchange(1);
  const log = foldTapRecords(EMPTY_TAP_LOG, [response as TapRecord]);
  assert.equal(log.lines[0]?.kind, 'rsp');
  assert.equal(log.lines[0]?.path, '');
  assert.equal(log.lines[0]?.status, 200);
});

test('folding does not modify the previous log', () => {
  const first = foldTapRecords(EMPTY_TAP_LOG, exchange(1));
  const snapshot = JSON.stringify({ lines: first.lines, inflight: [...first.inflight] });
  foldTapRecords(first, exchange(2));
  assert.equal(JSON.stringify({ lines: first.lines, inflight: [...first.inflight] }), snapshot);
});

test('the ring keeps the newest `capacity` lines, in order, whatever the batch sizes', () => {
  const limits = { capacity: 10, inflightCapacity: 100 };
  let log: TapLog = EMPTY_TAP_LOG;
  for (let n = 0; n < 20; n++) log = foldTapRecords(log, exchange(n), limits);
  assert.equal(log.lines.length, 10);
  assert.equal(log.lines.at(-1)?.seq, 59);
  assert.equal(log.lines[0]?.seq, 50);
  // One batch larger than the ring.
  const big = Array.from({ length: 30 }, (_, n) => exchange(100 + n)).flat();
  log = foldTapRecords(log, big, limits);
  assert.equal(log.lines.length, 10);
  assert.equal(log.lines.at(-1)?.seq, 60 + 90 - 1);
  assert.equal(log.received, 60 + 90);
});

test('10^5 events fold into bounded state: ring, in-flight table and counters only', () => {
  const limits = { capacity: 200, inflightCapacity: 512 };
  let log: TapLog = EMPTY_TAP_LOG;
  // A third of the requests never end (the tap closed, the proxy died): the in-flight table must not grow.
  let batch: TapRecord[] = [];
  for (let n = 0; n < 45_000; n++) {
    const records = exchange(n);
    batch.push(...(n % 3 === 0 ? records.slice(0, 1) : records));
    if (batch.length >= 250) {
      log = foldTapRecords(log, batch, limits);
      batch = [];
    }
  }
  log = foldTapRecords(log, batch, limits);
  assert.ok(log.received >= 100_000, `received ${log.received}`);
  assert.equal(log.lines.length, 200);
  assert.ok(log.inflight.size <= 512, `inflight ${log.inflight.size}`);
});

test('dropped counts add up', () => {
  const log = foldTapRecords(foldTapRecords(EMPTY_TAP_LOG, [], undefined, 5), exchange(1), undefined, 2);
  assert.equal(log.dropped, 7);
});
