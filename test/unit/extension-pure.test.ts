// The extension's pure parts (no vscode): NODE_OPTIONS quoting, webview message validation,
// snapshot file names, the minimal WebSocket framing, /proc parsing, TypeScript runner choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotFileName } from '../../src/format/snapshot';
import { mergeRecorderOptions, prependNodeOptions, requireOption, shellQuote } from '../../src/extension/node-options';
import { parseFrame, parseState, parseViewerMessage } from '../../src/extension/timeline/messages';
import { parseSnapshotName } from '../../src/extension/snapshot-files';
import { decodeFrames, encodeFrame } from '../../src/extension/attach/websocket';
import { isNodeCommand, parseCmdline, parseListeningPorts } from '../../src/extension/attach/node-processes';
import { parseNodeVersion, typeStrippingFlags } from '../../src/extension/typescript-runner';
import { parseLiveMessage } from '../../src/extension/views/live-message';

test('NODE_OPTIONS: the recorder goes first, quoted when the path needs it, once', () => {
  assert.equal(requireOption('/opt/ext/dist/recorder.js'), '--require=/opt/ext/dist/recorder.js');
  assert.equal(requireOption('/home/a b/dist/recorder.js'), '--require="/home/a b/dist/recorder.js"');
  assert.equal(requireOption('/x/"q"\\/r.js'), '--require="/x/\\"q\\"\\\\/r.js"');
  assert.equal(prependNodeOptions('/r.js', '--max-old-space-size=4096'), '--require=/r.js --max-old-space-size=4096');
  assert.equal(prependNodeOptions('/r.js', ''), '--require=/r.js');
  assert.equal(prependNodeOptions('/r.js', '--require=/r.js --inspect'), '--require=/r.js --inspect');
});

test('recorder options merge key by key, triggers and redact deeply', () => {
  const merged = mergeRecorderOptions({ out: '/a', triggers: { slowRequestMs: 100 } }, { maxBytes: 5, triggers: { loopBlockMs: 50 } }, undefined, { out: '/b' });
  assert.deepEqual(merged, { out: '/b', maxBytes: 5, triggers: { slowRequestMs: 100, loopBlockMs: 50 } });
});

test('shell quoting keeps plain words and single-quotes the rest', () => {
  assert.equal(shellQuote('/srv/app/server.js'), '/srv/app/server.js');
  assert.equal(shellQuote("/it's here/x.js"), `'/it'\\''s here/x.js'`);
  assert.equal(shellQuote('$(rm -rf /)'), `'$(rm -rf /)'`);
});

test('webview messages of the wrong shape are dropped', () => {
  assert.deepEqual(parseViewerMessage({ type: 'ready' }), { type: 'ready' });
  assert.equal(parseViewerMessage(null), undefined);
  assert.equal(parseViewerMessage('ready'), undefined);
  assert.equal(parseViewerMessage({ type: 'eval', code: 'x' }), undefined);
  assert.equal(parseViewerMessage({ type: 'reveal' }), undefined);
  assert.equal(parseViewerMessage({ type: 'reveal', frame: { url: '/a.js', lineNumber: -1, columnNumber: 1 } }), undefined);
  assert.equal(parseViewerMessage({ type: 'reveal', frame: { url: '/a.js', lineNumber: '3', columnNumber: 1 } }), undefined);
  assert.equal(parseFrame({ url: '/a.js\n/b.js', lineNumber: 1, columnNumber: 1 }), undefined);
  assert.equal(parseFrame({ url: 'x'.repeat(5000), lineNumber: 1, columnNumber: 1 }), undefined);
  assert.deepEqual(parseViewerMessage({ type: 'reveal', frame: { functionName: 'f', url: 'file:///a.js', lineNumber: 3, columnNumber: 4, extra: 1 } }), {
    type: 'reveal', frame: { functionName: 'f', url: 'file:///a.js', lineNumber: 3, columnNumber: 4 },
  });
  assert.deepEqual(parseViewerMessage({ type: 'error', message: 'x'.repeat(5000) }), { type: 'error', message: 'x'.repeat(2000) });
});

test('viewer state keeps known fields of the right type only, and bounds its size', () => {
  assert.deepEqual(parseState({ viewStartTs: 1, viewEndTs: 'x', filter: 'GET', tab: 'cpu', evil: '<script>' }), { viewStartTs: 1, filter: 'GET', tab: 'cpu' });
  assert.equal(parseState({ filter: 'x'.repeat(70_000) }), undefined);
  assert.deepEqual(parseState({ viewStartTs: Infinity, selectedEvent: 1.5 }), {});
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(parseState(cyclic), undefined);
});

test('snapshot names parse back to program, pid, time and reason', () => {
  const name = snapshotFileName('my-app', 4242, new Date(Date.UTC(2025, 0, 2, 3, 4, 5)), 'slow request');
  assert.deepEqual(parseSnapshotName(name), { programName: 'my-app', pid: 4242, time: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)), reason: 'slow request' });
  assert.equal(parseSnapshotName('notes.json'), undefined);
});

test('WebSocket frames: masked client frames decode to the payload, partial frames wait', () => {
  for (const size of [0, 5, 125, 126, 65535, 65536, 200_000]) {
    const payload = Buffer.alloc(size, 'a');
    const frame = encodeFrame(0x1, payload);
    const { frames, rest } = decodeFrames(frame);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]?.payload.length, size);
    assert.ok(frames[0]?.payload.equals(payload));
    assert.equal(rest.length, 0);
    const partial = decodeFrames(frame.subarray(0, frame.length - 1));
    assert.equal(partial.frames.length, 0);
  }
  const server = Buffer.from([0x81, 0x02, 0x68, 0x69]); // unmasked "hi" as a server sends it
  assert.equal(decodeFrames(Buffer.concat([server, server])).frames.map((f) => f.payload.toString()).join(','), 'hi,hi');
});

test('/proc parsing: command lines, node executables, listening ports by inode', () => {
  assert.deepEqual(parseCmdline('node\0server.js\0--port\0\0'), ['node', 'server.js', '--port', '']);
  assert.ok(isNodeCommand(['/usr/bin/node', 'x.js'], undefined));
  assert.ok(isNodeCommand(['npm start'], '/opt/node-v20/bin/node'));
  assert.ok(!isNodeCommand(['/usr/bin/python3', 'node.py'], '/usr/bin/python3.11'));
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:2405 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0',
    '   2: 0100007F:1F91 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0',
  ].join('\n');
  assert.deepEqual(parseListeningPorts(table, new Set(['111'])), [9221]);
});

test('TypeScript: Node type stripping by version', () => {
  assert.deepEqual(parseNodeVersion('v22.18.0\n'), [22, 18, 0]);
  assert.deepEqual(typeStrippingFlags([24, 0, 0]), []);
  assert.deepEqual(typeStrippingFlags([22, 18, 0]), []);
  assert.deepEqual(typeStrippingFlags([22, 6, 0]), ['--experimental-strip-types']);
  assert.deepEqual(typeStrippingFlags([23, 1, 0]), ['--experimental-strip-types']);
  assert.equal(typeStrippingFlags([20, 20, 2]), undefined);
});

test('live view messages: only ready/select/capture with sane pids', () => {
  assert.deepEqual(parseLiveMessage({ type: 'select', pid: 12 }), { type: 'select', pid: 12 });
  assert.equal(parseLiveMessage({ type: 'select', pid: -1 }), undefined);
  assert.equal(parseLiveMessage({ type: 'select', pid: '12' }), undefined);
  assert.deepEqual(parseLiveMessage({ type: 'ready', pid: 'x' }), { type: 'ready' });
  assert.equal(parseLiveMessage({ type: 'run', command: 'rm' }), undefined);
});
