// A large file's event summary is built by two threads, each reading half of the file
// (EventSummaryBuilder's eventLinesFrom, takePart, appendPart; src/client/summary-parts.ts):
// the summary must be byte for byte the one a single builder makes, wherever the file is cut —
// and where the cut is not between two event lines, the first builder reads on by itself.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSummaryPartHere, cutPoint, PARALLEL_MIN_BYTES } from '../../src/client/summary-parts';
import { buildSummaryHere } from '../../src/client/trace-summary';
import { EventSummaryBuilder, type SummaryPart } from '../../src/format/event-summary-builder';
import { concatBytes } from '../../src/format/snapshot-lines';
import type { TraceEvent } from '../../src/format/trace-event';
import { serializeSnapshot } from '../../src/format/write';
import { makeLargeSnapshot, makeSnapshot } from '../browser/fixture-trace';
import { feedInChunks } from './summary-feed';

const encoder = new TextEncoder();
const NEWLINE = 0x0a;

function whole(bytes: Uint8Array, chunkBytes: number): Uint8Array | undefined {
  const builder = new EventSummaryBuilder(bytes.length);
  feedInChunks(builder, bytes, chunkBytes);
  const pieces = builder.finish();
  return pieces && concatBytes(pieces);
}

/** As two threads build it: the rest from `cutAt` by a builder of its own, posted (cloned) to the first. */
function inTwo(bytes: Uint8Array, cutAt: number, chunkBytes: number): { summary: Uint8Array | undefined; appended: boolean } {
  const rest = new EventSummaryBuilder(bytes.length - cutAt, cutAt);
  feedInChunks(rest, bytes.subarray(cutAt), chunkBytes);
  const part = rest.takePart();
  const first = new EventSummaryBuilder(bytes.length);
  feedInChunks(first, bytes.subarray(0, cutAt), chunkBytes);
  const appended = part !== undefined && first.appendPart(structuredClone(part) as SummaryPart);
  // What the host's first thread does otherwise: read the rest itself.
  if (!appended) feedInChunks(first, bytes.subarray(cutAt), chunkBytes);
  const pieces = first.finish();
  return { summary: pieces && concatBytes(pieces), appended };
}

/** Offsets just after each newline of `bytes`. */
function lineStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) starts.push(at + 1);
  return starts;
}

/** A snapshot with everything the columns treat apart: skipped lines, FULL events, string ids (non-ASCII too), more than 255 names. */
function mixedText(): string {
  const base = makeSnapshot({ windowSeconds: 1, requestsPerSecond: 40, seed: 7 });
  const extra: TraceEvent[] = [
    { name: 'bad dur', ph: 'X', ts: 3, dur: -1, pid: 1, tid: 0 },
    { name: 'array args', ph: 'X', ts: 3, dur: 1, pid: 1, tid: 0, args: [1] } as unknown as TraceEvent,
    { name: 'ünïcode id', cat: 'async', ph: 'b', ts: 5, pid: 1, tid: 0, id: 'añb' },
    { name: 'ünïcode id', cat: 'async', ph: 'e', ts: 9, pid: 1, tid: 0, id: 'añb' },
    { name: 'escaped "name"', cat: 'user', ph: 'X', ts: 6, dur: 2, pid: 1, tid: 7, args: { a: 'x\ny' } },
    { name: 'mark', cat: 'user', ph: 'i', ts: 7, pid: 1, tid: 0, s: 't' },
    { name: 'big id', cat: 'async', ph: 'b', ts: 8, pid: 2, tid: 3, id: 2 ** 40 },
    { name: 'big id', cat: 'async', ph: 'e', ts: 9, pid: 2, tid: 3, id: 2 ** 40 },
  ];
  // Names and threads beyond a byte's worth, so index columns widen in the second part only.
  for (let k = 0; k < 300; k++) extra.push({ name: `name ${k}`, cat: `cat ${k % 3}`, ph: 'X', ts: 10 + k, dur: 1, pid: 3, tid: k, id: `flow${k % 5}` });
  const events = [...base.traceEvents];
  // Spread the odd events through the file, and the many names into its second half.
  events.splice(3, 0, extra[0]!, extra[1]!);
  events.splice(Math.floor(events.length / 3), 0, ...extra.slice(2, 8));
  events.push(extra[1]!, ...extra.slice(8), extra[0]!);
  return serializeSnapshot({ ...base, traceEvents: events });
}

test('cut at any event line, two builders make the summary one makes', () => {
  const bytes = encoder.encode(mixedText());
  const expected = whole(bytes, 4096);
  assert.ok(expected, 'the fixture has a summary');
  const starts = lineStarts(bytes);
  let appended = 0;
  for (const cutAt of starts) {
    for (const chunkBytes of [97, 4096]) {
      const built = inTwo(bytes, cutAt, chunkBytes);
      assert.ok(built.summary, `a summary when cut at ${cutAt}`);
      assert.ok(Buffer.from(built.summary).equals(Buffer.from(expected)), `the same bytes when cut at ${cutAt} (chunks of ${chunkBytes}, part ${built.appended ? 'appended' : 'read again'})`);
      if (built.appended) appended++;
    }
  }
  // Every cut between two event lines appends: all but the head's, the last event's and the tail's lines.
  const eventLines = starts.length - 5;
  assert.ok(appended >= 2 * (eventLines - 2), `${appended} of ${2 * starts.length} cuts appended`);
});

test('a cut that is not between two event lines leaves the first builder to read on, with the same result', () => {
  const bytes = encoder.encode(mixedText());
  const expected = whole(bytes, 4096)!;
  const starts = lineStarts(bytes);
  // Inside the head line, mid-line, just before the closing line, inside the tail.
  const closing = bytes.lastIndexOf(encoder.encode('],')[0]!, bytes.length - 1);
  const cuts = [5, starts[3]! + 7, starts[starts.length - 4]! + 11, bytes.length - 40, closing];
  for (const cutAt of cuts) {
    const built = inTwo(bytes, cutAt, 4096);
    assert.equal(built.appended, false, `cut at ${cutAt} is not taken`);
    assert.ok(built.summary && Buffer.from(built.summary).equals(Buffer.from(expected)), `the same bytes when cut at ${cutAt}`);
  }
});

test('a file that is not in our layout has no summary in two parts either', () => {
  const text = JSON.stringify(makeSnapshot({ windowSeconds: 1 })); // one line
  const bytes = encoder.encode(text);
  assert.equal(inTwo(bytes, Math.floor(bytes.length / 2), 4096).summary, undefined);
  // Our layout, damaged in the second half: the part refuses it and the first builder finds the damage too.
  const good = encoder.encode(mixedText());
  const damaged = good.slice();
  const starts = lineStarts(damaged);
  damaged[starts[Math.floor(starts.length * 0.8)]! + 1] = 0x0a;
  assert.equal(inTwo(damaged, starts[Math.floor(starts.length / 2)]!, 4096).summary, undefined);
  assert.equal(whole(damaged, 4096), undefined);
});

test('a large snapshot cut in the middle: the same summary', () => {
  const bytes = encoder.encode(serializeSnapshot(makeLargeSnapshot(60_000)));
  const expected = whole(bytes, 1 << 20)!;
  const middle = bytes.indexOf(NEWLINE, bytes.length >> 1) + 1;
  const built = inTwo(bytes, middle, 1 << 20);
  assert.equal(built.appended, true);
  assert.ok(built.summary && Buffer.from(built.summary).equals(Buffer.from(expected)));
});

test('the host side: the rest read by another builder is appended; a lost rest is read on, with the same summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-summary-parts-'));
  try {
    const file = join(dir, 'large.nodetrace.json');
    const bytes = encoder.encode(serializeSnapshot(makeLargeSnapshot(40_000)));
    writeFileSync(file, bytes);
    const handle = await open(file, 'r');
    const [cut, tooSmall, oneCore] = await Promise.all([cutPoint(handle, bytes.length, 2, 1024), cutPoint(handle, bytes.length, 2), cutPoint(handle, bytes.length, 1, 1024)]);
    await handle.close();
    assert.ok(bytes.length < PARALLEL_MIN_BYTES && tooSmall === undefined, 'a small file is read by one thread');
    assert.equal(oneCore, undefined, 'on one core, by one thread');
    assert.ok(cut !== undefined && cut > bytes.length / 2 && bytes[cut - 1] === NEWLINE, 'cut just after a newline past the middle');
    const single = await buildSummaryHere(file);
    const split = await buildSummaryHere(file, undefined, undefined, { at: cut, rest: () => buildSummaryPartHere(file, cut) });
    const lost = await buildSummaryHere(file, undefined, undefined, { at: cut, rest: async () => undefined });
    assert.ok('summary' in single && 'summary' in split && 'summary' in lost);
    assert.equal(split.summary.builtOn, 'two workers');
    assert.equal(lost.summary.builtOn, 'host thread');
    const expected = Buffer.concat(single.summary.pieces);
    assert.ok(Buffer.concat(split.summary.pieces).equals(expected), 'appended: the same summary');
    assert.ok(Buffer.concat(lost.summary.pieces).equals(expected), 'read on: the same summary');
    assert.equal(split.summary.fileBytes, bytes.length);
    assert.equal(await buildSummaryPartHere(join(dir, 'missing.json'), 10), undefined, 'a file that cannot be read: no part, no throw');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
