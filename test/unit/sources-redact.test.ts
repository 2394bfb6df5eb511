import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { redactArgv, redactHeaders, redactQuery, redactUrl } from '../../src/recorder/redact';

test('query values are replaced, keys and path kept', () => {
  assert.equal(redactUrl('/hello?token=SECRET123'), '/hello?token=***');
  assert.equal(redactUrl('/a/b?x=1&y=&flag&z=3'), '/a/b?x=***&y=***&flag&z=***');
  assert.equal(redactUrl('/plain'), '/plain');
  assert.equal(redactUrl('/p?code=abc#frag'), '/p?code=***');
  assert.equal(redactUrl('http://user:pw@host:1/p?k=v'), 'http://***@host:1/p?k=***');
  assert.equal(redactQuery('/x?'), '/x?');
});

test('a url without a query is returned as the same string', () => {
  const url = '/users/42';
  assert.equal(redactUrl(url), url);
});

test('query redaction can be switched off', () => {
  assert.equal(redactUrl('/hello?token=SECRET123', { query: false }), '/hello?token=SECRET123');
});

test('header values are redacted except the safe list', () => {
  const out = redactHeaders({ Authorization: 'Bearer x', Cookie: 'a=b', 'Content-Type': 'text/plain', accept: ['a', 'b'], 'content-length': 3, skip: undefined });
  assert.deepEqual(out, { authorization: '***', cookie: '***', 'content-type': 'text/plain', accept: 'a, b', 'content-length': '3' });
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer x' }, { headers: false }), { authorization: 'Bearer x' });
});

test('argv secrets are redacted in every usual shape', () => {
  const argv = ['node', 'app.js', '--token=abc', '--password', 'hunter2', '--port', '80', 'API_KEY=xyz', 'NAME=bob',
    'postgres://me:pw@db/app', '--verbose', '--db-secret', '--other', 'https://h/p?sig=1'];
  assert.deepEqual(redactArgv(argv), ['node', 'app.js', '--token=***', '--password', '***', '--port', '80', 'API_KEY=***', 'NAME=bob',
    'postgres://***@db/app', '--verbose', '--db-secret', '--other', 'https://h/p?sig=***']);
  assert.deepEqual(redactArgv(['--token=abc'], { argv: false }), ['--token=abc']);
});

test('redactArgv redacts URL credentials and query values inside flag values and assignments', () => {
  assert.deepEqual(
    redactArgv(['--db=postgres://admin:SECRET@h/db', '--callback=http://h/cb?token=SECRET', 'DB_URL=https://u:SECRET@h/x?k=SECRET', '--port=80']),
    ['--db=postgres://***@h/db', '--callback=http://h/cb?token=***', 'DB_URL=https://***@h/x?k=***', '--port=80'],
  );
});
