// Opt-in sources under the real recorder: CPU sampling names the hot function; async
// causality writes flows from the scheduling callback to the scheduled one.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { validateSnapshot } from '../../src/format/validate';
import type { TraceEvent } from '../../src/format/trace-event';
import { built, cliSnapshot, readSnapshot, startApp, until, type RunningApp } from './sources-harness';

const running: RunningApp[] = [];
after(async () => {
  for (const app of running) await app.stop();
});

interface Chunk {
  cpuProfile: { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[] };
  timeDeltas: number[];
}

test('CPU sampling: a program spending its time in hotLoop yields samples naming hotLoop', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const app = await startApp('hot-loop.js', { recorder: true, config: { cpuSamplingIntervalUs: 1000 } });
  running.push(app);
  // A loaded machine starves the sampler thread: snapshot again until there are samples enough.
  let hotSamples = 0;
  let allSamples = 0;
  await until(() => {
    const { snapshot, events } = readSnapshot(cliSnapshot(app, 'cpu')[0] ?? '');
    assert.deepEqual(validateSnapshot(snapshot).slice(0, 10), []);
    assert.ok(events.some((e) => e.name === 'Profile' && e.ph === 'P'));
    const chunks = events.filter((e) => e.name === 'ProfileChunk' && e.cat === 'cpu').map((e) => (e.args?.data as Chunk));
    hotSamples = 0;
    allSamples = 0;
    for (const chunk of chunks) {
      const hotIds = new Set(chunk.cpuProfile.nodes.filter((n) => n.callFrame.functionName === 'hotLoop').map((n) => n.id));
      allSamples += chunk.cpuProfile.samples.length;
      hotSamples += chunk.cpuProfile.samples.filter((id) => hotIds.has(id)).length;
    }
    return allSamples >= 50;
  }, 30_000, 'CPU samples');
  assert.ok(hotSamples > allSamples / 4, `hotLoop in ${hotSamples} of ${allSamples} samples`);
});

test('CPU sampling samples the main thread only: a worker thread is not sampled for stacks no snapshot holds', { skip: (!built && 'dist/ not built') || (process.platform !== 'linux' && 'reads /proc'), timeout: 60_000 }, async () => {
  const app = await startApp('hot-loop.js', { recorder: true, config: { cpuSamplingIntervalUs: 1000 }, env: { HOT_LOOP_WORKER: '1' } });
  running.push(app);
  // Each V8 CPU profiler runs a thread of its own with this name: one per sampled thread.
  const profilerThreads = () => readdirSync(`/proc/${app.child.pid}/task`).filter((task) => {
    try {
      return readFileSync(`/proc/${app.child.pid}/task/${task}/comm`, 'utf8').trim() === 'v8:ProfEvntProc';
    } catch {
      return false; // a thread that ended meanwhile
    }
  }).length;
  let events: TraceEvent[] = [];
  await until(() => {
    events = readSnapshot(cliSnapshot(app, 'cpu')[0] ?? '').events;
    return events.some((e) => e.name === 'ProfileChunk');
  }, 30_000, 'CPU samples');
  assert.equal(profilerThreads(), 1, 'one CPU profiler: the main thread\'s');
  assert.deepEqual([...new Set(events.filter((e) => e.name === 'ProfileChunk').map((e) => e.tid))], [0]);
  assert.ok(events.some((e) => e.name === 'thread_name' && e.tid !== 0), 'the worker is recorded (its lane), only not sampled');
});

test('async causality: flows link timers to the immediates they scheduled', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const app = await startApp('async-chain.js', { recorder: true, config: { asyncCausality: true } });
  running.push(app);
  let events: TraceEvent[] = [];
  let linked = 0;
  await until(() => {
    const read = readSnapshot(cliSnapshot(app, 'async')[0] ?? '');
    assert.deepEqual(validateSnapshot(read.snapshot).slice(0, 10), []);
    events = read.events;
    const starts = new Map(events.filter((e) => e.cat === 'async' && e.ph === 's').map((e) => [e.id, e]));
    const immediates = events.filter((e) => e.cat === 'async' && e.ph === 'X' && e.name === 'Immediate');
    const timeouts = events.filter((e) => e.cat === 'async' && e.ph === 'X' && e.name === 'Timeout');
    // Immediates whose flow starts inside a Timeout callback: scheduled by it.
    linked = immediates.filter((immediate) => {
      const start = starts.get(immediate.args?.asyncId as number);
      return start !== undefined && timeouts.some((t) => start.ts >= t.ts && start.ts <= t.ts + (t.dur ?? 0));
    }).length;
    return linked >= 3;
  }, 30_000, 'three immediates linked to the timers that scheduled them');
  assert.ok(events.some((e) => e.cat === 'async' && e.ph === 'f' && e.bp === 'e'));
});
