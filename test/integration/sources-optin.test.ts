// Opt-in sources under the real recorder: CPU sampling names the hot function; async
// causality writes flows from the scheduling callback to the scheduled one.
import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import { validateSnapshot } from '../../src/format/validate';
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
  const startedAt = Date.now();
  await until(() => Date.now() - startedAt > 1000, 5000, 'a second of hot loop');
  const { snapshot, events } = readSnapshot(cliSnapshot(app, 'cpu')[0] ?? '');
  assert.deepEqual(validateSnapshot(snapshot).slice(0, 10), []);
  const chunks = events.filter((e) => e.name === 'ProfileChunk' && e.cat === 'cpu').map((e) => (e.args?.data as Chunk));
  assert.ok(chunks.length >= 1, 'a ProfileChunk');
  assert.ok(events.some((e) => e.name === 'Profile' && e.ph === 'P'));
  let hotSamples = 0;
  let allSamples = 0;
  for (const chunk of chunks) {
    const hotIds = new Set(chunk.cpuProfile.nodes.filter((n) => n.callFrame.functionName === 'hotLoop').map((n) => n.id));
    allSamples += chunk.cpuProfile.samples.length;
    hotSamples += chunk.cpuProfile.samples.filter((id) => hotIds.has(id)).length;
  }
  assert.ok(hotSamples > allSamples / 4, `hotLoop in ${hotSamples} of ${allSamples} samples`);
});

test('async causality: flows link timers to the immediates they scheduled', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const app = await startApp('async-chain.js', { recorder: true, config: { asyncCausality: true } });
  running.push(app);
  const startedAt = Date.now();
  await until(() => Date.now() - startedAt > 500, 5000, 'some chains');
  const { snapshot, events } = readSnapshot(cliSnapshot(app, 'async')[0] ?? '');
  assert.deepEqual(validateSnapshot(snapshot).slice(0, 10), []);
  const starts = new Map(events.filter((e) => e.cat === 'async' && e.ph === 's').map((e) => [e.id, e]));
  const immediates = events.filter((e) => e.cat === 'async' && e.ph === 'X' && e.name === 'Immediate');
  const timeouts = events.filter((e) => e.cat === 'async' && e.ph === 'X' && e.name === 'Timeout');
  assert.ok(immediates.length > 3 && timeouts.length > 3);
  const linked = immediates.filter((immediate) => {
    const start = starts.get(immediate.args?.asyncId as number);
    return start !== undefined && timeouts.some((t) => start.ts >= t.ts && start.ts <= t.ts + (t.dur ?? 0));
  });
  assert.ok(linked.length >= 3, `immediates whose flow starts inside a Timeout: ${linked.length}`);
  assert.ok(events.some((e) => e.cat === 'async' && e.ph === 'f' && e.bp === 'e'));
});
