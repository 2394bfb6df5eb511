import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring, forEachRecord, copyLiveRing, computeLayout, MIN_RING_BYTES, RECORD_BYTES, HEADER_BYTES } from '../../src/recorder/ring/index';
import type { RecordView } from '../../src/recorder/contracts';

function snapshotOf(ring: Ring): RecordView[] {
  const copy = new Uint8Array(ring.layout.totalBytes);
  ring.copyWindow(copy);
  const out: RecordView[] = [];
  forEachRecord(copy, ({ string: _resolver, ...fields }) => out.push(fields));
  return out;
}

test('layout fits exactly in maxBytes', () => {
  for (const maxBytes of [MIN_RING_BYTES, 100_000, 1 << 20, 10 * 1024 * 1024 + 13]) {
    const layout = computeLayout(maxBytes);
    assert.equal(layout.totalBytes, Math.floor(maxBytes));
    assert.ok(layout.stringsOffset + layout.stringWords * 4 <= maxBytes);
    assert.equal(layout.stringsOffset, HEADER_BYTES + layout.recordCapacity * RECORD_BYTES);
    assert.equal(new Ring(maxBytes).buffer.byteLength, Math.floor(maxBytes));
  }
  assert.throws(() => computeLayout(1000), RangeError);
});

test('records come back oldest first with their strings', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const name = ring.intern('GET /hello');
  ring.write(7, 100, 5, 1, 200, 0, name, 0);
  ring.write(8, 200, 0, 2, 0.5, -1, 0, ring.intern('héllo wörld'));
  const records = snapshotOf(ring);
  assert.deepEqual(records, [
    { kind: 7, tsUs: 100, durUs: 5, id: 1, a: 200, b: 0, s1: 'GET /hello', s2: undefined },
    { kind: 8, tsUs: 200, durUs: 0, id: 2, a: 0.5, b: -1, s1: undefined, s2: 'héllo wörld' },
  ]);
  assert.equal(ring.droppedEvents, 0);
});

test('an open record is completed in place while the ring holds it, and refused once overwritten', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const capacity = ring.layout.recordCapacity;
  const url = ring.appendString('/orders/7');
  const open = ring.writeOpen(32, 100, 0, 5, 1, 0, 0, url);
  ring.write(40, 150, 0, 0, 1, 2, 0, 0);
  assert.equal(ring.complete(open, 55, 250, 4096 * url + 200), true);
  const records = snapshotOf(ring);
  assert.deepEqual(records[0], { kind: 55, tsUs: 100, durUs: 250, id: 5, a: 1, b: 4096 * url + 200, s1: undefined, s2: '/orders/7' });
  assert.equal(records.length, 2, 'completing writes no record');
  const copy = new Uint8Array(ring.layout.totalBytes);
  ring.copyWindow(copy);
  let routeSeen: string | undefined;
  forEachRecord(copy, (record) => {
    if (record.kind === 55) routeSeen = record.string?.(Math.floor(record.b / 4096));
  });
  assert.equal(routeSeen, '/orders/7', 'any string id of the ring resolves through the view');

  const old = ring.writeOpen(32, 300, 0, 6, 1, 0, 0, 0);
  for (let i = 0; i < capacity - 1; i++) ring.write(40, 400 + i, 0, 0, 0, 0, 0, 0);
  assert.equal(ring.complete(old, 55, 10, 200), true, 'the oldest record is still there');
  ring.write(40, 1, 0, 0, 0, 0, 0, 0);
  assert.equal(ring.complete(old, 55, 10, 200), false, 'overwritten: the caller writes its own record');
  assert.equal(ring.complete(ring.writeOpen(32, 1, 0, 7, 1, 0, 0, 0) + 1, 55, 1, 1), false, 'a sequence not written yet');
});

test('wrap-around keeps the newest capacity records, in order, and counts the dropped', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const capacity = ring.layout.recordCapacity;
  const total = capacity * 3 + 17;
  for (let i = 0; i < total; i++) ring.write(9, i, 0, i, 0, 0, 0, 0);
  const records = snapshotOf(ring);
  assert.equal(records.length, capacity);
  assert.equal(records[0]?.tsUs, total - capacity);
  assert.equal(records.at(-1)?.tsUs, total - 1);
  for (let i = 1; i < records.length; i++) assert.equal(records[i]!.tsUs, records[i - 1]!.tsUs + 1);
  assert.equal(ring.droppedEvents, total - capacity);
});

test('an event storm never grows the ring beyond maxBytes', () => {
  const maxBytes = 256 * 1024;
  const ring = new Ring(maxBytes);
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 200_000; i++) {
    const s = ring.intern(`route-${i % 5000}-${'x'.repeat(i % 200)}`);
    ring.write(10, i, 1, i, i, i, s, s);
  }
  assert.equal(ring.buffer.byteLength, maxBytes);
  assert.ok(ring.usedBytes <= maxBytes);
  // No array buffers appear per write (allow slack for the test runner itself).
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024);
  const records = snapshotOf(ring);
  assert.equal(records.length, ring.layout.recordCapacity);
  // Strings of the newest records are still resolvable and correct.
  const last = records.at(-1)!;
  assert.equal(last.s1, `route-${199_999 % 5000}-${'x'.repeat(199_999 % 200)}`);
});

test('string table wrap: overwritten ids resolve to undefined, never to another string', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const old = ring.intern('the-old-string');
  ring.write(11, 0, 0, 0, 0, 0, old, 0);
  // Fill the string table several times over without writing many records.
  for (let i = 0; i < 20_000; i++) ring.intern(`filler-${i}-${'y'.repeat(40)}`);
  const fresh = ring.intern('fresh');
  ring.write(11, 1, 0, 0, 0, 0, fresh, 0);
  const records = snapshotOf(ring);
  assert.equal(records.length, 2);
  assert.equal(records[0]!.s1, undefined);
  assert.equal(records[1]!.s1, 'fresh');
});

test('intern reuses live ids and bounds long strings', () => {
  const ring = new Ring(MIN_RING_BYTES);
  assert.equal(ring.intern('same'), ring.intern('same'));
  const long = ring.intern('z'.repeat(10_000));
  ring.write(12, 0, 0, 0, 0, 0, long, 0);
  const [record] = snapshotOf(ring);
  assert.equal(record!.s1!.length, 1024);
});

test('copyLiveRing blanks records written during the copy (simulated)', () => {
  const ring = new Ring(MIN_RING_BYTES);
  for (let i = 0; i < 10; i++) ring.write(13, i, 0, 0, 0, 0, 0, 0);
  const copy = new Uint8Array(ring.layout.totalBytes);
  copyLiveRing(ring.buffer, copy);
  const out: number[] = [];
  forEachRecord(copy, (r) => out.push(r.tsUs));
  assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('strings come back as written whatever their length and wherever a non-ASCII character falls', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const texts: string[] = [];
  for (let length = 0; length <= 13; length++) {
    const ascii = Array.from({ length }, (_, i) => String.fromCharCode(0x21 + ((i * 7 + length) % 0x5e))).join('');
    texts.push(ascii);
    // One character outside ASCII (two, three and four UTF-8 bytes) at each position.
    for (let at = 0; at < length; at++) for (const other of ['é', '€', '😀']) texts.push(ascii.slice(0, at) + other + ascii.slice(at + 1));
  }
  texts.push('/api/users/4711?token=abc', '\u007f\u0000\u0080', 'a'.repeat(1023) + '€');
  const expected = texts.map((text) => {
    const bytes = new TextEncoder().encode(text);
    // Cut at 1024 bytes, at a character boundary.
    let cut = Math.min(bytes.length, 1024);
    while (cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80) cut--;
    return new TextDecoder().decode(bytes.subarray(0, cut));
  });
  const ids = texts.map((text) => ring.appendString(text));
  ids.forEach((id, i) => ring.write(13, i, 0, 0, 0, 0, id, 0));
  assert.deepEqual(snapshotOf(ring).map((record) => record.s1 ?? ''), expected);
});
