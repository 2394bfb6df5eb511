import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseV8Stack } from '../../src/format/stack';
import { snapshotFileName } from '../../src/format/snapshot';

test('parseV8Stack reads named, bare and async frames and skips the message', () => {
  const stack = [
    'Error: boom',
    '    at handler (/srv/app/server.js:12:7)',
    '    at async Promise.all (index 0)',
    '    at /srv/app/lib/x.js:3:15',
    '    at async run (file:///srv/app/main.mjs:40:2)',
  ].join('\n');
  assert.deepEqual(parseV8Stack(stack), [
    { functionName: 'handler', url: '/srv/app/server.js', lineNumber: 12, columnNumber: 7 },
    { functionName: '', url: '/srv/app/lib/x.js', lineNumber: 3, columnNumber: 15 },
    { functionName: 'run', url: 'file:///srv/app/main.mjs', lineNumber: 40, columnNumber: 2 },
  ]);
});

test('snapshotFileName is safe and follows <program>-<pid>-<UTC>-<reason>', () => {
  const name = snapshotFileName('my server/../x', 42, new Date(Date.UTC(2026, 10, 25, 18, 5, 9, 123)), 'slow request > 200ms');
  assert.equal(name, 'my_server_.._x-42-20261125T180509Z-slow_request_200ms.nodetrace.json');
});
