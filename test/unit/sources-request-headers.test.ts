// The recorded request headers (recordHeaders): read from Node's raw header list, secret ones
// redacted, and read back by the decoder as they were written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headersOfText, MAX_HEADER_VALUE_CHARS, recordedHeaderText } from '../../src/recorder/sources/request-headers';

const raw = ['Host', 'a.example', 'X-Request-ID', 'abc-1', 'Authorization', 'Bearer t0ken', 'x-forwarded-for', '10.0.0.1', 'X-Forwarded-For', '10.0.0.2', 'Cookie', 'sid=1'];

test('only the named headers, in any case, in the request\'s order; repeated ones joined', () => {
  const text = recordedHeaderText(raw, ['x-forwarded-for', 'x-request-id', 'x-absent'], true);
  assert.equal(text, 'x-request-id: abc-1\nx-forwarded-for: 10.0.0.1, 10.0.0.2');
  assert.deepEqual(headersOfText(text), { 'x-request-id': 'abc-1', 'x-forwarded-for': '10.0.0.1, 10.0.0.2' });
  assert.equal(recordedHeaderText(raw, ['x-absent'], true), '');
  assert.equal(recordedHeaderText(undefined, ['x-request-id'], true), '');
});

test('secret-bearing headers stay *** unless redaction is off', () => {
  const asked = ['authorization', 'cookie', 'x-request-id'];
  assert.deepEqual(headersOfText(recordedHeaderText(raw, asked, true)), { 'x-request-id': 'abc-1', authorization: '***', cookie: '***' });
  assert.deepEqual(headersOfText(recordedHeaderText(raw, asked, false)), { 'x-request-id': 'abc-1', authorization: 'Bearer t0ken', cookie: 'sid=1' });
  const named = ['X-Api-Key', 'k', 'X-Session-Id', 's', 'X-Auth-Token', 't', 'X-Tenant', 'acme'];
  assert.deepEqual(headersOfText(recordedHeaderText(named, ['x-api-key', 'x-session-id', 'x-auth-token', 'x-tenant'], true)), { 'x-api-key': '***', 'x-session-id': '***', 'x-auth-token': '***', 'x-tenant': 'acme' });
});

test('long values are cut; hostile values stay text', () => {
  const long = 'v'.repeat(MAX_HEADER_VALUE_CHARS + 50);
  const value = headersOfText(recordedHeaderText(['X-Long', long], ['x-long'], true))['x-long']!;
  assert.equal(value, `${'v'.repeat(MAX_HEADER_VALUE_CHARS)}…`);
  assert.deepEqual(headersOfText(recordedHeaderText(['X-A', 'one\nauthorization: two', 'X-B', 'b'], ['x-a', 'x-b'], true)), { 'x-a': 'one authorization: two', 'x-b': 'b' });
  const hostile = '<img src=x onerror="window.__pwned=1">: x';
  assert.deepEqual(headersOfText(recordedHeaderText(['X-H', hostile], ['x-h'], true)), { 'x-h': hostile });
});
