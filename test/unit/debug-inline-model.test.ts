// The inline trace's model: loop blocks, slow requests and hot lines placed on source lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildInlineModel, functionLenses, lensText } from '../../src/extension/inline/inline-model';
import type { LoadedTrace } from '../../src/format/read';
import type { TraceEvent } from '../../src/format/trace-event';

const APP = 'file:///w/app.js';
const pid = 7;
const tid = 0;

// Profile nodes: root → handle (app.js fn at 0-based line 9) → busy (0-based line 2, ticks on line 5).
const nodes = [
  { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 4] },
  { id: 2, callFrame: { functionName: 'handle', url: APP, lineNumber: 9, columnNumber: 0 }, children: [3] },
  { id: 3, callFrame: { functionName: 'busy', url: APP, lineNumber: 2, columnNumber: 0 }, positionTicks: [{ line: 4, ticks: 1 }, { line: 5, ticks: 40 }] },
  { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
];

function trace(): LoadedTrace {
  const samples: number[] = [];
  const deltas: number[] = [];
  // 1000..1300 ms: 30 samples of 10 ms in busy; 1300..1400: 10 samples in handle; then idle.
  const add = (node: number, count: number, firstDeltaUs = 10_000) => {
    for (let i = 0; i < count; i++) {
      samples.push(node);
      deltas.push(i === 0 ? firstDeltaUs : 10_000);
    }
  };
  add(3, 30, 1_000_000);
  add(2, 10);
  add(4, 10);
  const events: TraceEvent[] = [
    { name: 'Profile', cat: 'cpu', ph: 'P', ts: 0, pid, tid, id: '0x1', args: { data: { startTime: 0 } } },
    { name: 'ProfileChunk', cat: 'cpu', ph: 'P', ts: 2_000_000, pid, tid, id: '0x1', args: { data: { cpuProfile: { nodes, samples }, timeDeltas: deltas } } },
    // A block with no frames: placed by the samples inside it (busy, line 5).
    { name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: 1_000_000, dur: 300_000, pid, tid, args: { thresholdMs: 50 } },
    // A block with its own frames: placed there, internal frames skipped.
    { name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: 3_000_000, dur: 110_000, pid, tid, args: { thresholdMs: 50, frames: [{ functionName: 'x', url: 'node:internal/timers', lineNumber: 1, columnNumber: 1 }, { functionName: 'slowSort', url: APP, lineNumber: 21, columnNumber: 3 }] } },
    { name: 'GET /report', cat: 'http.server', ph: 'b', ts: 990_000, id: 1, pid, tid, args: { method: 'GET', url: '/report' } },
    { name: 'GET /report', cat: 'http.server', ph: 'e', ts: 1_410_000, id: 1, pid, tid, args: { status: 200 } },
    { name: 'GET /hello', cat: 'http.server', ph: 'b', ts: 5_000_000, id: 2, pid, tid, args: {} },
    { name: 'GET /hello', cat: 'http.server', ph: 'e', ts: 5_002_000, id: 2, pid, tid, args: { status: 200 } },
  ];
  return { traceEvents: events, window: { startTs: 0, endTs: 6_000_000 } };
}

test('blocks, the slowest request and hot lines land on the lines the samples and frames say', () => {
  const model = buildInlineModel(trace());
  const blocks = model.items.filter((i) => i.kind === 'block');
  assert.deepEqual(blocks.map((b) => [b.url, b.lineNumber, b.durationMs]), [[APP, 5, 300], [APP, 21, 110]]);
  assert.equal(blocks[0]?.functionName, 'busy');
  assert.equal(blocks[0]?.functionLine, 3);
  const spans = model.items.filter((i) => i.kind === 'span');
  assert.equal(spans.length, 1, 'GET /hello spent no sampled CPU: nothing to place');
  assert.equal(spans[0]?.lineNumber, 5);
  assert.equal(spans[0]?.title, 'GET /report 420 ms (200)');
  const cpu = model.items.filter((i) => i.kind === 'cpu');
  assert.deepEqual(cpu.map((c) => [c.lineNumber, c.percent]), [[5, 75], [10, 25]]);
  assert.equal(model.sampledMs, 400, 'idle samples are not CPU time');
});

test('CodeLens per function: "3 blocks, 410 ms; 12 % CPU"', () => {
  const model = buildInlineModel(trace());
  const lenses = functionLenses(model.items);
  const busy = lenses.find((l) => l.functionName === 'busy');
  assert.ok(busy);
  assert.equal(busy.lineNumber, 3);
  assert.equal(lensText(busy), '1 block, 300 ms; 1 slow request; 75 % CPU');
  // With the editor's symbols: every line inside 1..30 belongs to one function.
  const one = functionLenses(model.items, (line) => (line <= 30 ? { name: 'all', lineNumber: 1 } : undefined));
  assert.equal(one.length, 1);
  assert.equal(lensText(one[0]!), '2 blocks, 410 ms; 1 slow request; 100 % CPU');
});

test('a trace without samples or frames gives nothing to draw, not an error', () => {
  const model = buildInlineModel({ traceEvents: [{ name: 'Event loop blocked', cat: 'eventloop', ph: 'X', ts: 0, dur: 10, pid, tid }], window: { startTs: 0, endTs: 1 } });
  assert.deepEqual(model.items, []);
});
