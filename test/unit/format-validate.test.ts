import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSnapshot, type Violation } from '../../src/format/validate';
import { clone, validSnapshot } from './format-fixtures';

const brief = (violations: Violation[]) => violations.map((v) => `${v.index}:${v.path}`);

test('the fixture snapshot is valid in strict and auto modes', () => {
  assert.deepEqual(validateSnapshot(validSnapshot()), []);
  assert.deepEqual(validateSnapshot(validSnapshot(), { mode: 'strict' }), []);
});

test('every broken event is reported, each with its index', () => {
  const snapshot = clone(validSnapshot()) as unknown as { traceEvents: Record<string, unknown>[] };
  const e = snapshot.traceEvents;
  e[2]!.ph = 'Q'; // unknown phase
  e[5]!.dur = -1; // X with negative dur
  e[9]!.ts = 'soon'; // ts not a number
  e[10]!.pid = 1.5; // pid not an integer
  e[12]!.args = { heapUsedMB: 'lots' }; // counter with a non-numeric series
  e[13]!.s = 'x'; // bad instant scope
  const violations = validateSnapshot(snapshot);
  assert.deepEqual(brief(violations), ['2:ph', '3:id', '5:dur', '9:ts', '10:pid', '12:args.heapUsedMB', '13:s']);
  // Index 3 is the end of the span whose begin (index 2) is no longer a begin.
  assert.match(violations[1]!.message, /async end without a begin/);
  assert.match(violations[0]!.message, /unknown phase "Q"/);
});

test('unmatched ends are violations; unmatched begins are in-flight spans and fine', () => {
  const snapshot = validSnapshot();
  // Index 14 (GET /pending) has no end already; it is valid.
  assert.deepEqual(validateSnapshot(snapshot), []);
  snapshot.traceEvents.push({ name: 'x', cat: 'http.client', ph: 'e', id: 99, ts: 1_960_000, pid: 4242, tid: 0 });
  snapshot.traceEvents.push({ name: 'x', cat: 'user', ph: 'E', ts: 1_960_000, pid: 4242, tid: 0 });
  assert.deepEqual(brief(validateSnapshot(snapshot)), ['18:id', '19:ph']);
});

test('async ids pair per category and pid; an end closes only its own begin', () => {
  const snapshot = validSnapshot();
  // Same id 1, but http.client: that category has no open span with id 1.
  snapshot.traceEvents.push({ name: 'x', cat: 'http.client', ph: 'e', id: 1, ts: 1_960_000, pid: 4242, tid: 0 });
  // Async event without an id.
  snapshot.traceEvents.push({ name: 'x', cat: 'http.client', ph: 'b', ts: 1_960_000, pid: 4242, tid: 0 });
  assert.deepEqual(brief(validateSnapshot(snapshot)), ['18:id', '19:id']);
});

test('metadata: missing and mistyped fields are file-level violations', () => {
  const snapshot = clone(validSnapshot()) as unknown as { metadata: Record<string, unknown> };
  delete snapshot.metadata.pid;
  snapshot.metadata.argv = 'node server.js';
  snapshot.metadata.trigger = { reason: 7, source: 'control', ts: 1_950_000 };
  snapshot.metadata.droppedEvents = -1;
  const violations = validateSnapshot(snapshot);
  assert.deepEqual(violations.map((v) => v.path), ['metadata.pid', 'metadata.argv', 'metadata.droppedEvents', 'metadata.trigger.reason']);
  assert.ok(violations.every((v) => v.index === null));
});

test('a newer format version is named as such', () => {
  const snapshot = clone(validSnapshot()) as unknown as { metadata: Record<string, unknown> };
  snapshot.metadata.version = 2;
  const [violation] = validateSnapshot(snapshot);
  assert.match(violation!.message, /version 2 is newer than this reader/);
});

test('events outside the window, and a trigger outside it, are violations', () => {
  const snapshot = validSnapshot();
  snapshot.traceEvents.push({ name: 'early', cat: 'user', ph: 'i', ts: 999_000, pid: 4242, tid: 0 });
  snapshot.traceEvents.push({ name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: 1_990_000, dur: 20_000, pid: 4242, tid: 0 });
  snapshot.metadata.trigger.ts = 3_000_000;
  const violations = validateSnapshot(snapshot);
  assert.deepEqual(brief(violations), ['null:metadata.trigger.ts', '18:ts', '19:dur']);
  assert.match(violations[2]!.message, /after the window's end/);
});

test('strict mode knows the categories; lenient mode accepts any', () => {
  const snapshot = validSnapshot();
  snapshot.traceEvents.push({ name: 'x', cat: 'v8.execute', ph: 'X', ts: 1_500_000, dur: 1, pid: 4242, tid: 0 });
  assert.deepEqual(brief(validateSnapshot(snapshot)), ['18:cat']);
  assert.deepEqual(validateSnapshot(snapshot, { mode: 'lenient' }), []);
});

test('Profile and ProfileChunk shapes: unknown sample nodes, length mismatch, chunk without header', () => {
  type Chunk = { id: string; args: { data: { cpuProfile: { samples: number[] } } } };
  const snapshot = clone(validSnapshot()) as unknown as { traceEvents: Chunk[] };
  snapshot.traceEvents[16]!.args.data.cpuProfile.samples.push(77);
  const violations = validateSnapshot(snapshot);
  assert.deepEqual(brief(violations), ['16:args.data.cpuProfile.samples[5]', '16:args.data.timeDeltas']);
  const orphan = clone(validSnapshot()) as unknown as { traceEvents: Chunk[] };
  orphan.traceEvents[16]!.id = '0x2';
  assert.deepEqual(brief(validateSnapshot(orphan)), ['16:id']);
  assert.match(validateSnapshot(orphan)[0]!.message, /has no Profile event/);
});

test('plain Chrome traces validate leniently: array form and object form without our metadata', () => {
  const events = [
    { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'main' } },
    { name: 'V8.Execute', cat: 'v8', ph: 'X', ts: 10, dur: 5, pid: 1, tid: 1 },
    { name: 'node', cat: 'node', ph: 'B', ts: 11, pid: 1, tid: 1 },
    { name: 'node', cat: 'node', ph: 'E', ts: 12, pid: 1, tid: 1 },
  ];
  assert.deepEqual(validateSnapshot(events), []);
  assert.deepEqual(validateSnapshot({ traceEvents: events, otherData: {} }), []);
  // Still the basic rules: a complete event needs a duration.
  assert.deepEqual(brief(validateSnapshot([{ name: 'x', ph: 'X', ts: 1, pid: 1, tid: 1 }])), ['0:dur']);
});

test('non-trace values give one file-level violation and never throw', () => {
  for (const value of [null, 42, 'x', {}, { traceEvents: 'no' }, [1, 2], undefined]) {
    const violations = validateSnapshot(value);
    assert.ok(Array.isArray(violations));
  }
  assert.deepEqual(brief(validateSnapshot(null)), ['null:']);
  assert.deepEqual(brief(validateSnapshot([1, null])), ['0:', '1:']);
});

test('maxViolations bounds the list', () => {
  const events = Array.from({ length: 1000 }, () => ({ ph: 'Z' }));
  assert.equal(validateSnapshot(events, { maxViolations: 10 }).length, 10);
  assert.equal(validateSnapshot(events).length, 1000);
});
