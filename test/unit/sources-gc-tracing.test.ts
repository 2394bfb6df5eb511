import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { gcSource, nextTracingWindowMs, observerIsCheaper } from '../../src/recorder/sources/gc';
import { GcTraceReader, type V8TraceEvent } from '../../src/recorder/sources/gc-trace-events';
import { startGcTracing } from '../../src/recorder/sources/gc-tracing';
import { installSources, until } from './sources-fake-ring';

const MAIN = 100;

test('the trace reader pairs the main thread\'s MinorGC and MajorGC begins and ends, across batches', () => {
  const reader = new GcTraceReader(MAIN);
  const first: V8TraceEvent[] = [
    { name: 'MinorGC', ph: 'B', ts: 1000, tid: MAIN, args: { usedHeapSizeBefore: 5_000_000, type: 'allocation failure' } },
    { name: 'V8.GCScavenger', ph: 'X', ts: 1001, dur: 300, tid: MAIN },
    { name: 'MinorGC', ph: 'E', ts: 1400, tid: MAIN, args: { usedHeapSizeAfter: 3_000_000 } },
    { name: 'MinorGC', ph: 'B', ts: 2000, tid: 7 }, // another thread (a worker, the watchdog)
    { name: 'MinorGC', ph: 'E', ts: 2100, tid: 7 },
    { name: 'V8.GCIncrementalMarkingStart', ph: 'X', ts: 2500, dur: 40, tid: MAIN },
    { name: 'MajorGC', ph: 'B', ts: 3000, tid: MAIN },
  ];
  const window = reader.read(first);
  assert.deepEqual(window.collections, [
    { startUs: 1000, durUs: 400, kind: 1, heapBeforeBytes: 5_000_000, heapAfterBytes: 3_000_000 },
    { startUs: 2500, durUs: 40, kind: 3 },
  ]);
  assert.equal(window.otherThreadEvents, 2, 'the other thread\'s events are counted (what they cost to read)');
  // The major collection's end comes with the next window.
  assert.deepEqual(reader.read([{ name: 'MajorGC', ph: 'E', ts: 3900, tid: MAIN, args: { usedHeapSizeAfter: 7 } }, { name: 'MinorGC', ph: 'E', ts: 4000, tid: MAIN }]).collections, [
    { startUs: 3000, durUs: 900, kind: 2 },
  ], 'an end without its begin is ignored; heap sizes only when both are known');
});

test('the trace reader takes the main thread from the thread_name metadata', () => {
  const reader = new GcTraceReader(1);
  const events: V8TraceEvent[] = [
    { name: 'thread_name', ph: 'M', ts: 0, tid: 42, args: { name: 'JavaScriptMainThread' } },
    { name: 'MinorGC', ph: 'B', ts: 10, tid: 42 },
    { name: 'MinorGC', ph: 'E', ts: 15, tid: 42 },
    { name: 'MinorGC', ph: 'B', ts: 20, tid: 1 },
    { name: 'MinorGC', ph: 'E', ts: 25, tid: 1 },
    { name: 'MinorGC', ph: 'B', ts: 'x', tid: 42 },
  ];
  assert.deepEqual(reader.read(events).collections, [{ startUs: 10, durUs: 5, kind: 1 }]);
});

function churn(): void {
  const keep: unknown[] = new Array(1000);
  for (let i = 0; i < 400_000; i++) keep[i % 1000] = { i, s: `x${i}` };
}

test('V8\'s trace events show the main thread\'s collections, on the trace clock', () => {
  const tracing = startGcTracing();
  assert.ok(tracing, 'tracing starts on the main thread');
  try {
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    churn();
    const collections = tracing.rotate()?.collections;
    const toUs = Number(process.hrtime.bigint() / 1000n);
    assert.ok(collections && collections.length > 0, 'collections seen');
    // Young-generation churn: minor collections (V8 may also begin marking the old generation).
    assert.ok(collections.some((c) => c.kind === 1), JSON.stringify(collections));
    for (const c of collections) {
      assert.ok([1, 2, 3].includes(c.kind));
      assert.ok(c.startUs >= fromUs && c.startUs + c.durUs <= toUs, `within the churn: ${c.startUs} in [${fromUs}, ${toUs}]`);
    }
    assert.ok(Array.isArray(tracing.rotate()?.collections), 'the next window works too');
  } finally {
    tracing.close();
  }
  assert.equal(tracing.rotate(), undefined, 'closed: says so');
});

test('the gc source switches to tracing on the main thread; a snapshot takes the open window, which then still reaches the ring once', async () => {
  const source = gcSource({ tracingAfterMs: 0 });
  const recorder = installSources([source]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 20)); // the switch
    churn();
    const taken = source.snapshotEvents!(0, Number.MAX_SAFE_INTEGER, 1, 0);
    assert.ok(taken.length > 0, 'the snapshot has the window\'s collections');
    assert.ok(taken.every((e) => e.cat === 'gc' && e.ph === 'X' && /^GC \((minor|major|incremental)\)$/.test(e.name)), JSON.stringify(taken.slice(0, 3)));
    const minor = taken.find((e) => e.name === 'GC (minor)');
    assert.ok(minor && Number(minor.args?.heapBeforeMB) > 0 && Number(minor.args?.heapAfterMB) > 0, `V8's heap sizes: ${JSON.stringify(minor?.args)}`);
    await until(() => recorder.ring.decode().filter((e) => e.cat === 'gc').length >= taken.length, 5000, 'the taken collections in the ring');
    const inRing = recorder.ring.decode().filter((e) => e.cat === 'gc').map((e) => e.ts);
    for (const event of taken) assert.equal(inRing.filter((ts) => ts === event.ts).length, 1, 'each collection once');
    assert.ok(recorder.rules.gc.length >= taken.length, 'rules hear of them');
    assert.deepEqual(recorder.hookErrors, []);
  } finally {
    recorder.uninstall();
  }
  assert.deepEqual(source.snapshotEvents!(0, Number.MAX_SAFE_INTEGER, 1, 0), [], 'uninstalled: nothing');
});

test('collections reach the ring within about a second when a rule watches GC pauses, later when none does', async () => {
  const gcRecordsIn = (recorder: ReturnType<typeof installSources>) => recorder.ring.decode().filter((e) => e.cat === 'gc').length;
  const watching = installSources([]);
  const quiet = installSources([]);
  const watchingSource = gcSource({ tracingAfterMs: 0 });
  const quietSource = gcSource({ tracingAfterMs: 0 });
  const uninstalls = [
    watchingSource.install({ ...watching.context, rules: { ...watching.context.rules, watchesGcPauses: true } }),
    quietSource.install({ ...quiet.context, rules: { ...quiet.context.rules, watchesGcPauses: false } }),
  ];
  try {
    await new Promise((resolve) => setTimeout(resolve, 20)); // the switch
    churn();
    // Both first windows are short (a second: how many events other threads add is not known yet).
    await until(() => gcRecordsIn(watching) > 0 && gcRecordsIn(quiet) > 0, 3000, 'both first windows in the ring');
    const quietBefore = gcRecordsIn(quiet);
    const watchedBefore = gcRecordsIn(watching);
    churn();
    await until(() => gcRecordsIn(watching) > watchedBefore, 3000, 'the next watched window in the ring');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(gcRecordsIn(quiet), quietBefore, 'nothing waits for a collection: its window is still open');
    assert.ok(quietSource.snapshotEvents!(0, Number.MAX_SAFE_INTEGER, 1, 0).length > 0, 'a snapshot still has them');
  } finally {
    for (const uninstall of uninstalls) uninstall();
  }
});

test('in a worker thread the gc source stays with the observer', () => {
  const recorder = installSources([]);
  const source = gcSource({ tracingAfterMs: 0 });
  const uninstall = source.install({ ...recorder.context, tid: 3 });
  try {
    assert.deepEqual(source.snapshotEvents!(0, Number.MAX_SAFE_INTEGER, 1, 3), []);
  } finally {
    uninstall();
  }
});

test('tracing windows: short in a storm of collections, the busy length while there are some, doubling while there are none', () => {
  assert.equal(nextTracingWindowMs(5, 4000, 4000), 4000);
  assert.equal(nextTracingWindowMs(5, 1000, 1000), 1000);
  assert.equal(nextTracingWindowMs(301, 4000, 4000), 1000, 'a storm: a window\'s read stays small');
  assert.equal(nextTracingWindowMs(300, 4000, 4000), 4000);
  assert.equal(nextTracingWindowMs(0, 4000, 4000), 8000);
  assert.equal(nextTracingWindowMs(0, 8000, 4000), 8000, 'at most 8 s');
  assert.equal(nextTracingWindowMs(0, 1000, 4000), 2000);
});

test('the observer is cheaper once other threads\' events cost more to read than tracing saves on the main thread\'s collections', () => {
  assert.equal(observerIsCheaper(0, 0), false);
  assert.equal(observerIsCheaper(125, 0), false, 'about a millisecond of other threads\' events is let be');
  assert.equal(observerIsCheaper(126, 0), true);
  assert.equal(observerIsCheaper(1334, 2), true, 'two busy workers, an idle main thread (a 4 s window measured here)');
  assert.equal(observerIsCheaper(0, 104), false, 'a loaded server\'s own collections');
  assert.equal(observerIsCheaper(210, 104), false, 'a busy main thread absorbs a snapshot\'s worth of the watchdog\'s');
  assert.equal(observerIsCheaper(400, 104), true);
});

test('a busy worker thread sends the main thread back to the observer, and tracing is tried again once they are gone', async () => {
  const recorder = installSources([]);
  const source = gcSource({ tracingAfterMs: 0, tracingRetryMs: 3000 });
  const uninstall = source.install(recorder.context);
  // Allocating without pause: hundreds of collections a second, whatever else the machine runs.
  const busy = `const keep = []; for (;;) for (let i = 0; i < 100000; i++) keep[i % 1000] = { i, s: 'x' + i };`;
  const workers = [new Worker(busy, { eval: true })];
  const tracingSeesMainCollections = () => {
    churn();
    return source.snapshotEvents!(0, Number.MAX_SAFE_INTEGER, 1, 0).length > 0;
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, 20)); // the switch
    assert.ok(tracingSeesMainCollections(), 'tracing at first');
    // Looked at twice a second, not more: the main thread's own collections (the look's churn)
    // are what tracing saves, and would argue for it.
    const deadline = Date.now() + 10_000;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (!tracingSeesMainCollections()) break;
      assert.ok(Date.now() < deadline, 'back to the observer within 10 s');
    }
    const gcInRing = () => recorder.ring.decode().filter((e) => e.cat === 'gc').length;
    const before = gcInRing();
    churn();
    await until(() => gcInRing() > before, 5000, 'the observer records the main thread\'s collections');
    await Promise.all(workers.map((worker) => worker.terminate()));
    await until(() => tracingSeesMainCollections(), 10_000, 'tracing again once the worker is gone');
    assert.deepEqual(recorder.hookErrors, []);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    uninstall();
    recorder.uninstall();
  }
});
