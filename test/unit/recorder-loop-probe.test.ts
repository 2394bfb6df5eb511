// The loop-block probe's parts: the expression (run here, in this realm, as the inspector runs it
// in the main thread's), reading its answer defensively, and when the prober probes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInThisContext } from 'node:vm';
import { LOOP_PROBE_EXPRESSION, LOOP_PROBE_SCRIPT, LoopBlockProber, MAX_PROBE_FRAMES, PROBE_BURST, parseLoopProbe } from '../../src/recorder/watchdog/loop-probe';
import { H_LOOP_TICK_DUE_US } from '../../src/recorder/ring/layout';
import { nowUs } from '../../src/recorder/clock';
import type { LoopProbe } from '../../src/recorder/snapshot/build';

function outerCaller(): unknown {
  return innerCaller();
}
function innerCaller(): unknown {
  return runInThisContext(LOOP_PROBE_EXPRESSION);
}

test('the expression answers the stack it runs on and the time, and leaves Error as it was', () => {
  const ownPrepare = (_error: Error, sites: NodeJS.CallSite[]) => `custom ${sites.length}`;
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = ownPrepare;
  Error.stackTraceLimit = 3;
  try {
    const before = nowUs();
    const answer = outerCaller();
    const after = nowUs();
    assert.equal(Error.prepareStackTrace, ownPrepare);
    assert.equal(Error.stackTraceLimit, 3);
    const probe = parseLoopProbe(answer, before, after);
    assert.ok(probe);
    // process.hrtime is the trace clock: the time reported is the one kept.
    assert.ok(probe.ts >= before - 1000 && probe.ts <= after + 1000, `${before} ≤ ${probe.ts} ≤ ${after}`);
    assert.notEqual(probe.ts, after);
    // Under it: vm's runInThisContext (what ran it here), then the callers.
    const names = probe.frames.map((f) => f.functionName);
    const inner = names.indexOf('innerCaller');
    assert.ok(inner >= 0 && probe.frames.slice(0, inner).every((f) => f.url === 'node:vm'), JSON.stringify(probe.frames));
    assert.equal(names[inner + 1], 'outerCaller');
    assert.match(probe.frames[inner]!.url, /recorder-loop-probe\.test\.ts$/);
    assert.ok(probe.frames[inner]!.lineNumber > 0 && probe.frames[inner]!.columnNumber > 0);
    assert.ok(probe.frames.every((f) => f.url !== LOOP_PROBE_SCRIPT && f.functionName !== 'nfrLoopProbe'));
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
});

test('an answer is read defensively: wrong shapes give nothing, strings are cut, positions checked', () => {
  for (const bad of [undefined, null, 42, 'text', [], [1], [[1, 2], 'not frames'], { 0: 1, 1: [] }, [[0, 0], [], 'extra']]) {
    assert.equal(parseLoopProbe(bad, 0, 5), undefined, JSON.stringify(bad));
  }
  // Only the probe's own frames: the thread was idle — it ran, with nothing under it.
  assert.deepEqual(parseLoopProbe([[1, 0], [[null, LOOP_PROBE_SCRIPT, 1, 1]]], 999_000, 1_001_000), { ts: 1_000_000, frames: [] });
  const long = 'x'.repeat(5000);
  const probe = parseLoopProbe([['no', 'time'], [[long, '<img src=x>', -3, 1.5], 'junk', [7, {}, 12, 4], [null, LOOP_PROBE_SCRIPT, 1, 1]]], 0, 5);
  assert.ok(probe);
  assert.equal(probe.ts, 5, 'no usable time: when the answer came');
  assert.equal(probe.frames.length, 2);
  assert.equal(probe.frames[0]!.functionName.length, 512);
  assert.equal(probe.frames[0]!.url, '<img src=x>');
  assert.equal(probe.frames[0]!.lineNumber, 0);
  assert.equal(probe.frames[0]!.columnNumber, 0);
  assert.deepEqual(probe.frames[1], { functionName: '', url: '', lineNumber: 12, columnNumber: 4 });
  assert.equal(parseLoopProbe([[2, 500_000], [['f', 'a.js', 1, 1]]], 2_000_000, 2_001_000)?.ts, 2_000_500);
  // A clock the program faked (process.hrtime mocked): outside when it was asked and answered.
  assert.equal(parseLoopProbe([[0, 42], [['f', 'a.js', 1, 1]]], 2_000_000, 2_001_000)?.ts, 2_001_000);
  const many = Array.from({ length: 100 }, (_, i) => ['f' + i, 'a.js', i + 1, 1]);
  assert.equal(parseLoopProbe([[1, 0], many], 0, 5)?.frames.length, MAX_PROBE_FRAMES);
});

test('the prober probes once a tick is overdue by the threshold, once per block, and keeps what it found', async () => {
  const header = new Float64Array(8);
  const asked: string[] = [];
  const found: unknown[] = [];
  let answer: unknown = [[1, 0], [['crunch', '/app.js', 3, 9]]];
  const evaluate = async (expression: string) => {
    asked.push(expression);
    return answer;
  };
  const prober = new LoopBlockProber(header, 50, (probe) => found.push(probe), evaluate);
  header[H_LOOP_TICK_DUE_US] = nowUs() - 60_000;
  prober.check();
  assert.equal(asked.length, 0, 'not armed by a block yet: nothing probed');
  assert.equal(prober.armed, false);
  prober.arm();
  assert.equal(prober.armed, true, 'a recorded block arms it');
  header[H_LOOP_TICK_DUE_US] = 0;
  prober.check();
  assert.equal(asked.length, 0, 'no tick due: nothing to probe');
  header[H_LOOP_TICK_DUE_US] = nowUs() - 10_000;
  prober.check();
  assert.equal(asked.length, 0, 'overdue by 10 ms: not a block');
  header[H_LOOP_TICK_DUE_US] = nowUs() - 60_000;
  prober.check();
  assert.equal(asked.length, 1, 'overdue by 60 ms: probed');
  assert.equal(asked[0], LOOP_PROBE_EXPRESSION);
  await new Promise((r) => setImmediate(r));
  prober.check();
  assert.equal(asked.length, 1, 'the same block: not probed again');
  assert.equal(prober.probes().length, 1);
  assert.equal(prober.probes()[0]!.frames[0]!.functionName, 'crunch');
  assert.deepEqual(found, prober.probes());
  // Blocks close together each get a probe, up to the burst; the next waits for the bucket
  // to refill (five a second over time).
  const settle = () => new Promise((r) => setImmediate(r));
  for (let block = 1; block < PROBE_BURST; block++) {
    header[H_LOOP_TICK_DUE_US] = nowUs() - 60_000 - block * 1000;
    prober.check();
    await settle();
  }
  assert.equal(asked.length, PROBE_BURST, 'a burst of blocks: one probe each');
  header[H_LOOP_TICK_DUE_US] = nowUs() - 70_000;
  prober.check();
  assert.equal(asked.length, PROBE_BURST, 'beyond the burst: left alone');
  // An answer without the program's frames (the thread was idle by then) is not kept.
  answer = undefined;
  await new Promise((r) => setTimeout(r, 220));
  header[H_LOOP_TICK_DUE_US] = nowUs() - 80_000;
  prober.check();
  assert.equal(asked.length, PROBE_BURST + 1, 'refilled after 200 ms');
  await settle();
  assert.equal(prober.probes().length, PROBE_BURST);
  prober.stop();
  assert.equal(prober.armed, false);
});

/** A prober whose probes answer `functionName`'s frame and note when each was asked (trace µs). */
function recordingProber(header: Float64Array, afterMs: number, functionName: string): { prober: LoopBlockProber; asked: number[] } {
  const asked: number[] = [];
  const prober = new LoopBlockProber(header, afterMs, () => undefined, async () => {
    asked.push(nowUs());
    return [[1, 0], [[functionName, '/app.js', 1, 1]]];
  });
  return { prober, asked };
}

test('armed, the prober times each look for when the tick would be overdue by the threshold, not at a fixed interval', async () => {
  const array = new Float64Array(8);
  let reads = 0;
  // Counts the looks: each reads the tick's due time from the header.
  const header = new Proxy(array, {
    get(target, key) {
      if (key === String(H_LOOP_TICK_DUE_US)) reads++;
      return Reflect.get(target, key) as unknown;
    },
  });
  const { prober, asked } = recordingProber(header, 50, 'busy');
  try {
    // The tick is due in 200 ms and then never runs: a block that first shows at +250 ms.
    const armedAtUs = nowUs();
    array[H_LOOP_TICK_DUE_US] = armedAtUs + 200_000;
    prober.arm(2000);
    assert.equal(prober.pollIntervalMs, 50);
    await new Promise((r) => setTimeout(r, 170));
    // Looks every 50 ms would have read it four times by now; one timed look has not come yet.
    assert.ok(reads <= 2, `${reads} reads of the due time in 170 ms`);
    assert.equal(asked.length, 0);
    await new Promise((r) => setTimeout(r, 230));
    assert.equal(asked.length, 1, 'probed at the timed look');
    const afterMs = (asked[0]! - armedAtUs) / 1000;
    assert.ok(afterMs >= 250, `probed ${afterMs.toFixed(1)} ms after arming`);
  } finally {
    prober.stop();
  }
});

test('started, the prober looks once a second while nothing is under way, and finds a long block then', async () => {
  const header = new Float64Array(8);
  const { prober, asked } = recordingProber(header, 50, 'timerJob');
  try {
    assert.equal(prober.pollIntervalMs, 0, 'not started: no looks');
    // An idle program whose tick stopped coming 300 ms ago: a timer's job blocks its loop.
    header[H_LOOP_TICK_DUE_US] = nowUs() - 300_000;
    prober.startSentinel();
    assert.equal(prober.pollIntervalMs, 1000, 'started: a look a second');
    await new Promise((r) => setTimeout(r, 1150));
    assert.equal(asked.length, 1, 'the long block was probed at the first look');
    prober.watch(100);
    assert.equal(prober.pollIntervalMs, 200, 'work under way: faster');
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(prober.pollIntervalMs, 1000, 'the work over: back to a look a second');
    prober.stop();
    assert.equal(prober.pollIntervalMs, 0, 'stopped for good');
    assert.equal(prober.armed, false);
  } finally {
    prober.stop();
  }
});

test('watched from idle, the prober looks once when a block starting then would first show, before its slow polling', async () => {
  const header = new Float64Array(8);
  const { prober, asked } = recordingProber(header, 20, 'slowHandler');
  try {
    // The idle tick is due in 5 ms and never runs (the loop blocks): 20 ms overdue at +25 ms.
    const watchedAtUs = nowUs();
    header[H_LOOP_TICK_DUE_US] = watchedAtUs + 5_000;
    prober.watch(1000);
    assert.equal(prober.pollIntervalMs, 200);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(asked.length, 1, 'probed by the first look, before the first 200 ms poll');
    const afterMs = (asked[0]! - watchedAtUs) / 1000;
    assert.ok(afterMs >= 25 && afterMs < 190, `looked ${afterMs.toFixed(1)} ms after the notice`);
  } finally {
    prober.stop();
  }
});

test('watched from idle when the word comes late — the loop blocked past the threshold already — the prober looks at once', async () => {
  const header = new Float64Array(8);
  const { prober, asked } = recordingProber(header, 20, 'slowHandler');
  try {
    // The tick fell due 40 ms ago and has not run: a block under way, 20 ms past the threshold.
    const watchedAtUs = nowUs();
    header[H_LOOP_TICK_DUE_US] = watchedAtUs - 40_000;
    prober.watch(1000);
    assert.equal(prober.pollIntervalMs, 200);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(asked.length, 1, 'probed by a look at once, not after the 200 ms poll');
    const afterMs = (asked[0]! - watchedAtUs) / 1000;
    assert.ok(afterMs < 100, `looked ${afterMs.toFixed(1)} ms after the word`);
  } finally {
    prober.stop();
  }
});

test('while the loop works the prober looks slowly for a first block; a block arms it to look fast; each lapses on its own', async () => {
  const header = new Float64Array(8);
  const asked: string[] = [];
  const prober = new LoopBlockProber(header, 50, () => undefined, async (expression: string) => {
    asked.push(expression);
    return [[1, 0], [['firstBlock', '/app.js', 7, 3]]];
  });
  try {
    assert.equal(prober.pollIntervalMs, 0, 'an idle program: no polling');
    prober.watch(400);
    assert.equal(prober.pollIntervalMs, 200, 'the loop works: a look every 200 ms');
    header[H_LOOP_TICK_DUE_US] = nowUs() - 60_000;
    prober.check();
    assert.equal(asked.length, 1, 'a first block, overdue by the threshold: probed while only watched');
    await new Promise((r) => setImmediate(r));
    assert.equal(prober.probes()[0]!.frames[0]!.functionName, 'firstBlock');
    prober.arm(100);
    assert.equal(prober.pollIntervalMs, 50, 'a recorded block: every 50 ms');
    await new Promise((r) => setTimeout(r, 150));
    prober.check();
    assert.equal(prober.pollIntervalMs, 200, 'armed no longer, still watched: back to 200 ms');
    await new Promise((r) => setTimeout(r, 300));
    prober.check();
    assert.equal(prober.pollIntervalMs, 0, 'neither: no polling');
    assert.equal(prober.armed, false);
  } finally {
    prober.stop();
  }
});

test('a worker thread\'s block is probed in that worker, after the main thread\'s, once per block, and its probe names the thread', async () => {
  const main = new Float64Array(8);
  const worker3 = new Float64Array(8);
  const worker5 = new Float64Array(8);
  let workers = [{ tid: 3, header: worker3 }, { tid: 5, header: worker5 }];
  const asked: { threadId: number; timeoutMs: number }[] = [];
  const found: LoopProbe[] = [];
  const settle = () => new Promise((r) => setImmediate(r));
  const prober = new LoopBlockProber(main, 50, (probe) => found.push(probe), async (_expression, timeoutMs, threadId) => {
    asked.push({ threadId, timeoutMs });
    return [[1, 0], [[`in${threadId}`, '/app.js', 2, 1]]];
  }, () => workers);
  try {
    prober.arm();
    const now = nowUs();
    main[H_LOOP_TICK_DUE_US] = now + 50_000;
    worker3[H_LOOP_TICK_DUE_US] = now - 10_000;
    worker5[H_LOOP_TICK_DUE_US] = now - 80_000;
    prober.check();
    assert.deepEqual(asked.map((a) => a.threadId), [5], 'the worker overdue by the threshold, not the one 10 ms late');
    assert.ok(asked[0]!.timeoutMs < 5_000, 'a worker\'s probe gives up sooner than the main thread\'s');
    await settle();
    assert.deepEqual(found, [{ ts: found[0]!.ts, frames: [{ functionName: 'in5', url: '/app.js', lineNumber: 2, columnNumber: 1 }], tid: 5 }]);
    prober.check();
    await settle();
    assert.equal(asked.length, 1, 'the same block of that worker: not probed again');
    // The main thread and a worker blocked at once: the main thread first, the worker at the next look.
    main[H_LOOP_TICK_DUE_US] = nowUs() - 70_000;
    worker3[H_LOOP_TICK_DUE_US] = nowUs() - 70_000;
    prober.check();
    await settle();
    assert.deepEqual(asked.map((a) => a.threadId), [5, 0]);
    assert.equal(found[1]!.tid, undefined, 'a main-thread probe names no thread');
    await new Promise((r) => setTimeout(r, 220)); // the bucket refills
    prober.check();
    await settle();
    assert.deepEqual(asked.map((a) => a.threadId), [5, 0, 3]);
    // Worker probes have a bucket of their own, smaller (each costs the main thread more): two
    // taken, the next worker block waits, while the main thread's next block is still probed.
    worker5[H_LOOP_TICK_DUE_US] = nowUs() - 90_000;
    prober.check();
    await settle();
    assert.deepEqual(asked.map((a) => a.threadId), [5, 0, 3], 'worker probes spent');
    main[H_LOOP_TICK_DUE_US] = nowUs() - 95_000;
    prober.check();
    await settle();
    assert.deepEqual(asked.map((a) => a.threadId), [5, 0, 3, 0], 'the main thread\'s own bucket');
    // A worker gone from the list (it exited) is not looked at.
    workers = [];
    await new Promise((r) => setTimeout(r, 1100));
    prober.check();
    await settle();
    assert.equal(asked.length, 4);
  } finally {
    prober.stop();
  }
});

test('with many workers, worker probes come less often (each attaches to all of them)', async () => {
  const main = new Float64Array(8);
  const pool = Array.from({ length: 16 }, (_, i) => ({ tid: i + 1, header: new Float64Array(8) }));
  const asked: number[] = [];
  const prober = new LoopBlockProber(main, 50, () => undefined, async (_expression, _timeoutMs, threadId) => {
    asked.push(threadId);
    return undefined;
  }, () => pool);
  const settle = () => new Promise((r) => setImmediate(r));
  const blockAll = () => {
    main[H_LOOP_TICK_DUE_US] = nowUs() + 5_000_000; // far ahead: the looks in between see no main-thread block
    for (const worker of pool) worker.header[H_LOOP_TICK_DUE_US] = nowUs() - 80_000 - Math.random() * 1000;
  };
  try {
    prober.arm();
    for (let i = 0; i < 3; i++) {
      blockAll();
      prober.check();
      await settle();
    }
    assert.equal(asked.length, 2, 'the burst');
    // A second and a bit: one worker among few would have its next probe; sixteen halve the rate.
    await new Promise((r) => setTimeout(r, 1100));
    blockAll();
    prober.check();
    await settle();
    assert.equal(asked.length, 2, 'sixteen workers: not yet');
    await new Promise((r) => setTimeout(r, 1100));
    blockAll();
    prober.check();
    await settle();
    assert.equal(asked.length, 3, 'after two seconds');
  } finally {
    prober.stop();
  }
});
