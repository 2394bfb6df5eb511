// The viewer's streaming reader (src/viewer/model/stream-load.ts, src/format/snapshot-lines.ts + scan-event.ts) must give the
// same trace as the shared whole-text reader for files in our writer's layout, whatever the
// chunk boundaries, and must give up (so the whole-text reader answers) for anything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTraceText } from '../../src/format/read';
import type { Snapshot } from '../../src/format/snapshot';
import type { TraceEvent } from '../../src/format/trace-event';
import { serializeSnapshot } from '../../src/format/write';
import type { LoadedTrace } from '../../src/viewer/model/load';
import { loadTraceText } from '../../src/viewer/model/load';
import { buildModel } from '../../src/viewer/model/model';
import { ScannedEvent } from '../../src/format/scan-event';
import { StreamingTraceLoader } from '../../src/viewer/model/stream-load';
import { search } from '../../src/viewer/model/search';
import { errorRows, slowestRequests } from '../../src/viewer/model/summaries';
import { makeSnapshot } from '../browser/fixture-trace';

const encoder = new TextEncoder();

function stream(text: string, chunkBytes: number): { trace: LoadedTrace | undefined; loader: StreamingTraceLoader } {
  const bytes = encoder.encode(text);
  const loader = new StreamingTraceLoader();
  for (let at = 0; at < bytes.length; at += chunkBytes) loader.feed(bytes.slice(at, at + chunkBytes));
  return { trace: loader.active ? loader.finish() : undefined, loader };
}

/** Key order and class aside, the same JSON value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    const plain = item instanceof ScannedEvent ? item.toJSON() : item;
    return Object.fromEntries(Object.entries(plain).sort(([a], [b]) => (a < b ? -1 : 1)));
  });
}

function assertSameAsWholeText(text: string, trace: LoadedTrace | undefined): void {
  const whole = loadTraceText(text, 'file.json');
  assert.ok(!('error' in whole), 'error' in whole ? whole.error : '');
  assert.ok(trace, 'the streaming reader read the file');
  assert.equal(trace.events.length, whole.events.length);
  for (let i = 0; i < whole.events.length; i++) assert.equal(canonical(trace.events[i]), canonical(whole.events[i]), `event ${i}`);
  assert.equal(canonical(trace.metadata), canonical(whole.metadata));
  assert.deepEqual(trace.window, whole.window);
  assert.equal(trace.source, whole.source);
  assert.equal(trace.skippedEvents, whole.skippedEvents);
  assert.deepEqual(trace.warnings, whole.warnings);
}

const fixtureText = serializeSnapshot(makeSnapshot({ windowSeconds: 3, hostileNames: true }) as Snapshot);

test('a snapshot in our layout reads the same as the whole-text reader, at any chunk size', () => {
  for (const chunkBytes of [1, 7, 4096, 65_537, fixtureText.length + 10]) {
    const { trace, loader } = stream(fixtureText, chunkBytes);
    assertSameAsWholeText(fixtureText, trace);
    assert.ok(loader.scannedLines > loader.parsedLines, 'spans take the scanner, not JSON.parse');
  }
});

test('the model, colours and summaries built from scanned events match the whole-text ones', () => {
  const { trace } = stream(fixtureText, 8192);
  const whole = loadTraceText(fixtureText, 'f.json');
  assert.ok(trace && !('error' in whole));
  const a = buildModel(trace, 'f.json');
  const b = buildModel(whole, 'f.json');
  assert.equal(a.spans.count, b.spans.count);
  assert.deepEqual([...a.spans.startUs], [...b.spans.startUs]);
  assert.deepEqual([...a.spans.row], [...b.spans.row]);
  assert.deepEqual(a.tracks.map((t) => t.id), b.tracks.map((t) => t.id));
  const colours = (m: typeof a) => m.tracks.flatMap((t) => (t.kind === 'slices' ? t.rows.map((r) => [...r.color].join(',')) : []));
  assert.deepEqual(colours(a), colours(b));
  assert.deepEqual(errorRows(a).map((r) => r.message), errorRows(b).map((r) => r.message));
  assert.ok(errorRows(a).some((r) => r.message === 'ECONNRESET: upstream closed the connection'), 'failed requests found through the hint');
  assert.deepEqual(slowestRequests(a, 20), slowestRequests(b, 20));
  for (const query of ['/users', 'checkout', 'ECONN', 'payments.internal', '10.0.3.17', 'q=***', 'image-resize', '<img', 'Ré', '@']) {
    const x = search(a, query);
    const y = search(b, query);
    assert.deepEqual(x?.spans, y?.spans, query);
    assert.deepEqual(x?.instants, y?.instants, query);
  }
  assert.ok((search(a, '/users')?.spans.length ?? 0) > 0, 'URLs in args are found');
});

test('strings with escapes, non-ASCII names, odd keys and numbers take the careful path, same result', () => {
  const events: TraceEvent[] = [
    { name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 'Main — thread' } },
    { name: 'GET /caf\u00e9 "quoted" \\ back', cat: 'http.server', ph: 'b', ts: 1.5, pid: 1, tid: 0, id: 'a\u00e9', args: { url: '/caf\u00e9?x="1"' } },
    { name: 'GET /caf\u00e9 "quoted" \\ back', cat: 'http.server', ph: 'e', ts: 1e3, pid: 1, tid: 0, id: 'a\u00e9', args: { status: 5e2 } },
    { name: 'négatif', cat: 'user', ph: 'X', ts: -0.000123, dur: 0, pid: 1, tid: 0 },
    { name: 'big', cat: 'user', ph: 'X', ts: 1.2345678901234567e19, dur: 1.25e-7, pid: 1, tid: 0, tdur: 3 },
    { name: 'tiny', cat: 'user', ph: 'X', ts: 0.1, dur: 0.2, pid: 1, tid: 0, args: { nested: { deep: [1, [2, { status: 999 }]] }, error: 'x' } },
    { name: 'emoji 🚀', ph: 'X', ts: 3, dur: 1, pid: 2, tid: 2 },
    { ph: 'X', ts: 3, dur: 1, pid: 2, tid: 2 } as unknown as TraceEvent,
    { name: 'string pid', ph: 'X', ts: 3, dur: 1, pid: '7', tid: 0 } as unknown as TraceEvent,
    { name: 'bad dur', ph: 'X', ts: 3, dur: -1, pid: 1, tid: 0 },
    { name: 'no dur', ph: 'X', ts: 3, pid: 1, tid: 0 },
    { name: 'array args', ph: 'X', ts: 3, dur: 1, pid: 1, tid: 0, args: [1] } as unknown as TraceEvent,
    { name: 'flow', cat: 'async', ph: 'f', bp: 'e', ts: 4, pid: 1, tid: 0, id: 'flow1' },
  ];
  const text = serializeSnapshot({ traceEvents: events, metadata: makeSnapshot({ windowSeconds: 1 }).metadata });
  for (const chunkBytes of [3, 64, 100_000]) assertSameAsWholeText(text, stream(text, chunkBytes).trace);
  const trace = stream(text, 64).trace!;
  assert.equal(trace.skippedEvents, 3, 'the events the shared reader skips are skipped too');
});

test('a span whose args hide a failure deep inside is not red; one with an error is', () => {
  const events: TraceEvent[] = [
    { name: 'ok', cat: 'http.server', ph: 'X', ts: 1, dur: 5, pid: 1, tid: 0, args: { inner: { status: 503, error: 'not mine' } } },
    { name: 'bad', cat: 'http.server', ph: 'X', ts: 10, dur: 5, pid: 1, tid: 0, args: { status: 1000 } },
    { name: 'bad2', cat: 'http.server', ph: 'X', ts: 20, dur: 5, pid: 1, tid: 0, args: { error: 'boom' } },
    { name: 'fine', cat: 'http.server', ph: 'X', ts: 30, dur: 5, pid: 1, tid: 0, args: { status: 499.5 } },
  ];
  const text = serializeSnapshot({ traceEvents: events, metadata: makeSnapshot({ windowSeconds: 1 }).metadata });
  const { trace } = stream(text, 16);
  assert.ok(trace);
  const scanned = trace.events.filter((e) => e instanceof ScannedEvent) as ScannedEvent[];
  assert.equal(scanned.length, 4);
  assert.deepEqual(scanned.map((e) => e.argsMayFail), [false, true, true, false]);
  const model = buildModel(trace, 'f.json');
  assert.deepEqual(errorRows(model).map((r) => r.name).sort(), ['bad', 'bad2']);
});

test('anything not exactly our layout gives up, and the whole-text reader answers', () => {
  const cut = fixtureText.slice(0, Math.floor(fixtureText.length / 2));
  const cases: [string, string][] = [
    ['one line (JSON.stringify)', JSON.stringify(makeSnapshot({ windowSeconds: 1 }))],
    ['cut in the middle', cut],
    ['cut before the metadata', fixtureText.slice(0, fixtureText.indexOf('\n],\n') + 4)],
    ['a BOM first', `\ufeff${fixtureText}`],
    ['a missing comma', fixtureText.replace(/},\n\{"name":"GC/, '}\n{"name":"GC')],
    ['a trailing comma', fixtureText.replace('\n],\n', ',\n],\n')],
    ['garbage after the end', `${fixtureText}]`],
    ['a broken event line', fixtureText.replace('"ph":"X"', '"ph":X"')],
    ['an array of events', `[\n${JSON.stringify({ name: 'a', ph: 'X', ts: 1, dur: 1, pid: 1, tid: 1 })}\n]`],
    ['traceEvents twice', fixtureText.replace('"displayTimeUnit"', '"traceEvents":[],"displayTimeUnit"')],
    ['deep nesting in an event', fixtureText.replace('"args":{"method"', `"args":{"x":${'['.repeat(70)}${']'.repeat(70)},"method"`)],
  ];
  for (const [what, text] of cases) {
    const { trace } = stream(text, 4096);
    assert.equal(trace, undefined, what);
  }
  // One-line JSON is recognised as another layout at its first chunk, not collected to its end.
  const early = new StreamingTraceLoader();
  early.feed(encoder.encode(cases[0]![1]).slice(0, 4096));
  assert.equal(early.active, false);
  // The whole-text path still names the problem.
  const whole = parseTraceText(cut, 'cut.json');
  assert.ok('error' in whole && /ends early/.test(whole.error));
});

test('empty traceEvents and a foreign Chrome trace in our layout', () => {
  const empty = serializeSnapshot({ traceEvents: [], metadata: makeSnapshot({ windowSeconds: 1 }).metadata });
  assertSameAsWholeText(empty, stream(empty, 5).trace);
  const foreign = serializeSnapshot({ traceEvents: [{ name: 'x', ph: 'X', ts: 5, dur: 2, pid: 1, tid: 1 }], metadata: { tool: 'other' } as unknown as Snapshot['metadata'] });
  const { trace } = stream(foreign, 5);
  assertSameAsWholeText(foreign, trace);
  assert.equal(trace?.source, 'chrome');
});

test('a damaged args object shows a note instead of failing', () => {
  const text = fixtureText.replace('"args":{"method":"GET"', '"args":{"method":x"GET"');
  const { trace } = stream(text, 4096);
  assert.ok(trace, 'brackets still balance: the timeline opens');
  const damaged = trace.events.find((e) => e instanceof ScannedEvent && e.args && '(unreadable)' in e.args);
  assert.ok(damaged);
});
