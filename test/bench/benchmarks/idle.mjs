// Idle cost: CPU time an idle program uses per second with and without the recorder (its
// timers, histograms, heartbeat and watchdog), all threads, on-CPU time from schedstat.
// Interleaved pairs; measured over 16 s once the program has settled: 10 s after start, past
// V8's memory reducer, whose major GCs in the first seconds of any process (recorded or not)
// are start-up cost, not idle cost (start-up has its own benchmark). 16 s is two of the GC
// source's longest trace windows (8 s while idle): a 3-s window caught one window's read (~1 ms)
// or none, which moved the result by ±0.3 ms/s.
import { alternatePairs } from '../lib/alternate.mjs';
import { appPath, preloadArgs, recorderEnv } from '../lib/env.mjs';
import { processCpuNs, startNode, stop, threadCpuNs } from '../lib/proc.mjs';
import { median, signed } from '../lib/stats.mjs';

const SETTLE_MS = 10_000;
const MEASURE_MS = 16_000;

async function idleCpu(nodeArgs) {
  const { child } = await startNode([...nodeArgs, appPath('idle.mjs')], { env: recorderEnv(), readyPattern: /^READY$/ });
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const main = threadCpuNs(child.pid);
    const all = processCpuNs(child.pid);
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    return { mainMsPerS: (threadCpuNs(child.pid) - main) / 1e6 / (MEASURE_MS / 1000), allMsPerS: (processCpuNs(child.pid) - all) / 1e6 / (MEASURE_MS / 1000) };
  } finally {
    await stop(child);
  }
}

export const idleBenchmark = {
  id: 'idle',
  title: 'idle cost: CPU per second of an idle program, with vs without the recorder',
  target: 'measured (what runs while idle: the event-loop tick every 100 ms, a memory sample a second, GC trace windows of up to 8 s, the watchdog’s look for a stalled loop once a second)',
  needsRecorder: true,
  async run(settings, log) {
    const pairs = settings.mode === 'quick' ? 3 : 5;
    const [without, withRecorder] = await alternatePairs(pairs, () => idleCpu([]), () => idleCpu(preloadArgs));
    const mainCost = median(withRecorder.map((r) => r.mainMsPerS)) - median(without.map((r) => r.mainMsPerS));
    const allCost = median(withRecorder.map((r) => r.allMsPerS)) - median(without.map((r) => r.allMsPerS));
    log(`  without: main ${median(without.map((r) => r.mainMsPerS)).toFixed(2)} ms/s, all threads ${median(without.map((r) => r.allMsPerS)).toFixed(2)} ms/s; with: main ${median(withRecorder.map((r) => r.mainMsPerS)).toFixed(2)} ms/s, all ${median(withRecorder.map((r) => r.allMsPerS)).toFixed(2)} ms/s`);
    return {
      value: `${signed(allCost)} ms/s`,
      headline: `${signed(allCost, 2)} ms CPU per second idle (main thread ${signed(mainCost, 2)} ms/s), ${pairs} interleaved pairs`,
      pass: null,
      details: { without, withRecorder, mainCostMsPerS: mainCost, allCostMsPerS: allCost },
    };
  },
};
