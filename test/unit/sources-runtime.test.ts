import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { asyncCausalitySource } from '../../src/recorder/sources/async-causality';
import { consoleSource, consoleText } from '../../src/recorder/sources/console';
import { cpuProfileSource, MAX_BYTES } from '../../src/recorder/sources/cpu-profile';
import { profileWindowEvents } from '../../src/recorder/sources/profile-events';
import { errorsSource } from '../../src/recorder/sources/errors';
import { eventLoopSource } from '../../src/recorder/sources/event-loop';
import { fsSource } from '../../src/recorder/sources/fs';
import { gcSource } from '../../src/recorder/sources/gc';
import { memorySource } from '../../src/recorder/sources/memory';
import { processesSource } from '../../src/recorder/sources/processes';
import { userTimingSource } from '../../src/recorder/sources/user-timing';
import { createSources, decoders } from '../../src/recorder/sources/index';
import type { TraceEvent } from '../../src/format/trace-event';
import { installSources, until } from './sources-fake-ring';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('every kind a source writes has a decoder in 32–255, and createSources honours opt-ins', () => {
  for (const kind of decoders.keys()) assert.ok(kind >= 32 && kind <= 255);
  const names = (options: object) => createSources(options).map((s) => s.name);
  assert.ok(!names({}).includes('cpu-profile') && !names({}).includes('async-causality') && !names({}).includes('fs'));
  assert.ok(names({ cpuSamplingIntervalUs: 1000, asyncCausality: true, fs: true }).includes('cpu-profile'));
  assert.ok(names({ asyncCausality: true }).includes('async-causality'));
  assert.ok(names({ fs: true }).includes('fs'));
  assert.ok(names({}).includes('gc') && !names({ gc: false }).includes('gc'), 'GC on by default, off on request');
});

test('a blocked event loop becomes one slice of about its length, and the rule hears it', async () => {
  const recorder = installSources([eventLoopSource(50)]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 60));
    // Each tick notes when the next falls due (the watchdog reads a loop as blocked from it).
    const dueUs = recorder.ring.loopTicksDueUs;
    assert.ok(dueUs.length >= 1 && dueUs.at(-1)! > recorder.ring.nowUs() - 100_000 && dueUs.at(-1)! <= recorder.ring.nowUs() + 100_000, `due ${dueUs.at(-1)}`);
    const dueBeforeBlock = dueUs.at(-1)!;
    // A loaded machine may have reported a short block of its own already (this process kept
    // off a core while it ran): wait for the tick after this one.
    const blocksBefore = recorder.rules.blocks.length;
    busyWait(200);
    await until(() => recorder.rules.blocks.length > blocksBefore, 3000, 'a loop block');
    assert.ok(dueUs.at(-1)! > dueBeforeBlock, 'the tick after the block noted a new due time');
    await until(() => recorder.ring.decode().some((e) => e.name === 'Event loop delay'), 3000, 'delay counters');
    const events = recorder.ring.decode();
    // A loaded machine may add short blocks of its own; the 200 ms one must be there once.
    const blocks = events.filter((e) => e.name === 'Event loop blocked' && (e.dur ?? 0) >= 150_000);
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0]?.cat, 'eventloop');
    assert.ok((blocks[0]?.dur ?? 0) >= 190_000 && (blocks[0]?.dur ?? 0) < 400_000, `dur ${blocks[0]?.dur}`);
    const delay = events.find((e) => e.name === 'Event loop delay' && Number(e.args?.maxMs) >= 100);
    assert.ok(delay, 'the delay histogram saw the block');
    // Drawn over the interval it describes: a counter holds from its time to the next, so the
    // one that saw the block starts before the block ended (stamped when sampled, it started
    // after: the block's delay drawn after the block).
    const blockEndUs = blocks[0]!.ts + blocks[0]!.dur!;
    assert.ok(delay.ts < blockEndUs, `the counter that saw the block starts at ${delay.ts}, before the block's end at ${blockEndUs}`);
    const next = events.find((e) => e.name === 'Event loop delay' && e.ts > delay.ts);
    if (next) assert.ok(next.ts >= blockEndUs, 'the next interval starts after the block: the one that saw it covers its end');
    // Utilisation from the tick's own idle-time reads: a share of each counter interval, and the
    // interval that held the 200 ms block was mostly busy.
    const utilization = events.filter((e) => e.name === 'Event loop utilization' && e.ph === 'C').map((e) => Number(e.args?.utilization));
    assert.ok(utilization.length > 0 && utilization.every((u) => u >= 0 && u <= 1), `utilisation within 0–1: ${utilization}`);
    await until(() => recorder.ring.decode().some((e) => e.name === 'Event loop utilization' && Number(e.args?.utilization) >= 0.15), 3000, 'a busy interval');
  } finally {
    recorder.uninstall();
  }
});

const countsLoopTurns = typeof (performance.nodeTiming as unknown as { uvMetricsInfo?: { loopCount?: unknown } }).uvMetricsInfo?.loopCount === 'number';

test('a loop busy with short callbacks is not blocked; a block after an idle wait and a few turns still is', { skip: !countsLoopTurns && 'Node before 20.18 does not count the loop\'s turns' }, async () => {
  const recorder = installSources([eventLoopSource(50)]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 60));
    // 600 ms of 2 ms callbacks back to back: the loop never stays away from its timers for more
    // than ~2 ms, though every tick sees a whole tick of busy time (twelve 50 ms "blocks" before).
    const blocksBefore = recorder.rules.blocks.length;
    await new Promise<void>((resolve) => {
      const endMs = performance.now() + 600;
      const step = () => {
        busyWait(2);
        if (performance.now() < endMs) setImmediate(step);
        else resolve();
      };
      setImmediate(step);
    });
    await new Promise((resolve) => setTimeout(resolve, 120)); // the ticks after it
    const saturated = recorder.rules.blocks.slice(blocksBefore);
    // A loaded machine may keep this process off a core for a tick or two: that is a block.
    assert.ok(saturated.length <= 2, `busy but turning: ${saturated.length} blocks (${saturated.join(', ')} ms)`);
    // An idle wait, a timer and two immediates, then 90 ms away from the timers: a block.
    const blocksAfter = recorder.rules.blocks.length;
    await new Promise<void>((resolve) => setTimeout(() => setImmediate(() => setImmediate(() => {
      busyWait(90);
      resolve();
    })), 30));
    await until(() => recorder.rules.blocks.slice(blocksAfter).some((ms) => ms >= 85), 3000, 'the 90 ms block');
  } finally {
    recorder.uninstall();
  }
});

test('a flush right after a block (a snapshot before the tick) reports it once; the tick that follows does not again', async () => {
  const source = eventLoopSource(50);
  const recorder = installSources([source]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(source.flush?.(), false, 'the loop was not away: nothing to report');
    const blocksBefore = recorder.rules.blocks.length; // (a loaded machine's own short block, if any)
    busyWait(150);
    assert.equal(source.flush?.(), true, 'the block, reported before the loop turns again');
    assert.equal(recorder.rules.blocks.length, blocksBefore + 1, 'the rules heard of it');
    assert.equal(source.flush?.(), false, 'reported once');
    await new Promise((resolve) => setTimeout(resolve, 250)); // ticks run again
    const blocks = recorder.ring.decode().filter((e) => e.name === 'Event loop blocked' && (e.dur ?? 0) >= 100_000);
    assert.equal(blocks.length, 1, JSON.stringify(blocks));
    assert.ok(blocks[0]!.dur! >= 140_000 && blocks[0]!.dur! < 400_000, `dur ${blocks[0]!.dur}`);
    recorder.uninstall();
    busyWait(100);
    assert.equal(source.flush?.(), false, 'uninstalled: nothing reported');
  } finally {
    recorder.uninstall();
  }
});

test('a snapshot takes the counters of the interval under way, so the last ones do not hold past it', async () => {
  const source = eventLoopSource(50);
  const recorder = installSources([source]);
  const delays = () => recorder.ring.decode().filter((e) => e.name === 'Event loop delay');
  try {
    await until(() => delays().length >= 1, 3000, 'the first delay counter');
    const first = delays().at(-1)!;
    // A block in the next interval, over before the snapshot; its counter is not due yet.
    busyWait(200);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const beforeFlush = delays().length;
    const tookUs = recorder.ring.nowUs();
    source.flush?.();
    const after = delays();
    // (A slow machine may have reached the interval's end in the 60 ms: then the tick wrote it.)
    const last = after.at(-1)!;
    assert.ok(after.length > beforeFlush || last.ts > first.ts, 'a counter for the interval under way');
    assert.ok(last.ts > first.ts && last.ts < tookUs, `it starts where the last one ended (${last.ts}), before the snapshot (${tookUs})`);
    assert.ok(Number(last.args?.maxMs) >= 100, `and it saw the block: max ${last.args?.maxMs} ms`);
    assert.ok(recorder.ring.decode().some((e) => e.name === 'Event loop utilization' && e.ts === last.ts), 'utilisation for the same interval');
    const count = delays().length;
    source.flush?.();
    assert.equal(delays().length, count, 'a second snapshot moments later writes no sliver of an interval');
  } finally {
    recorder.uninstall();
  }
});

test('garbage collections and memory counters', async () => {
  const recorder = installSources([gcSource(), memorySource()]);
  try {
    let keep: unknown[] = [];
    await until(() => {
      for (let i = 0; i < 20_000; i++) keep.push({ i, s: `x${i}` });
      if (keep.length > 200_000) keep = [];
      return recorder.rules.gc.length > 0;
    }, 10_000, 'a GC');
    await until(() => recorder.ring.decode().some((e) => e.cat === 'gc'), 3000, 'a gc record');
    const events = recorder.ring.decode();
    const gc = events.find((e) => e.cat === 'gc');
    assert.match(gc?.name ?? '', /^GC \((minor|major|incremental|weakcb|unknown)\)$/);
    assert.equal(gc?.ph, 'X');
    const memory = events.find((e) => e.name === 'Memory');
    assert.equal(memory?.ph, 'C');
    assert.ok(Number(memory?.args?.heapUsedMB) > 1 && Number(memory?.args?.rssMB) > Number(memory?.args?.heapUsedMB) / 2);
    assert.ok(recorder.rules.heap.length >= 1);
  } finally {
    recorder.uninstall();
  }
});

test('memory is sampled at the loop tick about once a second, with no timer of its own', async () => {
  const recorder = installSources([memorySource()], 0);
  const samples = () => recorder.ring.decode().filter((e) => e.name === 'Memory').length;
  try {
    assert.equal(samples(), 1, 'one sample at install');
    assert.equal(recorder.tickWork.size, 1, 'its work given to the tick');
    recorder.context.runLoopTickWork();
    assert.equal(samples(), 1, 'a tick within the second takes none');
    // No timer of its own keeps sampling: without ticks, nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(samples(), 1, 'no ticks, no samples');
    recorder.context.runLoopTickWork();
    assert.equal(samples(), 2, 'the first tick a second later takes one');
    recorder.context.runLoopTickWork();
    assert.equal(samples(), 2);
    assert.equal(recorder.rules.heap.length, 2, 'the heap rule hears each sample');
  } finally {
    recorder.uninstall();
  }
  assert.equal(recorder.tickWork.size, 0, 'uninstalled: off the tick');
});

test('console calls are recorded and passed through unchanged; later replacements win', () => {
  const printed: unknown[][] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...args: unknown[]) => void printed.push(args);
  console.error = (...args: unknown[]) => void printed.push(['E', ...args]);
  const recorder = installSources([consoleSource(16)]);
  try {
    console.log('hello %s', 'world', 42);
    console.error('x'.repeat(100));
    assert.deepEqual(printed, [['hello %s', 'world', 42], ['E', 'x'.repeat(100)]]);
    const events = recorder.ring.decode();
    assert.deepEqual(events.map((e) => [e.name, e.args?.text, e.args?.stream]), [
      ['console.log', 'hello world 42', 'stdout'],
      ['console.error', 'x'.repeat(16), 'stderr'],
    ]);
    assert.equal(events[1]?.args?.truncated, true);
    const mine = (...args: unknown[]) => void (printed as unknown[][]).push(Array.of<unknown>('mine', ...args));
    console.log = mine;
    console.log('after');
    assert.equal(recorder.ring.records.length, 2, 'a replaced console.log is not recorded');
    recorder.uninstall();
    assert.equal(console.log, mine, 'uninstall leaves the program\'s own method');
  } finally {
    recorder.uninstall();
    console.log = saved.log;
    console.error = saved.error;
  }
  assert.equal(consoleText(['é'.repeat(10)], 5).text, 'éé');
});

test('performance marks and measures, recorded as the calls return', () => {
  const recorder = installSources([userTimingSource()]);
  try {
    const returned = performance.mark('sources-test-start', { detail: { kept: true } });
    assert.equal(returned.name, 'sources-test-start', 'the program gets its entry back');
    assert.deepEqual(returned.detail, { kept: true });
    assert.equal(performance.mark.name, 'mark');
    assert.equal(recorder.ring.records.length, 1, 'written by the call itself, no observer delivery to wait for');
    busyWait(5);
    performance.measure('sources-test-measure', 'sources-test-start');
    const events = recorder.ring.decode();
    const mark = events.find((e) => e.name === 'sources-test-start');
    const measure = events.find((e) => e.name === 'sources-test-measure');
    assert.equal(mark?.ph, 'i');
    assert.equal(measure?.ph, 'X');
    assert.equal(measure?.cat, 'user');
    assert.ok((measure?.dur ?? 0) >= 4000);
    assert.ok(Math.abs((measure?.ts ?? 0) - (mark?.ts ?? 0)) < 1000, 'measure starts at the mark');
    assert.throws(() => performance.measure('bad', 'no-such-mark'), /no-such-mark/, 'errors reach the program unchanged');
  } finally {
    performance.clearMarks();
    performance.clearMeasures();
    recorder.uninstall();
  }
  assert.equal(Object.prototype.hasOwnProperty.call(performance, 'mark'), false, 'uninstall removes the wrapper');
  assert.equal(Object.prototype.hasOwnProperty.call(performance, 'measure'), false);

  const again = installSources([userTimingSource()]);
  const programs = () => undefined;
  try {
    (performance as unknown as { mark: unknown }).mark = programs;
  } finally {
    again.uninstall();
  }
  assert.equal((performance as unknown as { mark: unknown }).mark, programs, 'a method the program put there since is left alone');
  delete (performance as unknown as { mark?: unknown }).mark;
});

test('warnings and uncaught errors with their stacks', async () => {
  const recorder = installSources([errorsSource()]);
  try {
    process.emitWarning('careful now', 'SourcesTestWarning');
    await until(() => recorder.ring.records.length >= 1, 3000, 'a warning');
    (process.emit as (event: string, ...args: unknown[]) => boolean)('uncaughtExceptionMonitor', new TypeError('boom'), 'unhandledRejection');
    const events = recorder.ring.decode();
    const warning = events.find((e) => e.name === 'Warning');
    assert.equal(warning?.args?.message, 'SourcesTestWarning: careful now');
    const rejection = events.find((e) => e.name === 'Unhandled rejection');
    assert.equal(rejection?.args?.message, 'TypeError: boom');
    assert.ok(Array.isArray(rejection?.args?.frames) && (rejection.args.frames as unknown[]).length > 0);
    assert.match(String(rejection?.args?.stack), /sources-runtime\.test\.ts/);
  } finally {
    recorder.uninstall();
  }
});

test('child processes and worker threads, with redacted command lines', async () => {
  const recorder = installSources([processesSource({})]);
  try {
    const child = spawn(process.execPath, ['-e', 'process.exit(3)', '--', '--token=abc'], { stdio: 'ignore' });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 3);
    const worker = new Worker('process.exit(5)', { eval: true });
    const threadId = worker.threadId;
    await new Promise((resolve) => worker.on('exit', resolve));
    await until(() => recorder.ring.records.length >= 4, 3000, 'process records');
    const events = recorder.ring.decode();
    const spawned = events.find((e) => e.cat === 'child_process' && e.ph === 'b');
    const exited = events.find((e) => e.cat === 'child_process' && e.ph === 'e');
    assert.equal(spawned?.id, child.pid);
    assert.match(String(spawned?.args?.command), /--token=\*\*\*/);
    assert.equal(exited?.args?.exitCode, 3);
    assert.equal(exited?.name, spawned?.name);
    const workerEnd = events.find((e) => e.cat === 'worker' && e.ph === 'e');
    assert.equal(workerEnd?.id, threadId);
    assert.equal(workerEnd?.args?.exitCode, 5);
  } finally {
    recorder.uninstall();
  }
});

function hotLoop(ms: number): number {
  let x = 0;
  const end = Date.now() + ms;
  // Check the clock rarely, so samples land in hotLoop itself rather than in the clock call.
  while (Date.now() < end) for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + i);
  return x;
}

test('CPU sampling: DevTools Profile/ProfileChunk events naming the hot function', () => {
  const source = cpuProfileSource(1000, 10_000);
  const recorder = installSources([source]);
  try {
    // A loaded machine starves V8's sampler thread: sample until there is enough, with a deadline.
    const startUs = recorder.ring.nowUs();
    const deadline = Date.now() + 10_000;
    let endUs = startUs;
    let events: TraceEvent[] = [];
    do {
      hotLoop(300);
      endUs = recorder.ring.nowUs();
      events = cpuWindowEvents(source, startUs, endUs);
    } while (chunkSamples(events) < 30 && Date.now() < deadline);
    const profiles = events.filter((e) => e.name === 'Profile');
    const chunks = events.filter((e) => e.name === 'ProfileChunk');
    assert.ok(profiles.length >= 1 && profiles.length === chunks.length);
    let hotCount = 0;
    let allCount = 0;
    for (const chunk of chunks) {
      const profile = profiles.find((p) => p.id === chunk.id);
      assert.equal(profile?.ph, 'P');
      assert.equal(chunk.cat, 'cpu');
      const data = chunk.args?.data as { cpuProfile: { nodes: { id: number; callFrame: { functionName: string }; parent?: number }[]; samples: number[] }; timeDeltas: number[] };
      assert.equal(data.cpuProfile.samples.length, data.timeDeltas.length);
      const hot = data.cpuProfile.nodes.filter((n) => n.callFrame.functionName === 'hotLoop').map((n) => n.id);
      hotCount += data.cpuProfile.samples.filter((id) => hot.includes(id) || isBelow(data.cpuProfile.nodes, id, hot)).length;
      allCount += data.cpuProfile.samples.length;
      // Every sample lies in the asked range on the trace clock.
      let t = Number((profile?.args?.data as { startTime: number }).startTime);
      for (const delta of data.timeDeltas) {
        t += delta;
        assert.ok(t >= startUs && t <= endUs);
      }
    }
    assert.ok(allCount >= 10, `samples ${allCount}`);
    assert.ok(hotCount > allCount / 4, `hotLoop in ${hotCount} of ${allCount} samples`);
    assert.ok(source.heldBytes() > 0 && source.heldBytes() <= MAX_BYTES);
  } finally {
    recorder.uninstall();
  }
});

test('CPU sampling: a program\'s own console profiles neither show among the windows nor stop them', () => {
  const source = cpuProfileSource(1000, 10_000);
  const recorder = installSources([source]);
  try {
    const startUs = recorder.ring.nowUs();
    // The program profiles itself, and ends every profile it can, untitled: the last of
    // those ends the recorder's running window (V8 ends the newest profile of each session).
    console.profile('the program\'s own');
    hotLoop(100);
    console.profileEnd();
    console.profileEnd();
    const deadline = Date.now() + 10_000;
    let events: TraceEvent[] = [];
    do {
      hotLoop(200);
      events = cpuWindowEvents(source, startUs, recorder.ring.nowUs());
    } while (chunkSamples(events) < 30 && Date.now() < deadline);
    // Sampling goes on after the program ended the window: the next snapshot has new samples.
    const afterUs = recorder.ring.nowUs();
    let later: TraceEvent[] = [];
    do {
      hotLoop(200);
      later = cpuWindowEvents(source, afterUs, recorder.ring.nowUs());
    } while (chunkSamples(later) < 10 && Date.now() < deadline);
    assert.ok(chunkSamples(events) >= 10, `samples ${chunkSamples(events)}`);
    assert.ok(chunkSamples(later) >= 10, `samples after the program's profileEnd: ${chunkSamples(later)}`);
    // Only the recorder's windows, which follow each other: the program's profile, begun and
    // ended within the recorder's first window, is not among them.
    const spans = (source.snapshotProfiles?.(startUs, recorder.ring.nowUs()) ?? []).map((w) => JSON.parse(w.json) as { startTime: number; endTime: number });
    assert.ok(spans.length >= 2, `windows ${spans.length}`);
    for (const a of spans) for (const b of spans) assert.ok(a === b || !(b.startTime > a.startTime && b.endTime < a.endTime), 'a window inside another: the program\'s own profile was kept');
  } finally {
    recorder.uninstall();
  }
});

/** What a snapshot of [startUs, endUs] holds of the CPU source's windows (as the watchdog writes them, pid 7). */
function cpuWindowEvents(source: ReturnType<typeof cpuProfileSource>, startUs: number, endUs: number): TraceEvent[] {
  return profileWindowEvents({ startUs, endUs, tid: 0, windows: source.snapshotProfiles?.(startUs, endUs) ?? [] }, 7);
}

/** How many samples the ProfileChunk events carry. */
function chunkSamples(events: TraceEvent[]): number {
  return events.filter((e) => e.name === 'ProfileChunk').reduce((n, e) => n + (e.args?.data as { cpuProfile: { samples: number[] } }).cpuProfile.samples.length, 0);
}

function isBelow(nodes: { id: number; parent?: number }[], id: number, ancestors: number[]): boolean {
  const parent = new Map(nodes.map((n) => [n.id, n.parent]));
  for (let at = parent.get(id); at !== undefined; at = parent.get(at)) if (ancestors.includes(at)) return true;
  return false;
}

test('async causality: a flow from the scheduling callback to the scheduled one', async () => {
  const recorder = installSources([asyncCausalitySource()]);
  try {
    await new Promise<void>((resolve) => setTimeout(() => setImmediate(resolve), 5));
  } finally {
    recorder.uninstall();
  }
  const events = recorder.ring.decode();
  const immediate = events.find((e) => e.ph === 'X' && e.name === 'Immediate');
  assert.ok(immediate, 'the Immediate callback is a slice');
  const flowEnd = events.find((e) => e.ph === 'f' && e.id === immediate.args?.asyncId);
  const flowStart = events.find((e) => e.ph === 's' && e.id === immediate.args?.asyncId);
  assert.ok(flowEnd && flowStart);
  const timeout = events.find((e) => e.ph === 'X' && e.name === 'Timeout');
  assert.ok(timeout && flowStart.ts >= timeout.ts && flowStart.ts <= timeout.ts + (timeout.dur ?? 0), 'the flow starts inside the Timeout callback');
});

test('fs operations (opt-in): callback, promise and sync forms', async () => {
  const recorder = installSources([fsSource()]);
  try {
    await new Promise((resolve) => fs.readFile(__filename, resolve));
    await fs.promises.stat(__filename);
    fs.statSync(__filename);
    await fs.promises.readFile('/nonexistent-sources-test').catch(() => undefined);
  } finally {
    recorder.uninstall();
  }
  const events = recorder.ring.decode().filter((e) => e.cat === 'fs');
  assert.deepEqual(events.map((e) => e.name).sort(), ['readFile', 'readFile', 'stat', 'statSync']);
  assert.ok(events.every((e) => e.ph === 'X' && (e.dur ?? -1) >= 0));
  assert.equal(events.find((e) => e.args?.path === '/nonexistent-sources-test')?.args?.error, true);
  assert.equal(typeof fs.realpath.native, 'function');
});
