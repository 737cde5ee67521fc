// Header extraction for tap events: sensitive values never leave the proxy, whatever their case or count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactedHeaderSet, REDACTED_VALUE } from '../../../../src/api/tap-rules.js';
import { extractHeaders } from '../../../../src/proxy/tap/headers.js';

test('authorization, proxy-authorization, cookie and set-cookie are always redacted', () => {
  const headers = extractHeaders(
    {
      authorization: 'Bearer secret-token',
      'Proxy-Authorization': 'Basic c2VjcmV0',
      cookie: 'session=abc',
      'set-cookie': ['a=1', 'b=2'],
      'x-request-id': '42',
    },
    redactedHeaderSet([]),
  );
  assert.deepEqual(headers, [
    { name: 'authorization', value: REDACTED_VALUE },
    { name: 'proxy-authorization', value: REDACTED_VALUE },
    { name: 'cookie', value: REDACTED_VALUE },
    { name: 'set-cookie', value: REDACTED_VALUE },
    { name: 'set-cookie', value: REDACTED_VALUE },
    { name: 'x-request-id', value: '42' },
  ]);
  assert.ok(!JSON.stringify(headers).includes('secret'));
});

test('caller-listed names are redacted too, case-insensitively', () => {
  const headers = extractHeaders(
    { 'x-api-key': 'k-123', 'X-Tenant': 'acme', accept: 'text/plain' },
    redactedHeaderSet(['X-Api-Key', 'x-tenant']),
  );
  assert.deepEqual(headers, [
    { name: 'x-api-key', value: REDACTED_VALUE },
    { name: 'x-tenant', value: REDACTED_VALUE },
    { name: 'accept', value: 'text/plain' },
  ]);
});

test('pseudo-headers and undefined values are left out; numbers become text', () => {
  const headers = extractHeaders(
    { ':status': 200, ':path': '/x', 'content-length': 12, 'x-none': undefined },
    redactedHeaderSet([]),
  );
  assert.deepEqual(headers, [{ name: 'content-length', value: '12' }]);
  assert.deepEqual(extractHeaders(undefined, redactedHeaderSet([])), []);
});

test('redact_headers must be header names, at most 64 of them', () => {
  assert.throws(() => redactedHeaderSet(['bad name']), /redact_headers\[0\]/);
  assert.throws(() => redactedHeaderSet(['']), RangeError);
  assert.throws(() => redactedHeaderSet(Array.from({ length: 65 }, (_, i) => `x-${i}`)), /more than 64/);
});
