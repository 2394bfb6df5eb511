// The event summary (src/format/event-summary*.ts) a host sends the page instead of the file,
// read by the page (src/viewer/model/summary-load.ts, remote-args.ts): for files in our
// writer's layout it must give the same trace, model, colours, summaries and search as the
// whole-text reader once args are fetched by range; it must refuse anything else (the page
// then reads the whole file) and reject damaged summaries rather than trust them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchRemoteArgs } from '../../src/format/args-search';
import { align8, decodeEventSummary, decodeSummaryColumns, EVENT_COUNT_AT, HEADER_BYTES, lineOffsets, SECTION_COUNT, SPAN_BLOCK_HEADER_BYTES, spanBlockMaxBytes, summaryColumnsBytes, SUMMARY_FLAG, SummaryFormatError, TAIL_BYTES_AT } from '../../src/format/event-summary';
import { EventSummaryBuilder } from '../../src/format/event-summary-builder';
import { concatBytes } from '../../src/format/snapshot-lines';
import type { Snapshot } from '../../src/format/snapshot';
import type { TraceEvent } from '../../src/format/trace-event';
import { serializeSnapshot } from '../../src/format/write';
import { loadTraceText, type LoadedTrace } from '../../src/viewer/model/load';
import { buildModel } from '../../src/viewer/model/model';
import type { ByteRange } from '../../src/viewer/model/remote-args';
import { search, searchNeedle } from '../../src/viewer/model/search';
import { SummaryEvent } from '../../src/viewer/model/summary-event';
import { loadSummary, loadSummaryColumns } from '../../src/viewer/model/summary-load';
import { MemoryArena } from '../../src/format/memory-arena';
import { errorRows, gcTotals, longestLoopBlocks, slowestRequestSpans, slowestRequests, spanArgEvents } from '../../src/viewer/model/summaries';
import { HOSTILE_NAMES, makeLargeSnapshot, makeSnapshot } from '../browser/fixture-trace';
import { validSnapshot } from './format-fixtures';
import { feedInChunks } from './summary-feed';

const encoder = new TextEncoder();

/** Builds the summary the way a host does: chunks copied into one reused buffer. */
function summarise(bytes: Uint8Array, chunkBytes: number): Uint8Array | undefined {
  const builder = new EventSummaryBuilder(bytes.length);
  feedInChunks(builder, bytes, chunkBytes);
  const pieces = builder.finish();
  if (!pieces) return undefined;
  return concatBytes(pieces);
}

/** A host answering byte-range requests from the file's bytes, counting requests. */
function rangeHost(file: Uint8Array): { fetch: (ranges: ByteRange[]) => Promise<Uint8Array>; requests: ByteRange[][] } {
  const requests: ByteRange[][] = [];
  return {
    requests,
    fetch: async (ranges) => {
      requests.push(ranges);
      const out = new Uint8Array(ranges.reduce((sum, range) => sum + range.length, 0));
      let at = 0;
      for (const range of ranges) {
        out.set(file.subarray(range.offset, range.offset + range.length), at);
        at += range.length;
      }
      return out;
    },
  };
}

/** Key order and class aside, the same JSON value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    const plain = item instanceof SummaryEvent ? item.toJSON() : item;
    return Object.fromEntries(Object.entries(plain).sort(([a], [b]) => (a < b ? -1 : 1)));
  });
}

function wholeText(text: string): LoadedTrace {
  const whole = loadTraceText(text, 'f.json');
  assert.ok(!('error' in whole), 'error' in whole ? whole.error : '');
  return whole;
}

function assertSameModel(a: LoadedTrace, b: LoadedTrace): void {
  const x = buildModel(a, 'f.json');
  const y = buildModel(b, 'f.json');
  assert.equal(x.spans.count, y.spans.count);
  // The tables may be longer than their count (the page's own pairing sizes them by events).
  const used = (m: typeof x, column: Float64Array | Int32Array) => [...column.subarray(0, m.spans.count)];
  assert.deepEqual(used(x, x.spans.startUs), used(y, y.spans.startUs));
  assert.deepEqual(used(x, x.spans.endUs), used(y, y.spans.endUs));
  assert.deepEqual(used(x, x.spans.row), used(y, y.spans.row));
  assert.deepEqual(used(x, x.spans.track), used(y, y.spans.track));
  assert.deepEqual(used(x, x.spans.event), used(y, y.spans.event));
  assert.deepEqual(used(x, x.spans.endEvent), used(y, y.spans.endEvent));
  assert.deepEqual(x.tracks.map((t) => `${t.id} ${t.title}`), y.tracks.map((t) => `${t.id} ${t.title}`));
  assert.deepEqual(x.processes.map((p) => p.title), y.processes.map((p) => p.title));
  const colours = (m: typeof x) => m.tracks.flatMap((t) => (t.kind === 'slices' ? t.rows.map((r) => [...r.color].join(',')) : t.kind === 'instants' ? [[...t.color].join(',')] : []));
  assert.deepEqual(colours(x), colours(y));
  assert.deepEqual(x.trigger, y.trigger);
  assert.equal(x.originUs, y.originUs);
  assert.deepEqual(x.flows, y.flows);
  // Summaries that read args while the remote ones are still on the host.
  assert.deepEqual(errorRows(x), errorRows(y));
  assert.deepEqual(gcTotals(x), gcTotals(y));
  assert.deepEqual(longestLoopBlocks(x), longestLoopBlocks(y));
}

function manyNames(count: number): TraceEvent[] {
  const idOf = (i: number) => (i < count - 20 ? i : i % 2 ? 2 ** 40 + i : i + 0.5);
  return Array.from({ length: count }, (_, i): TraceEvent => ({ name: `span ${i % 400}`, cat: `cat${i % 300}`, ph: 'X', ts: i, dur: 0.5, pid: 1, tid: i % 270, id: idOf(i), args: { i } }));
}

/**
 * Async spans and flows with thousands of distinct string ids (some not ASCII), each span
 * ending dozens of begins later: the id table grows several times between a begin and its end.
 */
function manyStringIds(count: number): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (let i = 0; i < count; i++) {
    const id = i % 9 === 0 ? `réq-${i}` : `req-${i}`;
    events.push({ name: `GET /item/${i % 40}`, cat: 'http.server', ph: 'b', ts: i, pid: 1, tid: 0, id, args: { i } });
    if (i % 3 === 0) events.push({ name: 'request → fetch', cat: 'async', ph: 's', ts: i + 0.25, pid: 1, tid: 0, id: `flow${i}` });
    if (i >= 50) events.push({ name: `GET /item/${(i - 50) % 40}`, cat: 'http.server', ph: 'e', ts: i + 0.5, pid: 1, tid: 0, id: (i - 50) % 9 === 0 ? `réq-${i - 50}` : `req-${i - 50}`, args: { status: 200 } });
    if (i >= 20 && (i - 20) % 3 === 0) events.push({ name: 'request → fetch', cat: 'async', ph: 'f', bp: 'e', ts: i + 0.75, pid: 1, tid: 0, id: `flow${i - 20}` });
  }
  return events;
}

const hostileText = serializeSnapshot(makeSnapshot({ windowSeconds: 3, hostileNames: true }) as Snapshot);

test('the summary of a snapshot reads as the whole file does, at any chunk size, args fetched by range', async () => {
  const cases: [string, string][] = [
    ['hostile fixture', hostileText],
    ['format fixture', serializeSnapshot(validSnapshot())],
    ['large generator, small size', serializeSnapshot(makeLargeSnapshot(6_000))],
    // Past 255 names, categories and threads the index columns widen (the first 255 stay bytes);
    // past small integer ids the id column does.
    ['hundreds of names, categories and threads', serializeSnapshot({ traceEvents: manyNames(700), metadata: makeSnapshot({ windowSeconds: 1 }).metadata })],
    ['thousands of string ids', serializeSnapshot({ traceEvents: manyStringIds(3000), metadata: makeSnapshot({ windowSeconds: 1 }).metadata })],
  ];
  for (const [what, text] of cases) {
    const file = encoder.encode(text);
    for (const chunkBytes of [7, 4096, file.length]) {
      const summary = summarise(file, chunkBytes);
      assert.ok(summary, `${what}: a summary at chunk size ${chunkBytes}`);
      assert.ok(summary.length < file.length, `${what}: smaller than the file`);
      const host = rangeHost(file);
      const trace = loadSummary(summary, host.fetch);
      const whole = wholeText(text);
      assert.equal(trace.events.length, whole.events.length, what);
      assert.deepEqual(trace.window, whole.window);
      assert.equal(trace.source, whole.source);
      assert.equal(canonical(trace.metadata), canonical(whole.metadata));
      assert.deepEqual(trace.warnings, whole.warnings);
      // Before any args are fetched: the model, colours and the summaries built from inline args.
      assertSameModel(trace, whole);
      assert.equal(host.requests.length, 0, 'building the model fetches nothing');
      assert.ok(trace.argsLoader?.missing(trace.events.map((_, i) => i)), 'some args stay in the file');
      await trace.argsLoader!.load(trace.events.map((_, i) => i));
      assert.equal(trace.argsLoader!.missing(trace.events.map((_, i) => i)), false);
      for (let i = 0; i < whole.events.length; i++) assert.equal(canonical(trace.events[i]), canonical(whole.events[i]), `${what}: event ${i}`);
    }
  }
});

test('a summary read in two parts, the columns while the span layout is on the way, reads as the whole does', () => {
  for (const [what, text] of [
    ['hostile fixture', hostileText],
    ['large generator', serializeSnapshot(makeLargeSnapshot(6_000))],
    ['thousands of string ids', serializeSnapshot({ traceEvents: manyStringIds(1500), metadata: makeSnapshot({ windowSeconds: 1 }).metadata })],
  ] as const) {
    const summary = summarise(encoder.encode(text), 1 << 20)!;
    const columnsBytes = summaryColumnsBytes(summary)!;
    assert.ok(columnsBytes > HEADER_BYTES && columnsBytes < summary.length, `${what}: the span layout starts inside the summary`);
    const host = rangeHost(encoder.encode(text));
    // Each part in a buffer of its own, as the page reads them.
    const parts = loadSummaryColumns(summary.slice(0, columnsBytes), host.fetch);
    assert.equal(parts.trace.hostSpans, undefined, `${what}: no spans before their block`);
    parts.addSpans(summary.slice(columnsBytes));
    const whole = loadSummary(summary, host.fetch);
    assert.equal(parts.trace.events.length, whole.events.length, what);
    assertSameModel(parts.trace, whole);
    // As the page reads them into the spare buffer it touched meanwhile: the columns at its
    // start, the model's arrays in the rest (large enough, then too small for all of them).
    for (const spareBytes of [columnsBytes * 4, columnsBytes + 1000]) {
      const spare = new ArrayBuffer(spareBytes);
      new Uint8Array(spare).set(summary.subarray(0, columnsBytes));
      const memory = new MemoryArena(spare, Math.ceil(columnsBytes / 8) * 8);
      const inSpare = loadSummaryColumns(new Uint8Array(spare, 0, columnsBytes), host.fetch, undefined, memory);
      inSpare.addSpans(summary.slice(columnsBytes));
      assertSameModel(inSpare.trace, whole);
      if (spareBytes === columnsBytes * 4) assert.ok(memory.usedBytes > columnsBytes + 8, `${what}: the model took memory from the spare buffer`);
    }
    // A part that is not what it says: the page then reads the whole file.
    assert.throws(() => decodeSummaryColumns(summary.slice(0, columnsBytes + 8)), SummaryFormatError, `${what}: bytes after the columns`);
    const damaged = summary.slice(columnsBytes);
    damaged[0] ^= 0xff;
    assert.throws(() => loadSummaryColumns(summary.slice(0, columnsBytes), host.fetch).addSpans(damaged), SummaryFormatError, `${what}: a damaged span block`);
    const outside = summary.slice(columnsBytes);
    new DataView(outside.buffer).setInt32(SPAN_BLOCK_HEADER_BYTES, 1 << 30, true);
    assert.throws(() => loadSummaryColumns(summary.slice(0, columnsBytes), host.fetch).addSpans(outside), SummaryFormatError, `${what}: a span outside the events`);
  }
});

test('a summary never outgrows the bound a host announces while the span layout is still being made', () => {
  // The most spans, rows and tracks a number of events can make: every event a span, all
  // overlapping on one thread (a row each), or each on a thread of its own (a track each).
  const overlapping = Array.from({ length: 500 }, (_, i): TraceEvent => ({ name: 'x', cat: 'user', ph: 'X', ts: i, dur: 10_000, pid: 1, tid: 0 }));
  const ownThreads = Array.from({ length: 300 }, (_, i): TraceEvent => ({ name: 'x', cat: 'user', ph: 'X', ts: i, dur: 1, pid: 1, tid: i }));
  const metadata = makeSnapshot({ windowSeconds: 1 }).metadata;
  for (const [what, text] of [
    ['overlapping spans', serializeSnapshot({ traceEvents: overlapping, metadata })],
    ['a thread per span', serializeSnapshot({ traceEvents: ownThreads, metadata })],
    ['large generator', serializeSnapshot(makeLargeSnapshot(6_000))],
  ] as const) {
    const summary = summarise(encoder.encode(text), 1 << 20)!;
    const view = new DataView(summary.buffer, summary.byteOffset, summary.byteLength);
    // The span layout's block starts after the header, the padded sections and the tail.
    let spanBlockAt = HEADER_BYTES;
    for (let k = 0; k < SECTION_COUNT; k++) spanBlockAt += align8(view.getUint32(40 + 4 * k, true));
    spanBlockAt += align8(view.getUint32(TAIL_BYTES_AT, true));
    const spanBlockBytes = summary.length - spanBlockAt;
    assert.ok(spanBlockBytes > 0, `${what}: a span layout`);
    assert.ok(spanBlockBytes <= spanBlockMaxBytes(view.getUint32(EVENT_COUNT_AT, true)), `${what}: ${spanBlockBytes} bytes of span layout within the bound`);
  }
});

test('names and strings of any kind survive the summary as text', () => {
  const events: TraceEvent[] = [
    { name: HOSTILE_NAMES[0]!, cat: HOSTILE_NAMES[1]!, ph: 'X', ts: 1, dur: 2, pid: 1, tid: 0, id: '</script>' },
    { name: 'émoji 🚀 \u2028 line', cat: 'user', ph: 'X', ts: 1.25, dur: 0.5, pid: 1.5, tid: -3 },
    { name: 'quote " backslash \\ tab \t', cat: 'user', ph: 'X', ts: 2, dur: 1, pid: 1, tid: 0 },
    { name: '', ph: 'B', ts: 3, pid: 1, tid: 0 },
    { name: '', ph: 'E', ts: 4, pid: 1, tid: 0 },
    { name: 'flow', cat: 'async', ph: 'f', bp: 'e', ts: 4, pid: 1, tid: 0, id: 'flow1' },
    { name: 'odd scope', cat: 'user', ph: 'X', ts: 5, dur: 1, pid: 1, tid: 0, s: 'zz' as 'g' },
    { name: 'big', cat: 'user', ph: 'X', ts: 1.2345678901234567e19, dur: 1.25e-7, pid: 1, tid: 0, id: 2 ** 53 + 2 },
  ];
  const text = serializeSnapshot({ traceEvents: events, metadata: makeSnapshot({ windowSeconds: 1 }).metadata });
  const summary = summarise(encoder.encode(text), 64)!;
  const trace = loadSummary(summary, rangeHost(encoder.encode(text)).fetch);
  const whole = wholeText(text);
  for (let i = 0; i < events.length; i++) assert.equal(canonical(trace.events[i]), canonical(whole.events[i]), `event ${i}`);
});

test('a file not in our layout, cut, or damaged has no summary (the page reads it whole)', () => {
  const cut = hostileText.slice(0, Math.floor(hostileText.length / 2));
  const cases: [string, string][] = [
    ['one line (JSON.stringify)', JSON.stringify(makeSnapshot({ windowSeconds: 1 }))],
    ['cut in the middle', cut],
    ['cut before the metadata', hostileText.slice(0, hostileText.indexOf('\n],\n') + 4)],
    ['a broken event line', hostileText.replace('"ph":"X"', '"ph":X"')],
    ['a missing comma', hostileText.replace(/},\n\{"name":"GC/, '}\n{"name":"GC')],
    ['garbage after the end', `${hostileText}]`],
    ['an array of events', `[\n${JSON.stringify({ name: 'a', ph: 'X', ts: 1, dur: 1, pid: 1, tid: 1 })}\n]`],
    ['a .cpuprofile', JSON.stringify({ nodes: [], startTime: 0, endTime: 1, samples: [], timeDeltas: [] })],
  ];
  for (const [what, text] of cases) assert.equal(summarise(encoder.encode(text), 4096), undefined, what);
});

test('skipped entries keep every later line where the summary says it is', async () => {
  const text = serializeSnapshot({
    traceEvents: [
      { name: 'a', cat: 'user', ph: 'X', ts: 1, dur: 1, pid: 1, tid: 0, args: { url: '/first' } },
      { name: 'bad dur', ph: 'X', ts: 3, dur: -1, pid: 1, tid: 0 },
      { name: 'array args', ph: 'X', ts: 3, dur: 1, pid: 1, tid: 0, args: [1] } as unknown as TraceEvent,
      { name: 'b', cat: 'user', ph: 'X', ts: 2, dur: 1, pid: 1, tid: 0, args: { url: '/second' } },
    ],
    metadata: makeSnapshot({ windowSeconds: 1 }).metadata,
  });
  const file = encoder.encode(text);
  const trace = loadSummary(summarise(file, 5)!, rangeHost(file).fetch);
  const whole = wholeText(text);
  assert.equal(trace.skippedEvents, 2);
  assert.deepEqual(trace.warnings, whole.warnings);
  await trace.argsLoader!.load([0, 1]);
  assert.deepEqual(trace.events.map((e) => e.args?.url), ['/first', '/second']);
});

test('a damaged or foreign summary is rejected, never trusted', () => {
  const summary = summarise(encoder.encode(hostileText), 4096)!;
  const fetch = rangeHost(new Uint8Array(0)).fetch;
  const broken: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['cut in the header', summary.slice(0, 20)],
    ['cut in the columns', summary.slice(0, Math.floor(summary.length / 3))],
    ['not a summary', encoder.encode(hostileText).slice(0, summary.length)],
    // The span layout's block comes last (version 3): cut in it, or with bytes after it.
    ['cut in the span layout', summary.slice(0, summary.length - 16)],
    ['bytes after the span layout', new Uint8Array([...summary, 1, 2, 3, 4, 5, 6, 7, 8])],
  ];
  const tailTooLong = summary.slice();
  new DataView(tailTooLong.buffer).setUint32(36, summary.length, true);
  broken.push(['a tail longer than the summary', tailTooLong]);
  const badMagic = summary.slice();
  badMagic[0] = 0;
  broken.push(['wrong magic', badMagic]);
  const badVersion = summary.slice();
  new DataView(badVersion.buffer).setUint32(4, 99, true);
  broken.push(['another version', badVersion]);
  for (const [what, bytes] of broken) assert.throws(() => loadSummary(bytes, fetch), SummaryFormatError, what);
  // An index pointing outside the string table.
  const decoded = decodeEventSummary(summary.slice());
  const column = decoded.flags.findIndex((f) => !(f & SUMMARY_FLAG.FULL));
  const badIndex = summary.slice();
  const nameOffset = decoded.name.byteOffset; // decoded from a fresh copy: offsets are from its start
  new DataView(badIndex.buffer).setUint32(nameOffset + 4 * column, 1e9, true);
  assert.throws(() => decodeEventSummary(badIndex), SummaryFormatError);
});

test('args are fetched by range in bounded batches, once, and a changed file shows a note', async () => {
  const text = serializeSnapshot(makeLargeSnapshot(3_000));
  const file = encoder.encode(text);
  const summary = summarise(file, 65_536)!;
  const host = rangeHost(file);
  const trace = loadSummary(summary, host.fetch);
  const model = buildModel(trace, 'f.json');
  // The slowest-requests table: the rows' args come in a few requests, and the table matches.
  const spans = slowestRequestSpans(model);
  const events = spanArgEvents(model, spans);
  assert.ok(model.argsLoader?.missing(events));
  await Promise.all([model.argsLoader!.load(events), model.argsLoader!.load(events)]);
  assert.ok(host.requests.length <= Math.ceil(events.length / 200), `${host.requests.length} requests for ${events.length} events`);
  assert.ok(host.requests.every((ranges) => ranges.length <= 200));
  assert.deepEqual(slowestRequests(model, spans.length, spans), slowestRequests(buildModel(wholeText(text), 'f.json')));
  const before = host.requests.length;
  await model.argsLoader!.load(events);
  assert.equal(host.requests.length, before, 'args are fetched once');

  // The file changed under the viewer: the bytes at the old offsets are not the event's line.
  const changed = encoder.encode(text.replace(/"name":"GET/g, '"name":"PUT'));
  const stale = loadSummary(summary, rangeHost(changed).fetch);
  const index = stale.events.findIndex((e) => e instanceof SummaryEvent && e.argsMissing && e.name.startsWith('GET'));
  await stale.argsLoader!.load([index]);
  assert.match(String(stale.events[index]!.args?.['(unavailable)']), /changed on disk/);

  // A host that fails: the promise rejects with its words, and the args can be asked for again.
  const failing = loadSummary(summary, () => Promise.reject(new Error('the server answered 409')));
  await assert.rejects(failing.argsLoader!.load([index]), /409/);
  assert.ok(failing.argsLoader!.missing([index]));
});

test('search on the summary, with the host searching the args still in the file, finds what the whole text does', async () => {
  const file = encoder.encode(hostileText);
  const summary = summarise(file, 4096)!;
  const trace = loadSummary(summary, rangeHost(file).fetch);
  const decoded = decodeEventSummary(summary.slice());
  const model = buildModel(trace, 'f.json');
  const whole = buildModel(wholeText(hostileText), 'f.json');
  const read = async (offset: number, length: number) => file.slice(offset, offset + length);
  for (const query of ['/users', 'checkout', 'ECONN', 'payments.internal', '10.0.3.17', 'q=***', 'image-resize', '<img', 'Ré', '@', 'GET', ' Shop-API ']) {
    const remote = await searchRemoteArgs(decoded, searchNeedle(query), read);
    const x = search(model, query, new Set(remote));
    const y = search(whole, query);
    assert.deepEqual(x?.spans, y?.spans, query);
    assert.deepEqual(x?.instants, y?.instants, query);
  }
  // A URL only the args hold (the fixture draws user ids at random): found through the host.
  const url = String(wholeText(hostileText).events.find((e) => typeof e.args?.url === 'string' && e.args.url.startsWith('/api/users/'))!.args!.url).toLowerCase();
  assert.ok((search(model, url, new Set(await searchRemoteArgs(decoded, url, read)))?.spans.length ?? 0) > 0, 'URLs in args are found through the host');
  // Offsets from the summary point at the event lines.
  const offsets = lineOffsets(decoded);
  const first = decoded.flags.findIndex((f) => (f & SUMMARY_FLAG.ARGS_REMOTE) !== 0);
  const line = new TextDecoder().decode(file.subarray(offsets[first]!, offsets[first]! + decoded.lineBytes[first]!));
  assert.equal((JSON.parse(line) as TraceEvent).name, trace.events[first]!.name);
});
