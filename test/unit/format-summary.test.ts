import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceText, type LoadedTrace } from '../../src/format/read';
import { summarizeTrace } from '../../src/format/summary';
import { serializeSnapshot } from '../../src/format/write';
import { validSnapshot } from './format-fixtures';

function load(): LoadedTrace {
  const result = parseTraceText(serializeSnapshot(validSnapshot()), 'x.nodetrace.json');
  assert.ok(!('error' in result));
  return result.trace;
}

test('slowest requests: server and client, paired b/e, status from the end, in-flight spans counted to the window end', () => {
  const s = summarizeTrace(load());
  assert.deepEqual(s.slowestRequests.map((r) => [r.kind, r.url, r.durationMs, r.status, r.inFlight]), [
    ['server', '/slow', 300.2, 200, false],
    ['server', '/pending', 100, undefined, true],
    ['client', 'http://127.0.0.1:3000/hello', 5, 200, false],
    ['server', '/hello?token=***', 2, 200, false],
  ]);
  assert.deepEqual(s.requestCount, { server: 3, client: 1 });
});

test('loop blocks, GC totals by kind (with the heap freed by those that say), errors, triggers, window and drops', () => {
  const s = summarizeTrace(load());
  assert.deepEqual(s.loopBlocks.map((b) => b.durationMs), [300]);
  assert.deepEqual(s.gc, {
    count: 3, totalMs: 10, maxMs: 8,
    byKind: [{ kind: 'major', count: 1, totalMs: 8, maxMs: 8, freedMB: 40, freedCount: 1 }, { kind: 'minor', count: 2, totalMs: 2, maxMs: 1.5, freedMB: 18.25, freedCount: 1 }],
  });
  assert.deepEqual(s.errors.map((e) => [e.type, e.message]), [['Uncaught exception', 'Error: boom']]);
  assert.deepEqual(s.triggers.map((t) => t.reason), ['check']);
  assert.equal(s.trigger?.reason, 'check');
  assert.equal(s.trigger?.source, 'control');
  assert.deepEqual(s.window, { startTs: 1_000_000, endTs: 2_000_000, durationMs: 1000 });
  assert.equal(s.droppedEvents, 3);
  assert.deepEqual(s.processes, [{ pid: 4242, name: 'server.js', threads: [{ tid: 0, name: 'main' }] }]);
  assert.equal(s.categories.find((c) => c.cat === 'http.server')?.count, 5);
});

test('hottest functions: self time from samples (gap to the next sample), idle excluded, 1-based lines', () => {
  const s = summarizeTrace(load());
  // samples [busyWait, busyWait, busyWait, parse, (idle)], deltas [100, 1000, 1000, 1000, 500]:
  // busyWait gets 1000 + 1000 + 1000, parse gets 500, idle is not code.
  assert.deepEqual(s.hotFunctions.map((f) => [f.functionName, f.selfMs, f.percent, f.lineNumber]), [
    ['busyWait', 3, 85.7, 10],
    ['parse', 0.5, 14.3, 1],
  ]);
  assert.equal(s.sampledMs, 3.5);
});

test('top limits every list; an empty trace gives an empty summary', () => {
  assert.equal(summarizeTrace(load(), { top: 1 }).slowestRequests.length, 1);
  const empty = summarizeTrace({ traceEvents: [], window: { startTs: 0, endTs: 0 } });
  assert.deepEqual(empty.slowestRequests, []);
  assert.equal(empty.gc.count, 0);
  assert.equal(empty.droppedEvents, null);
  assert.equal(empty.trigger, undefined);
});

test('complete (X) HTTP spans count too', () => {
  const s = summarizeTrace({
    traceEvents: [{ name: 'GET /x', cat: 'http.server', ph: 'X', ts: 0, dur: 42_000, pid: 1, tid: 0, args: { method: 'GET', url: '/x', status: 503 } }],
    window: { startTs: 0, endTs: 100_000 },
  });
  assert.deepEqual(s.slowestRequests.map((r) => [r.durationMs, r.status]), [[42, 503]]);
});

test('recorded request headers come with the request; anything but strings is left out', () => {
  const s = summarizeTrace({
    traceEvents: [
      { name: 'GET /x', cat: 'http.server', ph: 'b', ts: 0, pid: 1, tid: 0, id: 1, args: { method: 'GET', url: '/x', headers: { 'x-request-id': 'req-7', odd: 3 } } },
      { name: 'GET /x', cat: 'http.server', ph: 'e', ts: 9_000, pid: 1, tid: 0, id: 1, args: { status: 200 } },
      { name: 'GET /y', cat: 'http.server', ph: 'X', ts: 0, dur: 1_000, pid: 1, tid: 0, args: { method: 'GET', url: '/y', headers: 'not an object' } },
    ],
    window: { startTs: 0, endTs: 100_000 },
  });
  assert.deepEqual(s.slowestRequests.map((r) => [r.url, r.headers]), [['/x', { 'x-request-id': 'req-7' }], ['/y', undefined]]);
});

test('what each listed request\'s thread did while it was open: loop blocked (and where), GC, outgoing requests', () => {
  const s = summarizeTrace(load());
  assert.deepEqual(s.slowestRequests[0]!.during, { blockedMs: 300, blocks: 1, gcMs: 0, collections: 0, outgoingMs: 0, outgoing: 0 }, '/slow: its loop blocked nearly all of it');
  assert.deepEqual(s.slowestRequests[1]!.during, { blockedMs: 0, blocks: 0, gcMs: 0, collections: 0, outgoingMs: 0, outgoing: 0 }, '/pending waited');
  // The block's probed frames name where (the program's frame, not the builtin on top); a GC
  // pause and an outgoing request inside /slow count too, a block on another thread does not.
  const snapshot = validSnapshot();
  const block = snapshot.traceEvents.find((e) => e.cat === 'eventloop')!;
  block.args = { thresholdMs: 50, framesAtMs: 60, frames: [{ functionName: 'push', url: '', lineNumber: 0, columnNumber: 0 }, { functionName: 'busyWait', url: '/srv/server.js', lineNumber: 10, columnNumber: 3 }] };
  snapshot.traceEvents.push(
    { name: 'GC (minor)', cat: 'gc', ph: 'X', ts: 1_100_000, dur: 2_000, pid: 4242, tid: 0, args: { kind: 'minor' } },
    { name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: 1_020_000, dur: 90_000, pid: 4242, tid: 7, args: { thresholdMs: 50 } },
    { name: 'GET http://db/q', cat: 'http.client', ph: 'X', ts: 1_200_000, dur: 50_000, pid: 4242, tid: 0, args: { method: 'GET', url: 'http://db/q' } },
  );
  const parsed = parseTraceText(serializeSnapshot(snapshot), 'x.nodetrace.json');
  assert.ok(!('error' in parsed));
  const slow = summarizeTrace(parsed.trace).slowestRequests.find((r) => r.url === '/slow')!;
  assert.deepEqual(slow.during, {
    blockedMs: 300, blocks: 1, gcMs: 2, collections: 1, outgoingMs: 50, outgoing: 1,
    where: { functionName: 'busyWait', url: '/srv/server.js', lineNumber: 10, columnNumber: 3 },
  });
});
