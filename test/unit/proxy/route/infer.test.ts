import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferRoute } from '../../../../src/proxy/route/infer.js';

function cases(table: readonly (readonly [string, string, string])[], isGrpc = false): void {
  for (const [method, path, want] of table) {
    assert.equal(inferRoute(method, path, isGrpc), want, `${method} ${JSON.stringify(path)}`);
  }
}

test('keeps static paths as they are', () => {
  cases([
    ['GET', '/', 'GET /'],
    ['GET', '/users', 'GET /users'],
    ['POST', '/api/v1/orders', 'POST /api/v1/orders'],
    ['GET', '/healthz', 'GET /healthz'],
  ]);
});

test('templates numeric ids in any segment', () => {
  cases([
    ['GET', '/users/42', 'GET /users/{id}'],
    ['GET', '/users/0', 'GET /users/{id}'],
    ['GET', '/users/42/orders/9001', 'GET /users/{id}/orders/{id}'],
    ['GET', '/123', 'GET /{id}'],
    ['GET', '/v1/users', 'GET /v1/users'],
    ['GET', '/users/42abc', 'GET /users/42abc'],
    ['GET', '/files/1.5', 'GET /files/1.5'],
    ['GET', '/users/12345678901234567890123', 'GET /users/{id}'],
  ]);
});

test('templates UUIDs in either case, but not near-misses', () => {
  cases([
    ['GET', '/items/123e4567-e89b-12d3-a456-426614174000', 'GET /items/{uuid}'],
    ['GET', '/items/123E4567-E89B-12D3-A456-426614174000/x', 'GET /items/{uuid}/x'],
    ['GET', '/items/00000000-0000-0000-0000-000000000000', 'GET /items/{uuid}'],
    // 35 characters, a dash out of place, a non-hex letter: not UUIDs (the last is a token though)
    ['GET', '/items/123e4567-e89b-12d3-a456-42661417400', 'GET /items/{token}'],
    ['GET', '/items/123e4567e-89b-12d3-a456-426614174000', 'GET /items/{token}'],
    ['GET', '/items/123e4567-e89b-12d3-a456-42661417400g', 'GET /items/{token}'],
  ]);
});

test('templates long hex strings (16 or more hex characters)', () => {
  cases([
    ['GET', '/commits/3f2a9c0e4b7d1a6f', 'GET /commits/{hex}'],
    ['GET', '/commits/3F2A9C0E4B7D1A6F8E9D', 'GET /commits/{hex}'],
    ['GET', '/blobs/deadbeefdeadbeef', 'GET /blobs/{hex}'],
    ['GET', '/commits/3f2a9c0e4b7d1a6', 'GET /commits/3f2a9c0e4b7d1a6'],
    ['GET', '/facade', 'GET /facade'],
  ]);
});

test('templates base64/base64url-like tokens of 20+ characters with a digit', () => {
  cases([
    ['GET', '/s/aGVsbG8gd29ybGQgMTIzNDU2', 'GET /s/{token}'],
    ['GET', '/s/abc_DEF-ghi+jkl=mno0', 'GET /s/{token}'],
    ['GET', '/s/Zm9vYmFyYmF6cXV4cXV1eA==1', 'GET /s/{token}'],
    // 19 characters, no digit, or a character outside the alphabet: left alone
    ['GET', '/s/abcdefghijklmnopqr1', 'GET /s/abcdefghijklmnopqr1'],
    ['GET', '/s/abcdefghijklmnopqrstuvwxyz', 'GET /s/abcdefghijklmnopqrstuvwxyz'],
    ['GET', '/s/abcdefghij.klmnopqrstu1', 'GET /s/abcdefghij.klmnopqrstu1'],
  ]);
});

test('drops the query string and fragment', () => {
  cases([
    ['GET', '/search?q=1', 'GET /search'],
    ['GET', '/users/42?expand=true&x=/y', 'GET /users/{id}'],
    ['GET', '/?', 'GET /'],
    ['GET', '/users/42#top', 'GET /users/{id}'],
    ['GET', '/a/b/?x', 'GET /a/b/'],
  ]);
});

test('keeps trailing slashes and empty segments as they are', () => {
  cases([
    ['GET', '/users/', 'GET /users/'],
    ['GET', '/users/42/', 'GET /users/{id}/'],
    ['GET', '//users//42', 'GET //users//{id}'],
  ]);
});

test('leaves percent-encoded segments as they are', () => {
  cases([
    ['GET', '/files/a%20b', 'GET /files/a%20b'],
    ['GET', '/files/%31%32%33', 'GET /files/%31%32%33'],
    ['GET', '/files/a%2Fb/7', 'GET /files/a%2Fb/{id}'],
  ]);
});

test('upper-cases methods and folds unknown ones into [other]', () => {
  cases([
    ['get', '/x', 'GET /x'],
    ['Post', '/x/1', 'POST /x/{id}'],
    ['patch', '/x', 'PATCH /x'],
    ['PROPFIND', '/x', '[other] /x'],
    ['G E T', '/x', '[other] /x'],
    ['', '/x', '[other] /x'],
  ]);
});

test('yields [other] for request targets that are not origin-form', () => {
  cases([
    ['OPTIONS', '*', 'OPTIONS [other]'],
    ['GET', 'http://example.com/users/42', 'GET [other]'],
    ['CONNECT', 'example.com:443', 'CONNECT [other]'],
    ['GET', 'users/42', 'GET [other]'],
  ]);
});

test('an empty path is the root', () => {
  cases([['GET', '', 'GET /']]);
});

test('caps labels at 256 characters without cutting a template in half', () => {
  const long = '/' + 'segment/'.repeat(40) + 'end';
  const label = inferRoute('GET', long, false);
  assert.equal(label, 'GET [other]');
  const exact = '/' + 'z'.repeat(251); // "GET " + 252 = 256
  assert.equal(inferRoute('GET', exact, false), 'GET ' + exact);
  assert.equal(inferRoute('GET', exact + 'z', false), 'GET [other]');
  // Long ids shrink to their template, so a long path can still fit.
  assert.equal(inferRoute('GET', '/blob/' + 'ab12'.repeat(500), false), 'GET /blob/{hex}');
  for (const path of [long, '/' + 'x'.repeat(10_000), '/' + '1/'.repeat(200)]) {
    assert.ok(inferRoute('DELETE', path, false).length <= 256);
  }
});

test('gRPC: the path itself, without query, and [other] for anything not /service/method', () => {
  cases(
    [
      ['POST', '/helloworld.Greeter/SayHello', '/helloworld.Greeter/SayHello'],
      ['POST', '/grpc.health.v1.Health/Check?x=1', '/grpc.health.v1.Health/Check'],
      ['POST', '/pkg.Svc/Method#frag', '/pkg.Svc/Method'],
      ['POST', '/pkg.Svc/Get42', '/pkg.Svc/Get42'],
      ['POST', '/pkg.Svc/Method/extra', '[other]'],
      ['POST', '/pkg.Svc/', '[other]'],
      ['POST', '//Method', '[other]'],
      ['POST', '/pkg.Svc', '[other]'],
      ['POST', '', '[other]'],
      ['POST', 'pkg.Svc/Method', '[other]'],
      ['POST', '/pkg.Svc/' + 'M'.repeat(300), '[other]'],
    ],
    true,
  );
});

test('returns the same string for a path with nothing to template (no copy)', () => {
  const path = '/api/v1/orders';
  assert.equal(inferRoute('GET', path, false), 'GET /api/v1/orders');
  const grpc = '/pkg.Svc/Method';
  assert.equal(inferRoute('POST', grpc, true), grpc);
});
