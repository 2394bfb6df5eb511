#!/usr/bin/env node
// The recorder's whole cost to a loaded server, paired in time: each round runs two copies of
// the benchmark server at the same moment — one with the default recorder, one without — each
// with its own load generator at the same fixed rate, and reads both main threads' CPU time
// (and both processes') over the same window. Whatever else the machine does then falls on
// both sides of the pair; sequential A/B runs on this VM spread ×0.7–1.4 from pair to pair.
// Unlike `attribute.mjs`, which counts only samples in the recorder's own frames, this sees
// everything observing costs: Node's diagnostics_channel messages and GC entries, extra
// garbage collections, caches the recorder's writes evict. The two servers compete with each
// other for the cores too, so each round also swaps which one starts first.
//   node test/bench/cost-pair.mjs [--rounds 8] [--seconds 8] [--rate 6000] [--app http-server.mjs] [--control]
// --control runs both sides without the recorder (an A/A pair): the method's own noise floor.
import { performance } from 'node:perf_hooks';
import { appPath, preloadArgs, recorderEnv } from './lib/env.mjs';
import { spawnLoad, startBenchServer } from './lib/loaded-server.mjs';
import { processCpuNs, stop, threadCpuNs } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const rounds = Number(option('--rounds', '8'));
const seconds = Number(option('--seconds', '8'));
const rate = Number(option('--rate', '6000'));
const app = option('--app', 'http-server.mjs');
const control = argv.includes('--control');

/**
 * Starts a server (with or without the recorder) and its load generator, without waiting for
 * the load's measured run (`ready`: startLoad would wait, and the second side would start
 * seconds after the first).
 */
async function startSide(withRecorder) {
  const recorded = withRecorder && !control;
  const nodeArgs = recorded ? [...preloadArgs, appPath(app)] : [appPath(app)];
  const { server, port } = await startBenchServer(nodeArgs, { env: recorded ? recorderEnv({}) : {} });
  const loadgen = await spawnLoad(port, { connections: 32, warmupSeconds: 2, seconds: seconds + 10, ratePerSecond: rate });
  return { server, loadgen, ready: loadgen.waitForLine(/^MEASURE_START$/, 60_000) };
}

const ratios = { main: [], process: [] };
const perRequestUs = { without: [], with: [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [false, true] : [true, false];
  const sides = [];
  try {
    for (const withRecorder of order) sides.push({ withRecorder, ...(await startSide(withRecorder)) });
    await Promise.all(sides.map((side) => side.ready));
    // Both generators run their measured stretch now; let both settle, then one window for both.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = sides.map((side) => ({ main: threadCpuNs(side.server.pid), process: processCpuNs(side.server.pid) }));
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000 - 2000));
    const elapsedS = (performance.now() - started) / 1000;
    const used = sides.map((side, i) => ({ main: threadCpuNs(side.server.pid) - before[i].main, process: processCpuNs(side.server.pid) - before[i].process }));
    const requests = rate * elapsedS;
    const of = (withRecorder) => used[sides.findIndex((side) => side.withRecorder === withRecorder)];
    const without = of(false);
    const withIt = of(true);
    ratios.main.push(withIt.main / without.main);
    ratios.process.push(withIt.process / without.process);
    perRequestUs.without.push(without.main / 1000 / requests);
    perRequestUs.with.push(withIt.main / 1000 / requests);
    console.log(`round ${round + 1} (${order[0] ? 'recorder' : 'baseline'} first): main thread ${(without.main / 1000 / requests).toFixed(1)} → ${(withIt.main / 1000 / requests).toFixed(1)} µs/request ×${(withIt.main / without.main).toFixed(3)}; process ×${(withIt.process / without.process).toFixed(3)}`);
  } finally {
    for (const side of sides) {
      await stop(side.loadgen);
      await stop(side.server);
    }
  }
}
const spread = (values) => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;
console.log(`medians over ${ratios.main.length} paired rounds at ${rate} req/s each: main thread ${median(perRequestUs.without).toFixed(1)} → ${median(perRequestUs.with).toFixed(1)} µs/request, ` +
  `×${median(ratios.main).toFixed(3)} (${spread(ratios.main)}); whole process ×${median(ratios.process).toFixed(3)} (${spread(ratios.process)})`);
console.log(`COSTPAIR ${JSON.stringify({ rate, seconds, rounds: ratios.main.length, mainRatio: median(ratios.main), processRatio: median(ratios.process), mainRatios: ratios.main, processRatios: ratios.process, perRequestUs })}`);
