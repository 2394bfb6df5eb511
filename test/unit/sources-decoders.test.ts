import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { validateSnapshot } from '../../src/format/validate';
import type { TraceEvent } from '../../src/format/trace-event';
import { Kind, SPAN_ABORTED, SPAN_ROUTE_UNIT } from '../../src/recorder/sources/kinds';
import { profileEvents, profileWindowEvents, type V8Profile } from '../../src/recorder/sources/profile-events';
import { FakeRing } from './sources-fake-ring';

function snapshotOf(events: TraceEvent[], startTs: number, endTs: number) {
  return {
    traceEvents: events,
    metadata: {
      format: 'node-flight-recorder', version: 1, pid: 1, programName: 't', argv: [], nodeVersion: 'v20', platform: 'linux',
      trigger: { reason: 'test', source: 'api', ts: endTs }, window: { startTs, endTs }, droppedEvents: 0,
    },
  };
}

test('an end whose begin left the ring gets a synthesised begin at its start, inside the window', () => {
  const ring = new FakeRing();
  const url = ring.intern('/old?x=***');
  // Only the end record survived: the span ran from 1000 to 5000.
  ring.write(Kind.httpServerEnd, 1000, 4000, 9, 200, 1, url, 0);
  // A complete span: begin and end both present.
  ring.write(Kind.httpServerBegin, 2000, 0, 10, 1, 0, ring.intern('GET'), ring.intern('/new'));
  ring.write(Kind.httpServerEnd, 2000, 500, 10, 201, 1, ring.intern('/new'), ring.intern('/new'));
  // Still in flight at snapshot time.
  ring.write(Kind.httpServerBegin, 3000, 0, 11, 2, 0, ring.intern('POST'), ring.intern('/pending'));
  const events = ring.decode();
  assert.deepEqual(events.map((e) => [e.ph, e.name, e.ts]), [
    ['b', 'GET /old', 1000], ['e', 'GET /old', 5000],
    ['b', 'GET /new', 2000], ['e', 'GET /new', 2500],
    ['b', 'POST /pending', 3000],
  ]);
  assert.equal(events[0]?.args?.startedBeforeWindow, true);
  assert.equal(events[3]?.args?.status, 201);
  assert.deepEqual(validateSnapshot(snapshotOf(events, 1000, 5000)), []);
});

test('a server span completed in place decodes as a begin and an end; one caught half-completed as still open', () => {
  const ring = new FakeRing();
  const route = ring.intern('/users/:id');
  const done = ring.writeOpen(Kind.httpServerBegin, 1000, 0, 20, 1, 0, 0, ring.intern('/users/7?token=***'));
  assert.equal(ring.complete(done, Kind.httpServerSpan, 750, route * SPAN_ROUTE_UNIT + 404), true);
  const aborted = ring.writeOpen(Kind.httpServerBegin, 2000, 0, 21, 0, 0, ring.intern('PROPFIND'), ring.intern('/dav'));
  ring.complete(aborted, Kind.httpServerSpan, 30, SPAN_ABORTED);
  // A concurrent copy saw the new kind before dur and b: still in flight, never a 0-length span.
  ring.write(Kind.httpServerSpan, 3000, 0, 22, 2, 0, 0, ring.intern('/torn'));
  const events = ring.decode();
  assert.deepEqual(events.map((e) => [e.ph, e.name, e.ts, e.id]), [
    ['b', 'GET /users/7', 1000, 20], ['e', 'GET /users/7', 1750, 20],
    ['b', 'PROPFIND /dav', 2000, 21], ['e', 'PROPFIND /dav', 2030, 21],
    ['b', 'POST /torn', 3000, 22],
  ]);
  assert.deepEqual(events[0]?.args, { method: 'GET', url: '/users/7?token=***' });
  assert.deepEqual(events[1]?.args, { status: 404, route: '/users/:id' });
  assert.deepEqual(events[3]?.args, { aborted: true });
  assert.deepEqual(validateSnapshot(snapshotOf(events, 1000, 3000)), []);
});

test('memory counters unpack four numbers from one record', () => {
  const ring = new FakeRing();
  ring.write(Kind.memory, 10, 0, 200 * 1024, 50 * 1024 * 1024, 80 * 1024 * 2 ** 26 + 3 * 1024, 0, 0);
  assert.deepEqual(ring.decode()[0]?.args, { heapUsedMB: 50, heapTotalMB: 80, rssMB: 200, externalMB: 3 });
});

test('a CPU profile window is cut to the snapshot range, with only the nodes its samples reach', () => {
  const frame = (functionName: string) => ({ functionName, scriptId: '1', url: 'file:///a.js', lineNumber: 0, columnNumber: 0 });
  const profile: V8Profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3] },
      { id: 2, callFrame: frame('main'), children: [4] },
      { id: 3, callFrame: frame('unused'), children: [] },
      { id: 4, callFrame: frame('hotLoop'), children: [], positionTicks: [{ line: 12, ticks: 3 }] },
    ],
    startTime: 1000,
    endTime: 1600,
    samples: [2, 4, 4, 4, 2, 3],
    timeDeltas: [100, 100, 100, 100, 100, 100],
  };
  const events = profileEvents(profile, '0x1', 1150, 1450, 7, 0);
  assert.equal(events.length, 2);
  assert.equal(events[0]?.ts, 1150);
  assert.deepEqual(events[0]?.args, { data: { startTime: 1150 } });
  const data = events[1]?.args?.data as { cpuProfile: { nodes: { id: number; parent?: number }[]; samples: number[] }; timeDeltas: number[] };
  assert.deepEqual(data.cpuProfile.samples, [4, 4, 4]);
  assert.deepEqual(data.timeDeltas, [50, 100, 100]);
  assert.deepEqual(data.cpuProfile.nodes.map((n) => [n.id, n.parent]), [[1, undefined], [2, 1], [4, 2]]);
  // The hot line inside a function survives (the editor's inline hints use it).
  assert.deepEqual((data.cpuProfile.nodes as { id: number; positionTicks?: unknown }[]).find((n) => n.id === 4)?.positionTicks, [{ line: 12, ticks: 3 }]);
  assert.deepEqual(profileEvents(profile, '0x1', 5000, 6000, 7, 0), []);
  assert.deepEqual(validateSnapshot(snapshotOf(events, 1150, 1450)), []);

  // As the main thread hands windows to the snapshot's writer: JSON text, each numbered; the
  // same events, ids made from the pid and the window's number; text that does not read as a
  // profile is left out, not the snapshot.
  const fromText = profileWindowEvents({ startUs: 1150, endUs: 1450, tid: 0, windows: [{ serial: 1, json: JSON.stringify(profile) }, { serial: 2, json: '{"nodes":[{"id":1' }, { serial: 3, json: '[]' }] }, 0);
  assert.deepEqual(fromText, profileEvents(profile, '0x1', 1150, 1450, 0, 0));
  assert.equal(profileWindowEvents({ startUs: 1150, endUs: 1450, tid: 2, windows: [{ serial: 5, json: JSON.stringify(profile) }] }, 7)[0]?.id, `0x${(7 * 1000 + 5).toString(16)}`);
});

test('a gc record carries V8\'s heap before and after when traced, and reads as before without them', () => {
  const ring = new FakeRing();
  // Traced: minor (1) + 8 × 2048 KiB before; 1024 KiB after.
  ring.write(Kind.gc, 1000, 250, 1024, 1 + 8 * 2048, 0, 0, 0);
  // From the observer: major (2), V8 flags 4, no heap sizes.
  ring.write(Kind.gc, 2000, 900, 0, 2, 4, 0, 0);
  assert.deepEqual(ring.decode().map((e) => [e.name, e.args]), [
    ['GC (minor)', { kind: 'minor', heapBeforeMB: 2, heapAfterMB: 1 }],
    ['GC (major)', { kind: 'major', flags: 4 }],
  ]);
});
