// What placing worker threads' loop blocks (loopBlockStacks, watchdog/worker-probe.ts) takes from
// the main thread: a probe of a worker goes through the main thread's inspector, which attaches
// to every worker and relays the answer. Four workers block 150 ms of every 250 ms for 10 s (a
// pool busy with long tasks: the most probing there can be) while the main thread idles; its CPU
// a second with the probe on and off, interleaved pairs. The worker blocks given a stack are
// counted in a snapshot of each run with the probe on.
import { alternatePairs } from '../lib/alternate.mjs';
import { appPath, preloadArgs, recorderEnv, registryDir } from '../lib/env.mjs';
import { recordedRunThenSnapshot } from '../lib/control.mjs';
import { median } from '../lib/stats.mjs';

async function mainThreadCost(loopBlockStacks) {
  const { match, events } = await recordedRunThenSnapshot({
    nodeArgs: [...preloadArgs, appPath('blocking-workers.mjs')], env: recorderEnv({ loopBlockStacks }), registryDir,
    pattern: /^MAIN ([\d.]+) (\d+)$/, timeoutMs: 40_000, reason: 'loop-probe-workers',
  });
  const probed = events.filter((e) => e.name === 'Event loop blocked' && e.tid !== 0 && e.args?.framesAtMs !== undefined).length;
  return { cpuMsPerSecond: Number(match[1]), blocks: Number(match[2]), probed };
}

export const loopProbeWorkersBenchmark = {
  id: 'loop-probe-workers',
  title: 'loop-block stacks on worker threads: the main thread\'s CPU while four workers block their loops back to back, probe on vs off',
  target: 'measured (at most one worker probe a second)',
  needsRecorder: true,
  async run(settings, log) {
    const pairs = settings.mode === 'quick' ? 3 : 5;
    const [off, on] = await alternatePairs(pairs, () => mainThreadCost(false), () => mainThreadCost(true), (pair, offRun, onRun) =>
      log(`  pair ${pair + 1}: main thread off ${offRun.cpuMsPerSecond} ms/s, on ${onRun.cpuMsPerSecond} ms/s (${onRun.blocks} worker blocks, ${onRun.probed} in the snapshot with a stack)`));
    const deltas = on.map((r, i) => r.cpuMsPerSecond - off[i].cpuMsPerSecond);
    const delta = median(deltas);
    const probed = median(on.map((r) => r.probed));
    return {
      value: `${delta >= 0 ? '+' : ''}${delta.toFixed(2)} ms/s`,
      headline: `main thread ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} ms of CPU a second (pairs ${Math.min(...deltas).toFixed(2)}–${Math.max(...deltas).toFixed(2)}; off ${median(off.map((r) => r.cpuMsPerSecond)).toFixed(2)} ms/s) with ${probed} worker blocks given a stack in a snapshot's window, ${pairs} interleaved pairs`,
      pass: null,
      details: { on, off, deltas },
    };
  },
};
