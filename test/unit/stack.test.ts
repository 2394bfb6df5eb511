import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseV8Stack, programFrame, shortFrameLabel } from '../../src/format/stack';
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

test('programFrame names the program\'s own frame; shortFrameLabel puts it on one line', () => {
  const push = { functionName: 'push', url: '', lineNumber: 0, columnNumber: 0 };
  const timers = { functionName: 'listOnTimeout', url: 'node:internal/timers', lineNumber: 581, columnNumber: 17 };
  const own = { functionName: 'spinForever', url: 'file:///srv/app/spin.js', lineNumber: 9, columnNumber: 37 };
  assert.equal(programFrame([push, own, timers]), own);
  assert.equal(programFrame([push, timers]), push, 'none of the program\'s: the top one');
  assert.equal(programFrame([]), undefined);
  assert.equal(shortFrameLabel(own), 'spinForever spin.js:9');
  assert.equal(shortFrameLabel({ ...own, functionName: '' }), '(anonymous) spin.js:9');
  assert.equal(shortFrameLabel(push), 'push');
  assert.equal(shortFrameLabel({ ...own, url: '/srv/app/spin.js', lineNumber: 0 }), 'spinForever spin.js');
});
