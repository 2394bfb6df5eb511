// What a search matches in args: the keys the viewer searches, and the recorded request
// headers' values (a request id pasted from the logs finds its request).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argsMatch } from '../../src/format/args-search';

test('args keys and recorded header values match, case-insensitively; other keys and shapes do not', () => {
  const args = { method: 'GET', url: '/orders/7', headers: { 'x-request-id': 'Req-4F2A', traceparent: '00-abc-01' }, sql: 'SELECT secret' };
  assert.equal(argsMatch(args, '/orders'), true);
  assert.equal(argsMatch(args, 'req-4f2a'), true);
  assert.equal(argsMatch(args, '00-abc'), true);
  assert.equal(argsMatch(args, 'x-request-id'), false, 'header names are not values');
  assert.equal(argsMatch(args, 'secret'), false, 'keys the search does not look in');
  assert.equal(argsMatch({ headers: ['req-4f2a'] }, 'req-4f2a'), false);
  assert.equal(argsMatch({ headers: { id: 42 } }, '42'), false);
  assert.equal(argsMatch(undefined, 'x'), false);
  assert.equal(argsMatch('req-4f2a', 'req-4f2a'), false);
});
