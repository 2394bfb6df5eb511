// Memory made resident ahead of use (src/format/memory-arena.ts): the arena's arrays are zeroed,
// aligned views of its buffer while it lasts and new arrays after; the prefaulter makes pages of
// shared memory resident (read off the process's RSS) up to the share its limit allows, waits
// there, never changes a byte another thread wrote, works a slice at a time and stops when
// asked; and the span layout it serves is the same with an arena, a too-small one or none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutSpans, type SpanLayoutInput } from '../../src/format/event-summary-spans';
import { MemoryArena, PAGE_BYTES, prefaultShared } from '../../src/format/memory-arena';
import { EventSummaryBuilder } from '../../src/format/event-summary-builder';
import { EVENT_COUNT_AT } from '../../src/format/event-summary';
import { serializeSnapshot } from '../../src/format/write';
import { makeLargeSnapshot } from '../browser/fixture-trace';

test('an arena hands out zeroed, aligned views of its buffer, then new arrays once it is used up', () => {
  const buffer = new ArrayBuffer(64);
  const arena = new MemoryArena(buffer);
  const bytes = arena.uint8(3);
  const doubles = arena.float64(2);
  assert.equal(bytes.buffer, buffer);
  assert.equal(doubles.buffer, buffer);
  assert.equal(doubles.byteOffset, 8, 'a float64 view starts on an 8-byte boundary');
  assert.equal(arena.usedBytes, 24);
  const ints = arena.int32(10);
  assert.equal(ints.buffer, buffer);
  assert.equal(ints.byteOffset, 24);
  assert.deepEqual([...ints], new Array(10).fill(0));
  const beyond = arena.int32(100);
  assert.notEqual(beyond.buffer, buffer, 'what does not fit is a new array');
  assert.equal(beyond.length, 100);
  assert.equal(arena.usedBytes, 64);
  const none = new MemoryArena(undefined).float64(4);
  assert.equal(none.length, 4);
});

function residentBytes(): number {
  return process.memoryUsage().rss;
}

test('prefaultShared makes the pages resident just ahead of the writer, without changing what is written', async () => {
  const pageCount = 8192; // 32 MiB
  const buffers = [new SharedArrayBuffer(pageCount * PAGE_BYTES), new SharedArrayBuffer((pageCount / 4) * PAGE_BYTES), new SharedArrayBuffer(pageCount * PAGE_BYTES)];
  const totalBytes = (pageCount * 2 + pageCount / 4) * PAGE_BYTES;
  // Written before and between slices, as the build's thread would.
  const written = new Float64Array(buffers[0]!);
  written[0] = 1.5;
  written[written.length - 1] = -2;
  let share = 0.5;
  let slices = 0;
  let waits = 0;
  const before = residentBytes();
  let halfwayBytes = 0;
  await new Promise<void>((done) => {
    prefaultShared(buffers, {
      limit: () => share,
      sliceMs: 1,
      yieldThen: (next) => {
        slices++;
        written[slices * 1000] = slices;
        setImmediate(next);
      },
      waitThen: (next) => {
        // The writer's share reached: wait for it to move on.
        waits++;
        halfwayBytes = residentBytes() - before;
        share = 1;
        new Uint8Array(buffers[2]!)[PAGE_BYTES * 10 + 3] = 7;
        setImmediate(next);
      },
      onDone: done,
    });
  });
  const grownBytes = residentBytes() - before;
  assert.ok(slices > 1, `it yielded between slices (${slices})`);
  assert.equal(waits, 1, 'it waited once, at the limit');
  // About half: resident memory also moves with the test's own heap (V8 gives pages back after
  // a collection; 0.44 was seen on a loaded machine), so the bounds leave room for that.
  assert.ok(halfwayBytes > totalBytes * 0.35 && halfwayBytes < totalBytes * 0.6, `at a limit of half, ${halfwayBytes} of ${totalBytes} bytes resident`);
  assert.ok(grownBytes > totalBytes * 0.9, `resident memory grew by ${grownBytes} bytes for ${totalBytes} touched`);
  assert.equal(written[0], 1.5);
  assert.equal(written[written.length - 1], -2);
  for (let s = 1; s <= slices; s++) assert.equal(written[s * 1000], s, 'a value written between slices stays');
  assert.equal(new Uint8Array(buffers[2]!)[PAGE_BYTES * 10 + 3], 7);
});

test('prefaultShared stops when asked', () => {
  const buffer = new SharedArrayBuffer(64 * 1024 * 1024);
  let next: (() => void) | undefined;
  let done = false;
  const stop = prefaultShared([buffer], { yieldThen: (slice) => (next = slice), sliceMs: 0, onDone: () => (done = true) });
  assert.ok(next, 'a 64 MiB buffer takes more than one slice of 0 ms');
  stop();
  const pending = next;
  next = undefined;
  pending!();
  assert.equal(next, undefined, 'no slice after stop');
  assert.equal(done, false);
});

function layoutInput(): SpanLayoutInput {
  // Nested B/E on one thread, X spans, and overlapping async spans — several rows and a sort.
  const ph: number[] = [];
  const ts: number[] = [];
  const idNumber: number[] = [];
  const flags: number[] = [];
  const add = (phase: string, at: number, id?: number) => {
    ph.push(phase.charCodeAt(0));
    ts.push(at);
    flags.push(id === undefined ? 0 : 4);
    if (id !== undefined) idNumber.push(id);
  };
  for (let i = 0; i < 200; i++) {
    add('b', i * 10, i);
    add('B', i * 10 + 1);
    add('E', i * 10 + 3);
    if (i >= 3) add('e', i * 10 + 5, i - 3);
  }
  add('b', 5, 999); // out of order: the track is sorted
  return {
    eventCount: ph.length, ph, flags, thread: new Array(ph.length).fill(0), ts,
    cat: [], dur: [], idNumber, idString: [], strings: [''], idStrings: { get: () => '' },
    threads: [1, 1], full: new Map(), windowEndTs: 5000,
  };
}

test('the span layout is the same with an arena, one too small for it, and none', () => {
  const expected = layoutSpans(layoutInput());
  for (const bytes of [1 << 20, 256, 0]) {
    const laidOut = layoutSpans(layoutInput(), new MemoryArena(new SharedArrayBuffer(bytes)));
    assert.deepEqual(laidOut, expected, `arena of ${bytes} bytes`);
  }
  assert.ok(expected.groupRows[0]! > 1, 'overlapping spans need several rows');
});

test('a build says how far it is after each chunk: events read and KiB of the file', () => {
  const text = serializeSnapshot(makeLargeSnapshot(20_000));
  const bytes = new TextEncoder().encode(text);
  const builder = new EventSummaryBuilder(bytes.length);
  const ahead = builder.memoryAhead();
  assert.ok(ahead, 'Node has SharedArrayBuffer');
  assert.ok(ahead.buffers.length > 10, 'the columns and the layout arena');
  const chunk = 256 * 1024;
  let lastEvents = 0;
  for (let at = 0; at < bytes.length; at += chunk) {
    builder.feed(bytes.subarray(at, at + chunk));
    assert.equal(ahead.progress[1], Math.floor(Math.min(bytes.length, at + chunk) / 1024));
    assert.ok(ahead.progress[0]! >= lastEvents);
    lastEvents = ahead.progress[0]!;
  }
  const pieces = builder.finish();
  assert.ok(pieces);
  const eventCount = new DataView(pieces[0]!.buffer, pieces[0]!.byteOffset).getUint32(EVENT_COUNT_AT, true);
  assert.ok(lastEvents > 0 && lastEvents <= eventCount, `${lastEvents} of ${eventCount} events read before the end`);
});
