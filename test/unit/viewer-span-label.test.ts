import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { TraceEvent } from '../../src/format/trace-event';
import { ArrayEventFields } from '../../src/viewer/model/event-fields';
import { SpanLabels } from '../../src/viewer/model/span-label';

const block = (frames?: unknown[]): TraceEvent => ({ name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: 0, dur: 300_000, pid: 1, tid: 0, args: frames ? { thresholdMs: 50, frames } : { thresholdMs: 50 } });

test('a probed loop block is labelled with where the thread was: the program\'s function, or its file and line', () => {
  const events: TraceEvent[] = [
    block([
      { functionName: 'push', url: '', lineNumber: 0, columnNumber: 0 },
      { functionName: 'busyWaitMs', url: 'file:///srv/app/server.js', lineNumber: 11, columnNumber: 3 },
    ]),
    block([{ functionName: '', url: 'file:///srv/app/server.js', lineNumber: 41, columnNumber: 9 }]),
    block(),
    { name: 'GET /report', cat: 'http.server', ph: 'X', ts: 0, dur: 1, pid: 1, tid: 0, args: { frames: [{ functionName: 'f', url: '/a.js', lineNumber: 1, columnNumber: 1 }] } },
    block([{ functionName: '<img src=x onerror=alert(1)>', url: '/a.js', lineNumber: 2, columnNumber: 1 }]),
  ];
  const labels = new SpanLabels(new ArrayEventFields(events));
  assert.equal(labels.label(0), 'Blocked in busyWaitMs', 'the builtin on top is passed over');
  assert.equal(labels.label(1), 'Blocked at server.js:41');
  assert.equal(labels.label(2), 'Event loop blocked', 'not probed: its name');
  assert.equal(labels.label(3), 'GET /report', 'other spans: their name');
  assert.equal(labels.label(4), 'Blocked in <img src=x onerror=alert(1)>', 'text as it is (drawn on the canvas, never markup)');
  events[0]!.args = {};
  assert.equal(labels.label(0), 'Blocked in busyWaitMs', 'worked out once');
});
