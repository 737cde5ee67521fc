import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H1ResponseParser } from '../../../bench/loadgen/h1-response-parser.js';

interface Seen {
  status: number;
  body: number;
  keepAlive: boolean;
}

/** Feeds `wire` in every possible two-way split and checks that the same responses come out. */
function parseAllSplits(wire: string): Seen[][] {
  const bytes = Buffer.from(wire, 'latin1');
  const outcomes: Seen[][] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const seen: Seen[] = [];
    const p = new H1ResponseParser({
      onResponse: (status, body, keepAlive) => seen.push({ status, body, keepAlive }),
    });
    assert.equal(p.feed(bytes, 0, cut), undefined);
    assert.equal(p.feed(bytes, cut, bytes.length), undefined);
    outcomes.push(seen);
  }
  return outcomes;
}

test('frames content-length, chunked and informational responses however the bytes are split', () => {
  const wire =
    'HTTP/1.1 100 Continue\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n' +
    'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: 1\r\n\r\n' +
    'HTTP/1.1 204 No Content\r\n\r\n' +
    'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\ncontent-length: 2\r\n\r\nno';
  const expected: Seen[] = [
    { status: 200, body: 13, keepAlive: true },
    { status: 201, body: 12, keepAlive: true },
    { status: 204, body: 0, keepAlive: true },
    { status: 503, body: 2, keepAlive: false },
  ];
  for (const seen of parseAllSplits(wire)) assert.deepEqual(seen, expected);
});

test('a body without framing lasts until the connection closes', () => {
  const seen: Seen[] = [];
  const p = new H1ResponseParser({
    onResponse: (status, body, keepAlive) => seen.push({ status, body, keepAlive }),
  });
  const bytes = Buffer.from('HTTP/1.0 200 OK\r\n\r\nabcdef', 'latin1');
  assert.equal(p.feed(bytes, 0, bytes.length), undefined);
  assert.deepEqual(seen, []);
  assert.equal(p.end(), true);
  assert.deepEqual(seen, [{ status: 200, body: 6, keepAlive: false }]);
});

test('garbage is reported, not parsed', () => {
  const p = new H1ResponseParser({ onResponse: () => assert.fail('no response expected') });
  const bytes = Buffer.from('SSH-2.0-OpenSSH\r\n\r\n', 'latin1');
  assert.match(p.feed(bytes, 0, bytes.length) ?? '', /not an HTTP/);
});
