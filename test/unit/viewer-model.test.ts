import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceEvent } from '../../src/format/trace-event';
import { hotFunctions } from '../../src/viewer/model/cpu';
import { loadTraceText } from '../../src/viewer/model/load';
import { buildModel, rowCountOf, type TimelineModel } from '../../src/viewer/model/model';
import { search } from '../../src/viewer/model/search';
import { errorCount, errorRows, formatMegabytes, gcTotals, longestLoopBlocks, newestErrors, selectionStats, slowestRequestSpans, slowestRequests } from '../../src/viewer/model/summaries';
import { layoutTracks } from '../../src/viewer/model/track-layout';
import { isRequestSpan, loopBlockedUs, requestContext } from '../../src/viewer/model/while-open';
import { makeSnapshot } from '../browser/fixture-trace';

function model(events: TraceEvent[], metadata?: Record<string, unknown>): TimelineModel {
  const text = JSON.stringify(metadata ? { traceEvents: events, metadata } : { traceEvents: events });
  const loaded = loadTraceText(text, 'test.json');
  assert.ok(!('error' in loaded), 'error' in loaded ? loaded.error : '');
  return buildModel(loaded, 'test.json');
}

const snapshotModel = () => {
  const loaded = loadTraceText(JSON.stringify(makeSnapshot({ windowSeconds: 4 })), 'snap.nodetrace.json');
  assert.ok(!('error' in loaded));
  return buildModel(loaded, 'snap.nodetrace.json');
};

test('spans from X, B/E and b/e pairs land in tracks per thread and category', () => {
  const m = model([
    { name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 'Main thread' } },
    { name: 'GET /a', cat: 'http.server', ph: 'b', ts: 100, pid: 1, tid: 0, id: 7, args: { url: '/a' } },
    { name: 'GET /b', cat: 'http.server', ph: 'b', ts: 150, pid: 1, tid: 0, id: 8 },
    { name: 'GET /a', cat: 'http.server', ph: 'e', ts: 400, pid: 1, tid: 0, id: 7, args: { status: 503 } },
    { name: 'GC (minor)', cat: 'gc', ph: 'X', ts: 200, dur: 5, pid: 1, tid: 0 },
    { name: 'work', cat: 'user', ph: 'B', ts: 300, pid: 1, tid: 2 },
    { name: 'work', cat: 'user', ph: 'E', ts: 350, pid: 1, tid: 2 },
  ]);
  assert.equal(m.spans.count, 4, 'the unfinished GET /b is kept, running to the end');
  const titles = m.tracks.map((t) => `${t.tid}:${t.title}`).sort();
  assert.deepEqual(titles, ['0:GC', '0:HTTP server', '2:User']);
  const http = m.tracks.find((t) => t.title === 'HTTP server');
  assert.ok(http && http.kind === 'slices');
  assert.equal(http.rows.length, 2, 'overlapping requests take two rows');
  const requests = slowestRequests(m);
  const a = requests.find((r) => r.name === 'GET /a')!;
  const b = requests.find((r) => r.name === 'GET /b')!;
  assert.equal(a.detail, 'server · 503');
  assert.equal(a.failed, true);
  assert.equal(b.detail, 'server · unfinished');
  assert.equal(b.durationUs, 250);
  assert.equal(errorRows(m).length, 1, 'a 503 is listed as an error');
});

test('the trigger sets t = 0 and counters become series with units', () => {
  const m = model([
    { name: 'Event loop delay', cat: 'eventloop', ph: 'C', ts: 1000, pid: 1, tid: 0, args: { p50Ms: 10, p99Ms: 20, maxMs: 30 } },
    { name: 'Event loop delay', cat: 'eventloop', ph: 'C', ts: 2000, pid: 1, tid: 0, args: { p50Ms: 11, p99Ms: 90, maxMs: 95 } },
    { name: 'x', cat: 'user', ph: 'X', ts: 1500, dur: 10, pid: 1, tid: 0 },
  ], { format: 'node-flight-recorder', version: 1, pid: 1, programName: 'p', argv: [], nodeVersion: 'v20', platform: 'linux', trigger: { ts: 1800, reason: 'manual', source: 'control' }, window: { startTs: 900, endTs: 2100 }, droppedEvents: 0 });
  assert.equal(m.originUs, 1800);
  assert.equal(m.trigger?.label, 'manual');
  assert.equal(m.startUs, 900);
  assert.equal(m.endUs, 2100);
  const counter = m.tracks.find((t) => t.kind === 'counter');
  assert.ok(counter && counter.kind === 'counter');
  assert.deepEqual(counter.series.map((s) => `${s.label} ${s.unit}`), ['p50 ms', 'p99 ms', 'max ms']);
  assert.equal(counter.series[counter.primary]!.key, 'p99Ms');
  assert.equal(counter.maxValue, 95);
});

test('CPU samples become a flame chart with merged runs and bottom-up totals', () => {
  const nodes = [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 } },
    { id: 2, parent: 1, callFrame: { functionName: 'main', url: 'file:///a.js', lineNumber: 0, columnNumber: 0 } },
    { id: 3, parent: 2, callFrame: { functionName: 'hot', url: 'file:///a.js', lineNumber: 9, columnNumber: 4 } },
    { id: 4, parent: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
  ];
  const m = model([
    { name: 'Profile', cat: 'cpu', ph: 'P', ts: 0, pid: 1, tid: 0, id: '0x1', args: { data: { startTime: 1000 } } },
    { name: 'ProfileChunk', cat: 'cpu', ph: 'P', ts: 0, pid: 1, tid: 0, id: '0x1', args: { data: { cpuProfile: { nodes, samples: [3, 3, 3, 2, 4, 4, 3] }, timeDeltas: [0, 100, 100, 100, 100, 100, 100] } } },
  ]);
  const flame = m.tracks.find((t) => t.kind === 'flame');
  assert.ok(flame && flame.kind === 'flame');
  assert.equal(rowCountOf(flame), 2, 'the row count, known before the rows');
  assert.equal(flame.rows.length, 2);
  assert.equal(flame.rows, flame.cpu.rows, 'made once');
  // depth 0: main [1000, 1400) and again from 1600; depth 1: hot [1000,1300) and from 1600.
  assert.deepEqual([...flame.rows[0]!.startUs], [1000, 1600]);
  assert.deepEqual([...flame.rows[0]!.endUs], [1400, 1700]);
  assert.deepEqual([...flame.rows[1]!.startUs], [1000, 1600]);
  assert.deepEqual([...flame.rows[1]!.endUs], [1300, 1700]);
  const hot = hotFunctions(flame.cpu);
  assert.equal(hot[0]!.frame.functionName, 'hot');
  assert.equal(hot[0]!.selfUs, 400);
  assert.equal(hot[0]!.frame.lineNumber, 10, 'V8 0-based lines become 1-based');
  const main = hot.find((h) => h.frame.functionName === 'main')!;
  assert.equal(main.selfUs, 100);
  assert.equal(main.totalUs, 500);
  assert.ok(!hot.some((h) => h.frame.functionName === '(idle)'));
  assert.equal(hotFunctions(flame.cpu, 1000, 1150)[0]!.selfUs, 200, 'a time range limits the samples');
});

test('a flame chart\'s row count without its rows is the deepest drawn stack, as the rows come to', () => {
  // (root) → a → b → c, (root) → idle, (root) → x → y; which leaves are sampled decides the depth.
  const nodes = [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 } },
    { id: 2, parent: 1, callFrame: { functionName: 'a', url: 'file:///a.js', lineNumber: 0, columnNumber: 0 } },
    { id: 3, parent: 2, callFrame: { functionName: 'b', url: 'file:///a.js', lineNumber: 1, columnNumber: 0 } },
    { id: 4, parent: 3, callFrame: { functionName: 'c', url: 'file:///a.js', lineNumber: 2, columnNumber: 0 } },
    { id: 5, parent: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
    { id: 6, parent: 1, callFrame: { functionName: 'x', url: 'file:///x.js', lineNumber: 0, columnNumber: 0 } },
    { id: 7, parent: 6, callFrame: { functionName: 'y', url: 'file:///x.js', lineNumber: 1, columnNumber: 0 } },
  ];
  for (const samples of [[4, 5, 7], [7, 5, 1], [5, 5], [1], [3, 7, 2], [99, 7]]) {
    const m = model([
      { name: 'Profile', cat: 'cpu', ph: 'P', ts: 0, pid: 1, tid: 0, id: '0x1', args: { data: { startTime: 1000 } } },
      { name: 'ProfileChunk', cat: 'cpu', ph: 'P', ts: 0, pid: 1, tid: 0, id: '0x1', args: { data: { cpuProfile: { nodes, samples }, timeDeltas: samples.map(() => 100) } } },
    ]);
    const flame = m.tracks.find((t) => t.kind === 'flame');
    assert.ok(flame && flame.kind === 'flame');
    const counted = flame.cpu.rowCount;
    assert.equal(counted, flame.rows.length, `samples ${samples.join(',')}`);
  }
});

test('flows bind to the spans they leave and enter', () => {
  const m = model([
    { name: 'GET /', cat: 'http.server', ph: 'X', ts: 0, dur: 100, pid: 1, tid: 0 },
    { name: 'fetch', cat: 'http.client', ph: 'X', ts: 50, dur: 30, pid: 1, tid: 0 },
    { name: 'f', cat: 'async', ph: 's', ts: 10, pid: 1, tid: 0, id: 1 },
    { name: 'f', cat: 'async', ph: 'f', ts: 55, pid: 1, tid: 0, id: 1, bp: 'e' },
  ]);
  assert.equal(m.flows.length, 1);
  const event = (span: number) => m.events[m.spans.event[span]!]!.name;
  assert.equal(event(m.flows[0]!.fromSpan), 'GET /');
  assert.equal(event(m.flows[0]!.toSpan), 'fetch');
});

test('GC totals: the heap freed by the collections that say, per kind and in all', () => {
  const m = model([
    { name: 'GC (minor)', cat: 'gc', ph: 'X', ts: 0, dur: 500, pid: 1, tid: 0, args: { kind: 'minor', heapBeforeMB: 20, heapAfterMB: 8.5 } },
    { name: 'GC (minor)', cat: 'gc', ph: 'X', ts: 1000, dur: 700, pid: 1, tid: 0, args: { kind: 'minor' } },
    { name: 'GC (major)', cat: 'gc', ph: 'X', ts: 2000, dur: 9000, pid: 1, tid: 0, args: { kind: 'major', heapBeforeMB: 64, heapAfterMB: 16 } },
    { name: 'GC (incremental)', cat: 'gc', ph: 'X', ts: 12_000, dur: 50, pid: 1, tid: 0, args: { kind: 'incremental' } },
  ]);
  const gc = gcTotals(m);
  assert.equal(gc.count, 4);
  assert.equal(gc.measured, 2);
  assert.equal(gc.freedMB, 59.5);
  assert.deepEqual(gc.kinds.map((k) => [k.kind, k.count, k.measured, k.freedMB]), [['major', 1, 1, 48], ['minor', 2, 1, 11.5], ['incremental', 1, 0, 0]]);
  assert.deepEqual(gc.longest.map((r) => r.detail), ['freed 48.0 MB', '', 'freed 11.5 MB', ''], 'longest first: 9 ms, 0.7 ms, 0.5 ms, 0.05 ms');
  assert.equal(formatMegabytes(0.25), '256 KB');
  assert.equal(formatMegabytes(-1.5), '-1.5 MB');
  assert.equal(formatMegabytes(2048), '2.00 GB');
});

test('a realistic snapshot: summaries, search, selection stats and vertical layout', () => {
  const m = snapshotModel();
  assert.ok(m.trigger);
  assert.equal(longestLoopBlocks(m)[0]!.durationUs, 842_000);
  assert.match(longestLoopBlocks(m)[0]!.detail, /renderRows render\.js:88|renderRows reports\/render\.js:88/);
  assert.equal(longestLoopBlocks(m)[0]!.thread, 'Main thread');
  const workerBlock = longestLoopBlocks(m).find((row) => row.thread === 'Worker 1 — image-resize.js');
  assert.ok(workerBlock && /^resizeImage /.test(workerBlock.detail), 'a worker\'s block names its thread and where it was');
  const gc = gcTotals(m);
  assert.ok(gc.count > 10 && gc.kinds.some((k) => k.kind === 'major'));
  assert.ok(errorRows(m).some((r) => r.name === 'Unhandled rejection'));
  // The tab's count (errorCount) is every error; the table the newest of them, oldest first.
  const every = errorRows(m, Number.MAX_SAFE_INTEGER);
  assert.ok(every.length >= 3, `errors ${every.length}`);
  assert.equal(errorCount(m), every.length);
  const newest = newestErrors(m, 2);
  assert.equal(newest.total, every.length);
  assert.deepEqual(newest.rows, every.slice(-2));
  const result = search(m, '/api/checkout');
  assert.ok(result && result.spans.length > 0);
  assert.ok(result.spans.every((s) => m.events[m.spans.event[s]!]!.name.includes('/api/checkout')));
  assert.equal(search(m, '   '), undefined);
  const all = m.tracks.filter((t) => t.kind === 'slices').map((t) => t.index);
  const stats = selectionStats(m, all, m.startUs, m.endUs);
  assert.ok(stats.spanCount > 100);
  assert.equal(stats.byName.reduce((n, e) => n + e.count, 0), stats.spanCount);

  const collapsed = new Set<string>();
  const full = layoutTracks(m, collapsed, new Set());
  let y = 0;
  for (const item of full.items) {
    assert.equal(item.y, y, 'items are stacked without gaps');
    y += item.height;
  }
  collapsed.add(m.processes[0]!.id);
  assert.equal(layoutTracks(m, collapsed, new Set()).items.length, 1, 'a collapsed process shows only its header');
  const withoutGc = layoutTracks(m, new Set(), new Set(['gc']));
  assert.ok(!withoutGc.items.some((i) => i.track?.filter === 'gc'));
});

test('unreadable input gives one clear error', () => {
  const full = JSON.stringify(makeSnapshot({ windowSeconds: 1 }));
  const truncated = loadTraceText(full.slice(0, 5000), 'cut.nodetrace.json');
  assert.ok('error' in truncated && /cut\.nodetrace\.json/.test(truncated.error));
  assert.ok('error' in loadTraceText('', 'empty.json'));
  assert.ok('error' in loadTraceText('{"hello": 1}', 'other.json'));
  assert.ok('error' in loadTraceText('not json', 'text.json'));
});

test('a request\'s details: what its thread did while it was open, from the span table', () => {
  const m = snapshotModel();
  const spanNamed = (name: string) => {
    for (let k = 0; k < m.spans.count; k++) if (m.events[m.spans.event[k]!]!.name === name) return k;
    return -1;
  };
  const slow = spanNamed('GET /api/reports/:id');
  assert.ok(slow >= 0 && isRequestSpan(m, slow));
  const { during, longestBlock } = requestContext(m, slow);
  assert.equal(during.blocks, 1);
  assert.equal(during.blockedUs, 842_000);
  assert.equal(m.events[m.spans.event[longestBlock]!]!.name, 'Event loop blocked');
  assert.ok(during.gcUs >= 0 && during.gcUs < 1_240_000);
  assert.equal(isRequestSpan(m, longestBlock), false, 'a block is not a request');
});

test('the requests table\'s loop-blocked column agrees with each request\'s details', () => {
  const m = snapshotModel();
  const spans = slowestRequestSpans(m, 60);
  const blocked = loopBlockedUs(m, spans);
  assert.equal(blocked.length, spans.length);
  spans.forEach((span, i) => assert.equal(blocked[i], requestContext(m, span).during.blockedUs, `request ${i}`));
  assert.ok(blocked.some((us) => us === 842_000), 'the slow report request');
  assert.ok(blocked.some((us) => us === 0), 'and requests that waited');
});
