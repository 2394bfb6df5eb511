// Preload start-up cost: wall time of `node -e 0` with and without `--require
// dist/recorder.js`, interleaved, many runs; the cost is the difference of the medians.
// Also the CPU time each process used (all threads, getrusage, printed at exit by a preload of
// our own on fd 3), which a busy machine inflates much less than wall time. And the fixed CPU
// cost of a recorded long-running program, which `node -e 0` never pays (the watchdog thread
// starts after the first tick): CPU used by an HTTP server in its first 3 s, with vs without.
// The recorder loads with V8's code cache (src/recorder/load-with-code-cache.ts), which its
// first run writes: the headline is a machine's every start after that one; a start without
// it (FLIGHT_RECORDER_CODE_CACHE=off: what a read-only install, or the very first run, pays) is
// measured too, in pairs of its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { alternatePairs } from '../lib/alternate.mjs';
import { appPath, preloadArgs, recorderEnv } from '../lib/env.mjs';
import { processCpuNs, startNode, stop, threadCpuNs } from '../lib/proc.mjs';
import { median, signed, summarize } from '../lib/stats.mjs';

const reporterPath = fileURLToPath(new URL('../lib/exit-cpu-reporter.cjs', import.meta.url));

/** Wall time of one `node <args>` run, in ms; its CPU time goes to `cpuSink`. */
function wallMs(args, env, cpuSink) {
  const startedNs = process.hrtime.bigint();
  const [first, ...rest] = args;
  const withReporter = first === '-e' ? ['--require', reporterPath, ...args] : [first, rest[0], '--require', reporterPath, ...rest.slice(1)];
  const result = spawnSync(process.execPath, cpuSink ? withReporter : args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'ignore', 'pipe'], timeout: 10_000, encoding: 'utf8' });
  const elapsedMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status ?? result.signal} (did not exit by itself within 10 s?)`);
  if (cpuSink) cpuSink.push(Number(result.output[3]) / 1000);
  return elapsedMs;
}

const SERVER_SETTLE_MS = 3000;

/** CPU (ms) a benchmark HTTP server has used SERVER_SETTLE_MS after it started: main thread, all threads. */
async function serverStartCpuMs(nodeArgs, env) {
  const { child } = await startNode([...nodeArgs, appPath('http-server.mjs')], { env, readyPattern: /^LISTENING (\d+)$/ });
  try {
    await new Promise((resolve) => setTimeout(resolve, SERVER_SETTLE_MS));
    return { mainMs: threadCpuNs(child.pid) / 1e6, allMs: processCpuNs(child.pid) / 1e6 };
  } finally {
    await stop(child);
  }
}

export const startupBenchmark = {
  id: 'startup',
  title: 'preload start-up: `node -e 0` with vs without the recorder',
  target: '≤ 20 ms',
  needsRecorder: true,
  async run(settings, log) {
    const env = recorderEnv();
    const cpuWithout = [];
    const cpuWith = [];
    // The page cache warm, and the recorder's code cache written (by its first run's exit).
    for (let i = 0; i < 3; i++) wallMs(['-e', '0'], env);
    for (let i = 0; i < 3; i++) wallMs([...preloadArgs, '-e', '0'], env);
    const [without, withRecorder] = await alternatePairs(settings.startupRuns, () => wallMs(['-e', '0'], env, cpuWithout), () => wallMs([...preloadArgs, '-e', '0'], env, cpuWith));
    const cpuCostMs = median(cpuWith) - median(cpuWithout);
    const uncachedEnv = { ...env, FLIGHT_RECORDER_CODE_CACHE: 'off' };
    const [withoutAgain, uncached] = await alternatePairs(settings.startupRuns, () => wallMs(['-e', '0'], env), () => wallMs([...preloadArgs, '-e', '0'], uncachedEnv));
    const uncachedCostMs = median(uncached) - median(withoutAgain);
    const [serverWithout, serverWith] = await alternatePairs(3, () => serverStartCpuMs([], env), () => serverStartCpuMs(preloadArgs, env));
    const serverMainMs = median(serverWith.map((run) => run.mainMs)) - median(serverWithout.map((run) => run.mainMs));
    const serverAllMs = median(serverWith.map((run) => run.allMs)) - median(serverWithout.map((run) => run.allMs));
    log(`  a server's first ${SERVER_SETTLE_MS / 1000} s: without ${median(serverWithout.map((run) => run.allMs)).toFixed(0)} ms CPU, with ${median(serverWith.map((run) => run.allMs)).toFixed(0)} ms (main thread ${signed(serverMainMs, 0)} ms)`);
    const pairDeltas = without.map((ms, i) => withRecorder[i] - ms);
    const costMs = median(withRecorder) - median(without);
    const a = summarize(without);
    const b = summarize(withRecorder);
    log(`  wall: without ${a.median.toFixed(1)} ms (${a.min.toFixed(1)}–${a.max.toFixed(1)}), with ${b.median.toFixed(1)} ms (${b.min.toFixed(1)}–${b.max.toFixed(1)}), ${settings.startupRuns} runs each`);
    log(`  CPU: without ${median(cpuWithout).toFixed(1)} ms, with ${median(cpuWith).toFixed(1)} ms → ${signed(cpuCostMs)} ms`);
    log(`  without the code cache: ${signed(uncachedCostMs)} ms wall [without ${median(withoutAgain).toFixed(1)} ms, with ${median(uncached).toFixed(1)} ms]`);
    return {
      value: `${costMs.toFixed(1)} ms`,
      headline: `${signed(costMs)} ms wall (median of pair deltas ${signed(median(pairDeltas))} ms) [without ${a.median.toFixed(1)} ms, with ${b.median.toFixed(1)} ms]; ${signed(cpuCostMs)} ms CPU; without the code cache (a read-only install, a first run) ${signed(uncachedCostMs)} ms wall; once per long-running process: ${signed(serverAllMs, 0)} ms CPU in its first ${SERVER_SETTLE_MS / 1000} s, ${signed(serverMainMs, 0)} ms of it on the main thread (the rest: the watchdog thread's start and the ring made resident)`,
      pass: costMs <= 20,
      details: { withoutMs: a, withMs: b, pairDeltaMs: summarize(pairDeltas), costMs, uncachedCostMs, withoutAgainMs: summarize(withoutAgain), uncachedMs: summarize(uncached), cpuWithoutMs: summarize(cpuWithout), cpuWithMs: summarize(cpuWith), cpuCostMs, serverWithout, serverWith, serverMainMs, serverAllMs },
    };
  },
};
