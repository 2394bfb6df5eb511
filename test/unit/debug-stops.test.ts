// Which stops capture, what is evaluated in the paused program, and what a stop's snapshot says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capturesAtStop, captureExpression, parseMode, parseProbe, PROBE_EXPRESSION, stopLocation } from '../../src/extension/debug/stops';
import { currentRequest, stopContext, stopLabel } from '../../src/extension/debug/stop-context';
import { isSnapshotPointMessage, snapshotPointLocation, snapshotPointMessage } from '../../src/extension/debug/snapshot-point-text';
import { loadRecorderExpression } from '../../src/extension/debug/attach-expression';
import type { TraceEvent } from '../../src/format/trace-event';

test('breakpoints capture, steps and pauses do not; the mode decides', () => {
  for (const reason of ['breakpoint', 'function breakpoint', 'exception']) assert.equal(capturesAtStop(reason, 'always'), true, reason);
  for (const reason of ['step', 'pause', 'entry', 'goto', undefined]) assert.equal(capturesAtStop(reason, 'always'), false, String(reason));
  assert.equal(capturesAtStop('breakpoint', 'snapshotPoints'), false);
  assert.equal(capturesAtStop('breakpoint', 'off'), false);
  assert.equal(parseMode('snapshotPoints'), 'snapshotPoints');
  assert.equal(parseMode(42), 'always');
});

test('the probe runs in a program and its DAP display text parses back', () => {
  const key = Symbol.for('node-flight-recorder.snapshotPoint');
  const holder = globalThis as unknown as Record<symbol, unknown>;
  const without = eval(PROBE_EXPRESSION) as string;
  assert.deepEqual(parseProbe(JSON.stringify(without)), { pid: process.pid, recorder: false, main: true });
  holder[key] = (location: string, source: string) => `${source} at ${location}`;
  try {
    const withHook = eval(PROBE_EXPRESSION) as string;
    assert.deepEqual(parseProbe(`'${withHook}'`), { pid: process.pid, recorder: true, main: true });
    assert.deepEqual(parseProbe(withHook), { pid: process.pid, recorder: true, main: true });
    assert.equal(parseProbe('{"pid":3,"recorder":false,"main":false}')?.main, false);
    assert.equal(eval(captureExpression('/a/b.js:3')), 'breakpoint at /a/b.js:3');
  } finally {
    delete holder[key];
  }
  assert.equal(parseProbe('undefined'), undefined);
  assert.equal(parseProbe(undefined), undefined);
});

test('stop locations read as file:line', () => {
  assert.equal(stopLocation('/w/server.js', 'server.js', 12), '/w/server.js:12');
  assert.equal(stopLocation('file:///w/a%20b.mjs', undefined, 3), '/w/a b.mjs:3');
  assert.equal(stopLocation('vscode-remote://127.0.0.1:4000/w/server.js', 'server.js', 16), '/w/server.js:16');
  assert.equal(stopLocation(undefined, 'eval-1', 1), 'eval-1:1');
});

test('the current request is the open server span that began last', () => {
  const ev = (ph: 'b' | 'e', id: number, ts: number, name = `GET /${id}`): TraceEvent => ({ name, cat: 'http.server', ph, ts, id, pid: 1, tid: 0 });
  const events = [ev('b', 1, 100), ev('e', 1, 200), ev('b', 2, 300), ev('b', 3, 400), ev('e', 3, 900), ev('b', 4, 1200)];
  assert.deepEqual(currentRequest(events, 500), { name: 'GET /3', beganTs: 400, id: 3 });
  assert.equal(currentRequest(events, 250), undefined);
  assert.equal(currentRequest(events, 1000)?.name, 'GET /2');
  const ctx = stopContext({ traceEvents: events, metadata: { trigger: { ts: 500, reason: 'breakpoint', source: 'breakpoint' }, window: { startTs: 0, endTs: 600 } } as never });
  assert.equal(ctx.ts, 500);
  assert.equal(stopLabel('/w/server.js:12', ctx), 'Stopped at server.js:12 · in GET /3');
  assert.equal(stopLabel('/w/server.js:12', { ts: 1 }), 'Stopped at server.js:12');
});

test('snapshot point logpoints: recognisable, carry their location, call the hook', () => {
  const message = snapshotPointMessage('/w/a "q".js:7');
  assert.ok(/^[\x20-\x7e]*$/.test(snapshotPointMessage('/w/ünï 📷.js:3')), 'ASCII only, whatever the path');
  assert.equal(snapshotPointLocation(snapshotPointMessage('/w/ünï 📷.js:3')), '/w/ünï 📷.js:3');
  assert.ok(isSnapshotPointMessage(message));
  assert.ok(!isSnapshotPointMessage('x = {x}'));
  assert.ok(!isSnapshotPointMessage(undefined));
  assert.equal(snapshotPointLocation(message), '/w/a "q".js:7');
  // The interpolated part is a valid expression that calls the hook and answers with its text.
  const expression = message.slice(message.indexOf('{') + 1, message.lastIndexOf('}'));
  assert.equal(eval(expression), 'recorder not loaded: debug with "flightRecorder": true');
  const key = Symbol.for('node-flight-recorder.snapshotPoint');
  (globalThis as unknown as Record<symbol, unknown>)[key] = (location: string, source: string) => `${source}@${location}`;
  try {
    assert.equal(eval(expression), 'snapshotPoint@/w/a "q".js:7');
  } finally {
    delete (globalThis as unknown as Record<symbol, unknown>)[key];
  }
});

test('the attach loader never throws and reports what happened', () => {
  const expression = loadRecorderExpression('/nonexistent/recorder.js', { maxBytes: 1 });
  const saved = process.env.FLIGHT_RECORDER;
  try {
    const answer = eval(expression) as string;
    assert.match(answer, /^cannot load: /);
    assert.equal(process.env.FLIGHT_RECORDER, '{"maxBytes":1}');
  } finally {
    if (saved === undefined) delete process.env.FLIGHT_RECORDER;
    else process.env.FLIGHT_RECORDER = saved;
  }
});
