import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import {
  detectProtocol,
  parseClientHelloSni,
  MAX_DETECT_BYTES,
  type DetectResult,
  type SniResult,
} from '../../../../src/proxy/detect/detect.js';

const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
const MESH_SNI = 'web.ns.serviceaccount.identity.mesh.cluster.local';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Every proper, non-empty prefix of `whole`. */
function* prefixes(whole: Buffer): Generator<Buffer> {
  for (let n = 1; n < whole.length; n++) yield whole.subarray(0, n);
}

/** Seeded PRNG (mulberry32) so a failing mutation can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Connects a real TLS client to a plain TCP listener and returns the first record it sends. */
async function captureClientHello(options: tls.ConnectionOptions): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  let client: tls.TLSSocket | undefined;
  try {
    const hello = new Promise<Buffer>((resolve, reject) => {
      server.once('connection', (socket) => {
        let seen = Buffer.alloc(0);
        socket.on('error', reject);
        socket.on('data', (chunk: Buffer) => {
          seen = Buffer.concat([seen, chunk]);
          if (seen.length >= 5 && seen.length >= 5 + seen.readUInt16BE(3)) {
            socket.destroy();
            resolve(seen.subarray(0, 5 + seen.readUInt16BE(3)));
          }
        });
      });
    });
    client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    client.on('error', () => {}); // the listener hangs up mid-handshake on purpose
    return await hello;
  } finally {
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// --- detectProtocol ---------------------------------------------------------------------------------------

test('detectProtocol classifies complete inputs', () => {
  const cases: [string, Buffer, DetectResult][] = [
    ['h2 preface', bytes(H2_PREFACE), 'http2'],
    [
      'h2 preface + SETTINGS',
      Buffer.concat([bytes(H2_PREFACE), Buffer.from('000000040000000000', 'hex')]),
      'http2',
    ],
    ['GET h1.1', bytes('GET / HTTP/1.1\r\n'), 'http1'],
    ['POST h1.0 + headers', bytes('POST /api/v1/users?id=3 HTTP/1.0\r\nHost: web\r\n\r\n'), 'http1'],
    ['absolute-form', bytes('GET http://web.test:8080/x HTTP/1.1\r\n'), 'http1'],
    ['authority-form CONNECT', bytes('CONNECT web.test:443 HTTP/1.1\r\n'), 'http1'],
    ['asterisk OPTIONS', bytes('OPTIONS * HTTP/1.1\r\n'), 'http1'],
    ['extension method token', bytes("M-SEARCH!#$%&'*+.^_`|~9 * HTTP/1.1\r\n"), 'http1'],
    [
      'raw UTF-8 in target',
      Buffer.concat([bytes('GET /caf'), Buffer.from('é', 'utf8'), bytes(' HTTP/1.1\r\n')]),
      'http1',
    ],
    ['PRI as an h1 method', bytes('PRI * HTTP/1.1\r\n'), 'http1'],
    ['TLS 1.0 record + ClientHello', Buffer.from('160301020001', 'hex'), 'tls'],
    ['TLS record version 3.0', Buffer.from('160300004001', 'hex'), 'tls'],
    ['TLS record version 3.4', Buffer.from('160304004001', 'hex'), 'tls'],
    ['TLS ServerHello', Buffer.from('160303004002', 'hex'), 'opaque'],
    ['TLS Certificate', Buffer.from('16030300400b', 'hex'), 'opaque'],
    ['TLS bad major', Buffer.from('16020300400b', 'hex'), 'opaque'],
    ['TLS version 3.5', Buffer.from('160305', 'hex'), 'opaque'],
    ['TLS alert record', Buffer.from('150303000202', 'hex'), 'opaque'],
    ['TLS application data', Buffer.from('170303', 'hex'), 'opaque'],
    ['SSLv2-compatible hello', Buffer.from('8046010301', 'hex'), 'opaque'],
    ['h2 version is not h1', bytes('GET / HTTP/2.0\r\n'), 'opaque'],
    ['HTTP/1.2', bytes('GET / HTTP/1.2\r\n'), 'opaque'],
    ['bare LF', bytes('GET / HTTP/1.1\n'), 'opaque'],
    ['CR without LF', bytes('GET / HTTP/1.1\rX'), 'opaque'],
    ['lower-case version', bytes('GET / http/1.1\r\n'), 'opaque'],
    ['double SP', bytes('GET  / HTTP/1.1\r\n'), 'opaque'],
    ['empty target', bytes('GET  HTTP/1.1\r\n'), 'opaque'],
    ['control char in target', bytes('GET /a\x01b HTTP/1.1\r\n'), 'opaque'],
    ['DEL in target', bytes('GET /a\x7fb HTTP/1.1\r\n'), 'opaque'],
    ['non-token in method', bytes('GE(T / HTTP/1.1\r\n'), 'opaque'],
    ['leading CRLF', bytes('\r\nGET / HTTP/1.1\r\n'), 'opaque'],
    ['HTTP/0.9 request', bytes('GET /\r\n'), 'opaque'],
    ['h2 preface with a typo', bytes('PRI * HTTP/2.0\r\n\r\nSN\r\n\r\n'), 'opaque'],
    ['redis RESP', bytes('*1\r\n$4\r\nPING\r\n'), 'opaque'],
    ['SSH banner', bytes('SSH-2.0-OpenSSH_9.6\r\n'), 'opaque'],
    ['postgres startup', Buffer.from('0000000804d2162f', 'hex'), 'opaque'],
    ['JSON', bytes('{"a":1}'), 'opaque'],
  ];
  for (const [name, input, want] of cases) assert.equal(detectProtocol(input), want, name);
});

test('detectProtocol asks for more on every proper prefix of a possible match', () => {
  const wholes = [
    bytes(H2_PREFACE),
    bytes('GET /index.html?q=1 HTTP/1.1\r\n'),
    bytes('DELETE /users/123 HTTP/1.0\r\n'),
    bytes('PRI * HTTP/1.1\r\n'),
    Buffer.from('160303007b01', 'hex'),
  ];
  assert.equal(detectProtocol(Buffer.alloc(0)), 'need-more', 'empty');
  for (const whole of wholes) {
    for (const p of prefixes(whole)) {
      assert.equal(detectProtocol(p), 'need-more', JSON.stringify(p.toString('latin1')));
    }
    assert.notEqual(detectProtocol(whole), 'need-more');
  }
});

test('detectProtocol rejects garbage at the first byte', () => {
  const tchar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
  for (let b = 0; b < 256; b++) {
    const want = b === 0x16 || tchar.test(String.fromCharCode(b)) ? 'need-more' : 'opaque';
    assert.equal(detectProtocol(Buffer.from([b])), want, `byte 0x${b.toString(16)}`);
  }
});

test('detectProtocol gives up at MAX_DETECT_BYTES', () => {
  const method = (n: number): Buffer => Buffer.alloc(n, 0x41);
  assert.equal(detectProtocol(method(MAX_DETECT_BYTES - 1)), 'need-more');
  assert.equal(detectProtocol(method(MAX_DETECT_BYTES)), 'opaque');
  const longTarget = (n: number): Buffer => Buffer.concat([bytes('GET /'), Buffer.alloc(n, 0x61)]);
  assert.equal(detectProtocol(longTarget(MAX_DETECT_BYTES - 6)), 'need-more');
  assert.equal(detectProtocol(longTarget(MAX_DETECT_BYTES)), 'opaque');
  // A request line that ends inside the window is still recognised when more bytes follow it.
  const line = Buffer.concat([
    bytes('GET /'),
    Buffer.alloc(MAX_DETECT_BYTES - 100, 0x61),
    bytes(' HTTP/1.1\r\n'),
  ]);
  assert.equal(detectProtocol(Buffer.concat([line, Buffer.alloc(MAX_DETECT_BYTES)])), 'http1');
});

test('detectProtocol decisions never change as more bytes arrive, and it never throws', () => {
  const rand = prng(0x5eed);
  const seeds = [
    bytes(H2_PREFACE),
    bytes('GET /a/b HTTP/1.1\r\nHost: x\r\n\r\n'),
    Buffer.from('1603010200010001fc', 'hex'),
  ];
  for (let iter = 0; iter < 3000; iter++) {
    const input = Buffer.from(seeds[iter % seeds.length] as Buffer);
    const flips = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < flips; k++) input[Math.floor(rand() * input.length)] = Math.floor(rand() * 256);
    let decided: DetectResult | undefined;
    for (let n = 0; n <= input.length; n++) {
      const got = detectProtocol(input.subarray(0, n));
      if (decided !== undefined) assert.equal(got, decided, `input ${input.toString('hex')} at ${n}`);
      else if (got !== 'need-more') decided = got;
    }
  }
});

// --- parseClientHelloSni ----------------------------------------------------------------------------------

test('parses the SNI from a real ClientHello, and every truncation of it needs more', async () => {
  const hello = await captureClientHello({ servername: MESH_SNI });
  assert.equal(detectProtocol(hello), 'tls');
  assert.deepEqual(parseClientHelloSni(hello), { status: 'complete', sni: MESH_SNI });
  // Bytes after the record (the client's next record) do not matter.
  assert.deepEqual(parseClientHelloSni(Buffer.concat([hello, Buffer.from('140303000101', 'hex')])), {
    status: 'complete',
    sni: MESH_SNI,
  });
  for (const p of prefixes(hello)) {
    assert.deepEqual(parseClientHelloSni(p), { status: 'need-more' }, `prefix of ${p.length} bytes`);
    assert.equal(detectProtocol(p), p.length < 6 ? 'need-more' : 'tls');
  }
  assert.deepEqual(parseClientHelloSni(Buffer.alloc(0)), { status: 'need-more' });
});

test('a ClientHello without SNI and a TLS 1.2-only hello are complete', async () => {
  // Node sends no SNI when connecting to an IP address without a servername.
  const bare = await captureClientHello({});
  assert.deepEqual(parseClientHelloSni(bare), { status: 'complete', sni: undefined });
  const tls12 = await captureClientHello({ servername: 'api.test', maxVersion: 'TLSv1.2' });
  assert.deepEqual(parseClientHelloSni(tls12), { status: 'complete', sni: 'api.test' });
});

interface HelloParts {
  recordVersion?: number;
  major?: number;
  sessionId?: number;
  suites?: Buffer;
  compression?: Buffer;
  extensions?: Buffer[] | undefined;
  extensionsLenDelta?: number;
  helloLenDelta?: number;
  recordLen?: number;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

function serverName(...entries: [number, Buffer][]): Buffer {
  const list = Buffer.concat(
    entries.map(([type, name]) => Buffer.concat([Buffer.from([type]), u16(name.length), name])),
  );
  return extension(0, Buffer.concat([u16(list.length), list]));
}

/** A hand-built ClientHello record whose fields can be made wrong one at a time. */
function buildHello(parts: HelloParts = {}): Buffer {
  const exts = parts.extensions === undefined ? undefined : Buffer.concat(parts.extensions);
  const body = Buffer.concat([
    Buffer.from([parts.major ?? 3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([parts.sessionId ?? 32]),
    Buffer.alloc(parts.sessionId ?? 32, 1),
    u16((parts.suites ?? Buffer.from('13011302', 'hex')).length),
    parts.suites ?? Buffer.from('13011302', 'hex'),
    Buffer.from([(parts.compression ?? Buffer.from([0])).length]),
    parts.compression ?? Buffer.from([0]),
    exts === undefined
      ? Buffer.alloc(0)
      : Buffer.concat([u16(exts.length + (parts.extensionsLenDelta ?? 0)), exts]),
  ]);
  const hsLen = body.length + (parts.helloLenDelta ?? 0);
  const handshake = Buffer.concat([Buffer.from([1, hsLen >> 16, (hsLen >> 8) & 0xff, hsLen & 0xff]), body]);
  const header = Buffer.concat([
    Buffer.from([0x16, 3, parts.recordVersion ?? 1]),
    u16(parts.recordLen ?? handshake.length),
  ]);
  return Buffer.concat([header, handshake]);
}

test('parseClientHelloSni handles hand-built hellos, valid and broken', () => {
  const name = (s: string): Buffer => bytes(s);
  const alpn = extension(16, Buffer.from('0003026832', 'hex'));
  const cases: [string, Buffer, SniResult][] = [
    [
      'sni after another extension',
      buildHello({ extensions: [alpn, serverName([0, name('a.b')])] }),
      { status: 'complete', sni: 'a.b' },
    ],
    ['no extensions block at all', buildHello(), { status: 'complete', sni: undefined }],
    ['empty extensions block', buildHello({ extensions: [] }), { status: 'complete', sni: undefined }],
    [
      'only unknown name types',
      buildHello({ extensions: [serverName([7, name('x')])] }),
      { status: 'complete', sni: undefined },
    ],
    [
      'empty session id',
      buildHello({ sessionId: 0, extensions: [serverName([0, name('a')])] }),
      { status: 'complete', sni: 'a' },
    ],
    ['session id of 33', buildHello({ sessionId: 33 }), { status: 'malformed' }],
    ['odd cipher suites', buildHello({ suites: Buffer.from('130113', 'hex') }), { status: 'malformed' }],
    ['no cipher suites', buildHello({ suites: Buffer.alloc(0) }), { status: 'malformed' }],
    ['no compression method', buildHello({ compression: Buffer.alloc(0) }), { status: 'malformed' }],
    ['legacy_version 2.x', buildHello({ major: 2 }), { status: 'malformed' }],
    ['record version 3.5', buildHello({ recordVersion: 5 }), { status: 'malformed' }],
    [
      'extensions overrun the hello',
      buildHello({ extensions: [alpn], extensionsLenDelta: 1 }),
      { status: 'malformed' },
    ],
    [
      'extensions stop short of the hello',
      buildHello({ extensions: [alpn], extensionsLenDelta: -1 }),
      { status: 'malformed' },
    ],
    ['hello longer than its record', buildHello({ helloLenDelta: 1 }), { status: 'malformed' }],
    ['record over 2^14', buildHello({ recordLen: 16385 }), { status: 'malformed' }],
    ['record too short for a handshake header', buildHello({ recordLen: 3 }), { status: 'malformed' }],
    [
      'duplicate server_name extension',
      buildHello({ extensions: [serverName([0, name('a')]), serverName([0, name('b')])] }),
      { status: 'malformed' },
    ],
    [
      'two host names',
      buildHello({ extensions: [serverName([0, name('a')], [0, name('b')])] }),
      { status: 'malformed' },
    ],
    ['empty host name', buildHello({ extensions: [serverName([0, name('')])] }), { status: 'malformed' }],
    [
      'host name with a NUL',
      buildHello({ extensions: [serverName([0, name('a\0.evil')])] }),
      { status: 'malformed' },
    ],
    [
      'host name with a space',
      buildHello({ extensions: [serverName([0, name('a b')])] }),
      { status: 'malformed' },
    ],
    [
      'host name with a trailing dot',
      buildHello({ extensions: [serverName([0, name('a.b.')])] }),
      { status: 'malformed' },
    ],
    [
      'host name of 256 bytes',
      buildHello({ extensions: [serverName([0, Buffer.alloc(256, 0x61)])] }),
      { status: 'malformed' },
    ],
    ['empty server_name list', buildHello({ extensions: [extension(0, u16(0))] }), { status: 'malformed' }],
    [
      'server_name list overruns',
      buildHello({ extensions: [extension(0, Buffer.from('0009000003616263', 'hex'))] }),
      { status: 'malformed' },
    ],
    ['not a handshake record', Buffer.from('170303000401000000', 'hex'), { status: 'malformed' }],
    ['ServerHello', Buffer.from('160303000402000000', 'hex'), { status: 'malformed' }],
    ['plain text', bytes('GET / HTTP/1.1\r\n'), { status: 'malformed' }],
  ];
  for (const [what, input, want] of cases) assert.deepEqual(parseClientHelloSni(input), want, what);
  // A field that is already wrong is reported at once, without waiting for the rest of the record.
  const early = buildHello({ sessionId: 33, extensions: [serverName([0, name('a')])] });
  assert.deepEqual(parseClientHelloSni(early.subarray(0, 5 + 4 + 2 + 32 + 1)), { status: 'malformed' });
});

test('mutated and truncated ClientHellos never throw and give a valid result', async () => {
  const hello = await captureClientHello({ servername: MESH_SNI });
  const rand = prng(20260821);
  const pick = (n: number): number => Math.floor(rand() * n);
  const counts = { complete: 0, 'need-more': 0, malformed: 0 };
  for (let iter = 0; iter < 5000; iter++) {
    let input = Buffer.from(hello);
    const mutations = 1 + pick(4);
    for (let m = 0; m < mutations; m++) {
      const at = pick(input.length || 1);
      switch (pick(5)) {
        case 0: // random byte
          input[at] = pick(256);
          break;
        case 1: // a length-looking field blown up or zeroed
          if (at + 1 < input.length) input.writeUInt16BE(rand() < 0.5 ? 0xffff : 0, at);
          break;
        case 2: // truncate
          input = input.subarray(0, at);
          break;
        case 3: // insert a byte
          input = Buffer.concat([input.subarray(0, at), Buffer.from([pick(256)]), input.subarray(at)]);
          break;
        default: // delete a byte
          input = Buffer.concat([input.subarray(0, at), input.subarray(at + 1)]);
      }
    }
    let result: SniResult;
    try {
      result = parseClientHelloSni(input);
      detectProtocol(input);
    } catch (err) {
      assert.fail(`threw on iteration ${iter} for ${input.toString('hex')}: ${String(err)}`);
    }
    counts[result.status]++;
    if (result.status === 'complete' && result.sni !== undefined) {
      assert.match(result.sni, /^[A-Za-z0-9._-]{1,255}$/, `iteration ${iter}`);
    }
  }
  // The loop must have exercised every outcome, or it proves little.
  assert.ok(counts.complete > 0 && counts['need-more'] > 0 && counts.malformed > 0, JSON.stringify(counts));
});
