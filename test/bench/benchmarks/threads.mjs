// What the recorder costs a loaded server outside its main thread, and when. The attribution
// rows count the main thread's samples only; a whole-process A/B also pays the watchdog thread,
// and V8's background threads (optimising compiles, concurrent marking, scavenging), which the
// recorder's own code and the watchdog's isolate keep busy too. Each run loads a node:http
// server at a fixed rate for ~43 s and reads, per window of 8 s, the on-CPU time of its main
// thread and of all its other threads (schedstat), with and without the recorder, interleaved.
// The first window shows the one-time start (the hooks' compiles under load, the ring made
// resident, the watchdog isolate's first collections); the last ones are what a long-running
// service pays. Main-thread readings move ±15–25 % between fresh processes on this machine
// (docs/benchmarks.md: a pinned A/A read ×0.86–1.48), so only the other threads' sums, which
// are small and steady, are read as a difference here.
import { setTimeout as delay } from 'node:timers/promises';
import { alternatePairs } from '../lib/alternate.mjs';
import { appPath, preloadArgs, recorderEnv } from '../lib/env.mjs';
import { startBenchServer, startLoad } from '../lib/loaded-server.mjs';
import { processCpuNs, stop, threadCpuNs } from '../lib/proc.mjs';
import { median, signed } from '../lib/stats.mjs';

const RATE_PER_SECOND = 8000;
const CONNECTIONS = 32;
/** After the load generator's warm-up second, before the first window. */
const LEAD_MS = 2000;
const WINDOW_MS = 8000;
const WINDOWS = 5;
/** Windows read as the steady state: from the third on (19 s after the load began). */
const STEADY_FROM = 2;

/** Per window: { mainMsPerS, otherMsPerS } of one loaded server. */
async function loadedThreads(nodeArgs) {
  const { server, port } = await startBenchServer([...nodeArgs, appPath('http-server.mjs')], { env: recorderEnv() });
  let loadgen;
  try {
    const seconds = Math.ceil((LEAD_MS + WINDOW_MS * WINDOWS) / 1000) + 3;
    loadgen = await startLoad(port, { connections: CONNECTIONS, warmupSeconds: 1, seconds, ratePerSecond: RATE_PER_SECOND });
    await delay(LEAD_MS);
    const windows = [];
    let main = threadCpuNs(server.pid);
    let all = processCpuNs(server.pid);
    for (let w = 0; w < WINDOWS; w++) {
      await delay(WINDOW_MS);
      const mainNow = threadCpuNs(server.pid);
      const allNow = processCpuNs(server.pid);
      const mainMs = (mainNow - main) / 1e6;
      windows.push({ mainMsPerS: mainMs / (WINDOW_MS / 1000), otherMsPerS: ((allNow - all) / 1e6 - mainMs) / (WINDOW_MS / 1000) });
      main = mainNow;
      all = allNow;
    }
    return windows;
  } finally {
    if (loadgen) await stop(loadgen);
    await stop(server);
  }
}

const steady = (windows) => median(windows.slice(STEADY_FROM).map((w) => w.otherMsPerS));
const windowStartS = (w) => Math.round((LEAD_MS + 1000 + w * WINDOW_MS) / 1000);

export const threadsBenchmark = {
  id: 'threads',
  title: `the recorder's cost outside the main thread: a node:http server at ${RATE_PER_SECOND} req/s, its other threads' CPU per second (watchdog, V8's compiler and GC threads), with vs without, in windows of ${WINDOW_MS / 1000} s`,
  target: 'measured (the main-thread rows leave these out: one-time at start, then what a long-running service pays)',
  needsRecorder: true,
  async run(settings, log) {
    const pairs = settings.mode === 'quick' ? 1 : 2;
    const [without, withRecorder] = await alternatePairs(pairs, () => loadedThreads([]), () => loadedThreads(preloadArgs), (pair, a, b) =>
      log(`  pair ${pair + 1}: other threads per window without ${a.map((w) => w.otherMsPerS.toFixed(2)).join(' / ')} ms/s, with ${b.map((w) => w.otherMsPerS.toFixed(2)).join(' / ')} ms/s; ` +
        `main without ${a.map((w) => w.mainMsPerS.toFixed(0)).join(' / ')}, with ${b.map((w) => w.mainMsPerS.toFixed(0)).join(' / ')} ms/s`));
    const firstDelta = median(withRecorder.map((r) => r[0].otherMsPerS)) - median(without.map((r) => r[0].otherMsPerS));
    const steadyDelta = median(withRecorder.map(steady)) - median(without.map(steady));
    const mainWithout = median(without.map((r) => median(r.slice(STEADY_FROM).map((w) => w.mainMsPerS))));
    const steadyShare = (100 * steadyDelta) / mainWithout;
    const oneTimeMs = withRecorder.map((r, i) => r.reduce((sum, w, k) => sum + (w.otherMsPerS - without[i][k].otherMsPerS) * (WINDOW_MS / 1000), 0) - steadyDelta * WINDOWS * (WINDOW_MS / 1000));
    return {
      value: `${signed(steadyDelta, 2)} ms/s`,
      headline: `other threads ${signed(firstDelta, 2)} ms/s in the first window (${windowStartS(0)}–${windowStartS(1)} s after the load began), ` +
        `${signed(steadyDelta, 2)} ms/s steady (${windowStartS(STEADY_FROM)}–${windowStartS(WINDOWS)} s) = ${signed(steadyShare, 2)} % of the main thread's ${mainWithout.toFixed(0)} ms/s; ` +
        `one-time ≈ ${median(oneTimeMs).toFixed(0)} ms of background CPU [${pairs} interleaved pair${pairs === 1 ? '' : 's'}]`,
      pass: null,
      details: { without, withRecorder, firstDeltaMsPerS: firstDelta, steadyDeltaMsPerS: steadyDelta, steadySharePercent: steadyShare, oneTimeMs },
    };
  },
};
