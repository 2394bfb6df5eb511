// The host's span layout (src/format/event-summary-spans.ts, summary version 3): the host pairs
// begin/end events, groups spans into tracks and packs rows while it builds the summary, and
// the page builds its model from that (model.ts, buildFromHostSpans). It must give exactly the
// model the page's own pairing gives — over the same summary and over the whole text — on the
// fixtures and on traces made to be awkward (unmatched and nested ends, reused ids, spans that
// stay open, events out of time order, events the columns carry whole, hostile strings); and a
// layout that does not check out must not be used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEventSummary, EVENT_SUMMARY_VERSION_SPANS, SummaryFormatError } from '../../src/format/event-summary';
import { EventSummaryBuilder } from '../../src/format/event-summary-builder';
import { concatBytes } from '../../src/format/snapshot-lines';
import { sliceTrackKey } from '../../src/format/event-summary-spans';
import type { Snapshot } from '../../src/format/snapshot';
import type { TraceEvent } from '../../src/format/trace-event';
import { serializeSnapshot } from '../../src/format/write';
import { loadTraceText, type LoadedTrace } from '../../src/viewer/model/load';
import { buildModel, type TimelineModel } from '../../src/viewer/model/model';
import { buildOverview, OVERVIEW_BINS } from '../../src/viewer/model/overview';
import { loadSummary } from '../../src/viewer/model/summary-load';
import { sliceTrackKind } from '../../src/viewer/model/tracks';
import { HOSTILE_NAMES, makeLargeSnapshot, makeSnapshot } from '../browser/fixture-trace';
import { validSnapshot } from './format-fixtures';

const encoder = new TextEncoder();
const noFetch = () => Promise.reject(new Error('no args fetched in these tests'));

function summarise(text: string, chunkBytes = 4096): Uint8Array {
  const bytes = encoder.encode(text);
  const builder = new EventSummaryBuilder(bytes.length);
  for (let at = 0; at < bytes.length; at += chunkBytes) builder.feed(bytes.slice(at, at + chunkBytes));
  const pieces = builder.finish();
  assert.ok(pieces, 'the file has a summary');
  return concatBytes(pieces);
}

/** Builds a model and fails when the page had to give up the host's layout (it warns then). */
function modelWithoutWarnings(trace: LoadedTrace): TimelineModel {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  try {
    const model = buildModel(trace, 'f.json');
    assert.deepEqual(warnings, [], 'the host layout is used');
    return model;
  } finally {
    console.warn = warn;
  }
}

function rowsOf(model: TimelineModel): string[] {
  return model.tracks.flatMap((track) =>
    track.kind === 'slices'
      ? track.rows.map((row, r) => `${track.id} ${track.title} ${track.filter} row ${r}: ${[...row.ref.subarray(0, row.count)].join(',')} | ${[...row.startUs.subarray(0, row.count)].join(',')} | ${[...row.endUs.subarray(0, row.count)].join(',')} | ${[...row.color.subarray(0, row.count)].join(',')}`)
      : [`${track.id} ${track.kind}`]);
}

function assertSame(host: TimelineModel, page: TimelineModel, what: string): void {
  const s = (m: TimelineModel) => ({
    count: m.spans.count,
    startUs: [...m.spans.startUs.subarray(0, m.spans.count)],
    endUs: [...m.spans.endUs.subarray(0, m.spans.count)],
    event: [...m.spans.event.subarray(0, m.spans.count)],
    endEvent: [...m.spans.endEvent.subarray(0, m.spans.count)],
    track: [...m.spans.track.subarray(0, m.spans.count)],
    row: [...m.spans.row.subarray(0, m.spans.count)],
  });
  assert.deepEqual(s(host), s(page), `${what}: span table`);
  assert.deepEqual(rowsOf(host), rowsOf(page), `${what}: tracks and rows`);
  assert.deepEqual(host.processes.map((p) => [p.title, p.threads.map((t) => [t.title, t.tracks.map((x) => x.index)])]), page.processes.map((p) => [p.title, p.threads.map((t) => [t.title, t.tracks.map((x) => x.index)])]), `${what}: processes`);
  assert.equal(host.startUs, page.startUs, `${what}: start`);
  assert.equal(host.endUs, page.endUs, `${what}: end`);
  assert.equal(host.originUs, page.originUs, `${what}: origin`);
  assert.equal(host.unmatchedEnds, page.unmatchedEnds, `${what}: unmatched ends`);
  assert.deepEqual(host.categories, page.categories, `${what}: categories`);
  assert.deepEqual(host.flows, page.flows, `${what}: flows`);
}

/** Host layout vs the page's pairing of the same summary vs the whole text. */
function checkText(text: string, what: string): TimelineModel {
  const summary = summarise(text);
  const decoded = decodeEventSummary(summary.slice());
  assert.ok(decoded.spans, `${what}: version ${EVENT_SUMMARY_VERSION_SPANS} carries the layout`);
  const trace = loadSummary(summary, noFetch);
  assert.ok(trace.hostSpans);
  const host = modelWithoutWarnings(trace);
  const paired = buildModel({ ...trace, hostSpans: undefined }, 'f.json');
  const whole = loadTraceText(text, 'f.json');
  assert.ok(!('error' in whole));
  assertSame(host, paired, `${what} (same summary, paired by the page)`);
  assertSame(host, buildModel(whole, 'f.json'), `${what} (whole text)`);
  return host;
}

const metadata = makeSnapshot({ windowSeconds: 1 }).metadata;

function snapshotText(traceEvents: TraceEvent[], withMetadata = true): string {
  return serializeSnapshot({ traceEvents, metadata: withMetadata ? metadata : undefined } as Snapshot);
}

test('the host lays spans out as the page pairs them: fixtures and generated snapshots', () => {
  checkText(serializeSnapshot(validSnapshot()), 'format fixture');
  checkText(serializeSnapshot(makeSnapshot({ windowSeconds: 3, hostileNames: true }) as Snapshot), 'hostile fixture');
  checkText(serializeSnapshot(makeLargeSnapshot(20_000)), 'large generator');
  for (const seed of [1, 2, 3]) checkText(serializeSnapshot(makeSnapshot({ windowSeconds: 2, requestsPerSecond: 200, seed })), `generated, seed ${seed}`);
});

test('unmatched and nested ends, reused ids, open spans, out-of-order and whole-carried events', () => {
  const pid = metadata.pid;
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: 'app' } },
    // An end before any begin, on both kinds.
    { name: 'lost', cat: 'http.server', ph: 'e', ts: 1_000_000_010, pid, tid: 0, id: 1 },
    { name: 'lost', ph: 'E', ts: 1_000_000_011, pid, tid: 0 },
    // The same id begun twice before ending (nested): ends pair last-in first-out.
    { name: 'outer', cat: 'http.server', ph: 'b', ts: 1_000_000_020, pid, tid: 0, id: 7 },
    { name: 'inner', cat: 'http.server', ph: 'b', ts: 1_000_000_030, pid, tid: 0, id: 7 },
    { name: 'inner', cat: 'http.server', ph: 'e', ts: 1_000_000_040, pid, tid: 0, id: 7 },
    { name: 'outer', cat: 'http.server', ph: 'e', ts: 1_000_000_050, pid, tid: 0, id: 7 },
    // Three deep, one left open.
    { name: 'a', cat: 'async', ph: 'b', ts: 1_000_000_060, pid, tid: 0, id: 9 },
    { name: 'a', cat: 'async', ph: 'b', ts: 1_000_000_061, pid, tid: 0, id: 9 },
    { name: 'a', cat: 'async', ph: 'b', ts: 1_000_000_062, pid, tid: 0, id: 9 },
    { name: 'a', cat: 'async', ph: 'e', ts: 1_000_000_070, pid, tid: 0, id: 9 },
    // A string id that prints like a number id is another span.
    { name: 'str', cat: 'async', ph: 'b', ts: 1_000_000_080, pid, tid: 0, id: '9' },
    { name: 'str', cat: 'async', ph: 'e', ts: 1_000_000_090, pid, tid: 0, id: '9' },
    // The same id in another category is another span; an end in a third category ends nothing.
    { name: 'other', cat: 'user', ph: 'b', ts: 1_000_000_100, pid, tid: 0, id: 7 },
    { name: 'other', cat: 'user,extra', ph: 'e', ts: 1_000_000_110, pid, tid: 0, id: 7 },
    { name: 'other', cat: 'user', ph: 'e', ts: 1_000_000_120, pid, tid: 0, id: 7 },
    // B/E nesting on two threads, interleaved; an end earlier than its begin.
    { name: 'B1', cat: 'user', ph: 'B', ts: 1_000_000_200, pid, tid: 0 },
    { name: 'B2', cat: 'user', ph: 'B', ts: 1_000_000_210, pid, tid: 1 },
    { name: 'B3', cat: 'user', ph: 'B', ts: 1_000_000_220, pid, tid: 0 },
    { name: 'B3', cat: 'user', ph: 'E', ts: 1_000_000_215, pid, tid: 0 },
    { name: 'B2', cat: 'user', ph: 'E', ts: 1_000_000_240, pid, tid: 1 },
    { name: 'B1', cat: 'user', ph: 'E', ts: 1_000_000_250, pid, tid: 0 },
    { name: 'B open', cat: 'gc', ph: 'B', ts: 1_000_000_260, pid, tid: 1 },
    // Out of time order, zero and negative durations, categories that share a track.
    { name: 'late', cat: 'user', ph: 'X', ts: 1_000_000_900, dur: 5, pid, tid: 0 },
    { name: 'early', cat: 'user', ph: 'X', ts: 1_000_000_100, dur: 0, pid, tid: 0 },
    { name: 'back', cat: 'user', ph: 'X', ts: 1_000_000_500, dur: -3, pid, tid: 0 },
    { name: 'w', cat: 'worker', ph: 'X', ts: 1_000_000_300, dur: 50, pid, tid: 0 },
    { name: 'cp', cat: 'child_process', ph: 'X', ts: 1_000_000_310, dur: 50, pid, tid: 0 },
    { name: 'p', cat: 'process', ph: 'X', ts: 1_000_000_320, dur: 5, pid, tid: 0 },
    { name: 'proto', cat: 'constructor', ph: 'X', ts: 1_000_000_330, dur: 5, pid, tid: 0 },
    { name: 'proto2', cat: '__proto__', ph: 'X', ts: 1_000_000_340, dur: 5, pid, tid: 0 },
    { name: 'no cat', ph: 'X', ts: 1_000_000_350, dur: 5, pid, tid: 0 },
    { name: 'empty cat', cat: '', ph: 'X', ts: 1_000_000_360, dur: 5, pid, tid: 0 },
    // Spans the columns cannot hold (an unusual field, an unusual scope): carried whole, still paired.
    { name: 'whole b', cat: 'http.client', ph: 'b', ts: 1_000_000_400, pid, tid: 0, id: 11, tts: 5 } as unknown as TraceEvent,
    { name: 'whole e', cat: 'http.client', ph: 'e', ts: 1_000_000_450, pid, tid: 0, id: 11 },
    { name: 'col b', cat: 'http.client', ph: 'b', ts: 1_000_000_460, pid, tid: 0, id: 12 },
    { name: 'whole e', cat: 'http.client', ph: 'e', ts: 1_000_000_470, pid, tid: 0, id: 12, s: 'zz' } as unknown as TraceEvent,
    { name: 'whole X', cat: 'user', ph: 'X', ts: 1_000_000_480, dur: 2, pid, tid: 2, bp: 'q' } as unknown as TraceEvent,
    { name: 'whole B', cat: 'user', ph: 'B', ts: 1_000_000_490, pid, tid: 2, tts: 1 } as unknown as TraceEvent,
    { name: 'col E', cat: 'user', ph: 'E', ts: 1_000_000_495, pid, tid: 2 },
    // Hostile strings as names, categories and ids; a flow between two spans.
    { name: HOSTILE_NAMES[0]!, cat: HOSTILE_NAMES[1]!, ph: 'b', ts: 1_000_000_500, pid, tid: 0, id: HOSTILE_NAMES[0]! },
    { name: HOSTILE_NAMES[1]!, cat: HOSTILE_NAMES[1]!, ph: 'e', ts: 1_000_000_600, pid, tid: 0, id: HOSTILE_NAMES[0]! },
    { name: 'flow', cat: 'async', ph: 's', ts: 1_000_000_201, pid, tid: 0, id: 'f1' },
    { name: 'flow', cat: 'async', ph: 'f', bp: 'e', ts: 1_000_000_211, pid, tid: 1, id: 'f1' },
    { name: 'mark', cat: 'console', ph: 'i', s: 't', ts: 1_000_000_700, pid, tid: 0, args: { text: 'hi' } },
    { name: 'Memory', cat: 'memory', ph: 'C', ts: 1_000_000_700, pid, tid: 0, args: { heapUsedMB: 3 } },
    // Another process, and an open request it never finished.
    { name: 'GET /slow', cat: 'http.server', ph: 'b', ts: 1_000_000_800, pid: pid + 1, tid: 0, id: 1 },
  ];
  const model = checkText(snapshotText(events), 'awkward events');
  assert.ok(model.unmatchedEnds >= 3);
  // Without metadata (a plain Chrome trace in our layout), open spans end at the last event.
  checkText(snapshotText(events, false), 'awkward events, no metadata');
  // No spans at all; and nothing but metadata.
  checkText(snapshotText(events.filter((e) => !'XBEbe'.includes(e.ph))), 'no spans');
});

test('the track keys the host lays out by are the viewer\'s track kinds', () => {
  for (const cat of ['eventloop', 'cpu', 'gc', 'http.server', 'http.client', 'net', 'fs', 'async', 'user', 'process', 'worker', 'child_process', 'user,extra', 'custom', '', undefined, 'constructor', '__proto__', 'toString', HOSTILE_NAMES[0]!]) {
    assert.equal(sliceTrackKind(cat).key, sliceTrackKey(cat), String(cat));
  }
  assert.equal(sliceTrackKind('constructor').title, 'constructor');
});

test('a span layout that does not check out is refused, and the page pairs the events itself', () => {
  const text = serializeSnapshot(makeSnapshot({ windowSeconds: 2, seed: 5 }));
  const summary = summarise(text);
  const decoded = decodeEventSummary(summary.slice());
  const spans = decoded.spans!;
  const offsetOf = (array: Int32Array) => array.byteOffset;
  const write = (bytes: Uint8Array, offset: number, value: number) => new DataView(bytes.buffer).setInt32(offset, value, true);
  // Decoding refuses what cannot be in range.
  const cases: [string, (bytes: Uint8Array) => void][] = [
    ['a span outside the events', (bytes) => write(bytes, offsetOf(spans.event), decoded.eventCount)],
    ['a span placed twice', (bytes) => write(bytes, offsetOf(spans.packedOrder) + 4, spans.packedOrder[0]!)],
    ['a track without rows', (bytes) => write(bytes, spans.groupRows.byteOffset, 0)],
    ['an end before its begin', (bytes) => write(bytes, offsetOf(spans.endEvent) + 4 * spans.endEvent.findIndex((e) => e >= 0), 0)],
  ];
  for (const [what, damage] of cases) {
    const bytes = summary.slice();
    damage(bytes);
    assert.throws(() => decodeEventSummary(bytes), SummaryFormatError, what);
  }
  // What only the page can check (phases, rows in order): it warns and pairs the events itself.
  const swapped = summary.slice();
  const order = spans.packedOrder;
  write(swapped, offsetOf(order), order[1]!);
  write(swapped, offsetOf(order) + 4, order[0]!);
  const wrongPhase = summary.slice();
  const xSpan = [...spans.event].findIndex((i, k) => spans.endEvent[k] === -1 && decoded.ph[i] === 0x58);
  const paired = [...spans.endEvent].findIndex((e) => e >= 0);
  write(wrongPhase, offsetOf(spans.endEvent) + 4 * xSpan, spans.endEvent[paired]! > spans.event[xSpan]! ? spans.endEvent[paired]! : decoded.eventCount - 1);
  const whole = loadTraceText(text, 'f.json');
  assert.ok(!('error' in whole));
  const expected = buildModel(whole, 'f.json');
  for (const [what, bytes] of [['rows out of order', swapped], ['a complete event with an end', wrongPhase]] as const) {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
    let model: TimelineModel;
    try {
      model = buildModel(loadSummary(bytes, noFetch), 'f.json');
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1, what);
    assert.match(warnings[0]!, /span layout is not usable/, what);
    assertSame(model, expected, what);
  }
});

test('the overview, read from the tracks, counts what the spans\' categories say', () => {
  // The busy fixture puts more requests in one row than the overview has bins four times over
  // (counted bin by bin with binary searches); the other counts span by span.
  const fixture = makeSnapshot({ windowSeconds: 4, requestsPerSecond: 120, seed: 9 });
  const oneAfterAnother = Array.from({ length: 10_000 }, (_, i): TraceEvent => ({ name: 'GET /', cat: 'http.server', ph: 'X', ts: 1_000_000_000 + i * 300 + (i % 7), dur: 100, pid: 1, tid: 0 }));
  const busy: Snapshot = { ...fixture, traceEvents: [...fixture.traceEvents, ...oneAfterAnother] };
  for (const [what, snapshot] of [['overview fixture', fixture], ['one request after another', busy]] as [string, Snapshot][]) {
    const model = checkText(serializeSnapshot(snapshot), what);
    const busiestRow = Math.max(...model.tracks.flatMap((track) => (track.kind === 'slices' && track.filter === 'http.server' ? track.rows.map((row) => row.count) : [])));
    assert.equal(busiestRow > 4 * OVERVIEW_BINS, snapshot !== fixture, `${what}: busiest row ${busiestRow}`);
    const overview = buildOverview(model);
    const requests = new Float32Array(OVERVIEW_BINS);
    const blocked = new Float64Array(OVERVIEW_BINS);
    const binOf = (ts: number) => Math.min(OVERVIEW_BINS - 1, Math.max(0, Math.floor((ts - overview.startUs) / overview.binUs)));
    for (let k = 0; k < model.spans.count; k++) {
      const cat = model.fields.cat(model.spans.event[k]!);
      if (cat === 'http.server') requests[binOf(model.spans.startUs[k]!)]!++;
      if (cat === 'eventloop' || cat === 'gc') blocked[binOf(model.spans.startUs[k]!)]! += 1;
    }
    assert.deepEqual([...overview.requests], [...requests]);
    assert.ok(requests.some((r) => r > 0));
    // Every bin where a blocking span starts shows some blocking.
    for (let b = 0; b < OVERVIEW_BINS; b++) if (blocked[b]! > 0) assert.ok(overview.blocked[b]! > 0, `bin ${b}`);
  }
});
