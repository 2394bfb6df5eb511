// Throughput and CPU-per-request A/B of the recorder on HTTP servers (issue 7, rows 1–4).
// A = the app alone; B = the same app with `--require dist/recorder.js` and the options
// under test. An A/A row (both sides without the recorder) shows the noise floor.
import { interleavedHttpAB, sameTimeHttpAB } from '../lib/ab.mjs';
import { join } from 'node:path';
import { appPath, preloadArgs, recorderEnv, scratchDir } from '../lib/env.mjs';
import { BENCH_PATH } from '../lib/loaded-server.mjs';

const promiseHooksReference = appPath('promise-hooks-reference.cjs');
const inspectorProfilerReference = appPath('inspector-profiler-reference.cjs');

const baseline = { label: 'no recorder', nodeArgs: [], env: recorderEnv() };
const recorded = (label, options) => ({ label, nodeArgs: preloadArgs, env: recorderEnv(options) });

function httpBench({ id, title, app, urlPath, B, A = baseline, target, minThroughputRatio, maxCostPercent, ratePerSecond = 0, fullOnly = false, extra = false }) {
  return {
    id,
    title,
    target,
    fullOnly,
    extra,
    needsRecorder: B.nodeArgs === preloadArgs,
    async run(settings, log) {
      const result = await interleavedHttpAB({
        A,
        B,
        appPath: appPath(app),
        urlPath,
        pairs: settings.pairs,
        warmupSeconds: settings.warmupSeconds,
        durationSeconds: settings.durationSeconds,
        connections: settings.connections,
        ratePerSecond,
        // A fixed rate measures CPU per request only: give it longer runs, it is cheap on the machine.
        ...(ratePerSecond > 0 ? { durationSeconds: settings.durationSeconds * 2 } : {}),
        onRun: (pair, side, run) =>
          log(`  pair ${pair + 1} ${side}: ${run.requestsPerSecond.toFixed(0)} req/s, ${run.cpuUsPerRequest.toFixed(1)} µs CPU/req, ` +
            `main thread ${run.mainCpuUsPerRequest.toFixed(1)} µs/req, server ${run.serverCpuPercent.toFixed(0)} % CPU, foreign load ${run.foreignLoadPercent.toFixed(0)} %` +
            (run.errors || run.non2xx ? `, ${run.errors} errors, ${run.non2xx} non-2xx` : '')),
      });
      const costPercent = (result.pairCpuPerRequestRatio.median - 1) * 100;
      // On a CPU-bound single-threaded server, throughput on a core of its own is 1 / CPU per
      // request. When other people's work shared the cores during most pairs, throughput
      // mostly measures them; the verdict then uses the CPU-per-request ratio instead.
      const clean = result.pairsClean >= 3;
      const judgedRatio = clean ? result.pairThroughputRatio.median : 1 / result.pairCpuPerRequestRatio.median;
      return {
        ratio: result.pairThroughputRatio.median,
        ratioRange: [result.pairThroughputRatio.min, result.pairThroughputRatio.max],
        cpuRatio: result.pairCpuPerRequestRatio.median,
        cpuRatioRange: [result.pairCpuPerRequestRatio.min, result.pairCpuPerRequestRatio.max],
        judgedOn: clean ? 'throughput' : 'cpu-per-request',
        headline:
          `throughput ×${result.pairThroughputRatio.median.toFixed(3)} (${result.pairThroughputRatio.min.toFixed(3)}–${result.pairThroughputRatio.max.toFixed(3)}), ` +
          `CPU/req ×${result.pairCpuPerRequestRatio.median.toFixed(3)} (${result.pairCpuPerRequestRatio.min.toFixed(3)}–${result.pairCpuPerRequestRatio.max.toFixed(3)}) = cost ${costPercent.toFixed(1)} %, ` +
          `main thread alone ×${result.pairMainCpuPerRequestRatio.median.toFixed(3)} (${result.pairMainCpuPerRequestRatio.min.toFixed(3)}–${result.pairMainCpuPerRequestRatio.max.toFixed(3)}) ` +
          `[A ${result.A.cpuUsPerRequest.median.toFixed(1)} µs/req, ${result.A.requestsPerSecond.median.toFixed(0)} req/s; ` +
          `B ${result.B.cpuUsPerRequest.median.toFixed(1)} µs/req, ${result.B.requestsPerSecond.median.toFixed(0)} req/s; ` +
          `${result.pairsUsed} of ${result.pairsTotal} pairs${clean ? ' (clean)' : ', machine busy: all pairs, judged on CPU/req'}]`,
        // A throughput target is met only when CPU per request agrees: on a noisy machine the
        // median of throughput ratios can land at ×1.000 while every request costs a third more.
        // A cost target is judged only when the pairs agree: met when every pair is within it,
        // missed when every pair is above it; pairs on both sides (a run of 06:38 had
        // ×0.874–1.074 around a median of ×0.991) are reported as not resolved, not as met.
        pass: maxCostPercent !== undefined ? costVerdict(result.pairCpuPerRequestRatio, maxCostPercent) : minThroughputRatio === undefined ? null : judgedRatio >= minThroughputRatio && 1 / result.pairCpuPerRequestRatio.median >= minThroughputRatio,
        ...(maxCostPercent !== undefined && costVerdict(result.pairCpuPerRequestRatio, maxCostPercent) === null
          ? { unresolved: `pairs ×${result.pairCpuPerRequestRatio.min.toFixed(3)}–${result.pairCpuPerRequestRatio.max.toFixed(3)} lie on both sides of the ${maxCostPercent} % target: this machine cannot resolve it in this run` }
          : {}),
        costPercent,
        details: result,
      };
    },
  };
}

/** true: every pair's CPU/request ratio within the target; false: every pair above it; null: pairs on both sides. */
function costVerdict(ratios, maxCostPercent) {
  const limit = 1 + maxCostPercent / 100;
  if (ratios.max <= limit) return true;
  if (ratios.min > limit) return false;
  return null;
}

export const httpBenchmarks = [
  httpBench({
    id: 'http-aa',
    title: 'A/A noise floor, node:http (no recorder on either side)',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    A: baseline,
    B: { ...baseline, label: 'no recorder (again)' },
    target: 'ratio ≈ 1; shows the noise',
    fullOnly: true,
  }),
  httpBench({
    id: 'http-default',
    title: 'default recorder, node:http server, async work per request',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: recorded('default recorder', {}),
    target: 'throughput ≥ 0.99, CPU cost ≤ 2 %',
    minThroughputRatio: 0.99,
  }),
  httpBench({
    id: 'http-default-rate',
    title: 'default recorder, node:http, fixed 8000 req/s (open loop): server CPU per request',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: recorded('default recorder', {}),
    ratePerSecond: 8000,
    target: 'CPU cost ≤ 2 %',
    maxCostPercent: 2,
  }),
  httpBench({
    id: 'http-nogc-rate',
    title: 'recorder without GC events (gc: false), node:http, fixed 8000 req/s: what GC observation costs',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: recorded('recorder, gc: false', { gc: false }),
    ratePerSecond: 8000,
    target: 'measured: the default row minus this one is the GC observer (Node builds an entry per collection)',
  }),
  httpBench({
    id: 'express-default',
    title: 'default recorder, Express app',
    app: 'express-server.mjs',
    urlPath: BENCH_PATH,
    B: recorded('default recorder', {}),
    target: 'throughput ≥ 0.99',
    minThroughputRatio: 0.99,
  }),
  httpBench({
    id: 'fastify-default',
    title: 'default recorder, Fastify app',
    app: 'fastify-server.mjs',
    urlPath: BENCH_PATH,
    B: recorded('default recorder', {}),
    target: 'throughput ≥ 0.99',
    minThroughputRatio: 0.99,
  }),
  httpBench({
    id: 'http-cpu-1ms',
    title: 'recorder + CPU sampling at 1 ms, node:http',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: recorded('recorder + 1 ms CPU sampling', { cpuSamplingIntervalUs: 1000 }),
    target: 'throughput ≥ 0.95',
    minThroughputRatio: 0.95,
  }),
  httpBench({
    id: 'http-v8prof-1ms',
    title: "reference: V8's own sampler at 1 ms (node --cpu-prof, no recorder), node:http",
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: { label: 'node --cpu-prof at 1 ms', nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '1000', '--cpu-prof-dir', join(scratchDir, 'cpu-prof')], env: recorderEnv() },
    target: 'reference for http-cpu-1ms: what sampling at 1 ms costs before the recorder does anything',
  }),
  httpBench({
    id: 'http-insp-1ms',
    title: 'reference: V8 sampler at 1 ms through an in-process inspector session (no recorder), node:http',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: { label: 'inspector profiler at 1 ms', nodeArgs: ['--require', inspectorProfilerReference], env: recorderEnv() },
    target: 'reference for http-cpu-1ms',
    extra: true,
  }),
  httpBench({
    id: 'http-insp-vs-cpuprof-1ms',
    title: "reference: V8's sampler at 1 ms started by an in-process inspector session (B) against node --cpu-prof (A), no recorder, node:http",
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    A: { label: 'node --cpu-prof at 1 ms', nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '1000', '--cpu-prof-dir', join(scratchDir, 'cpu-prof')], env: recorderEnv() },
    B: { label: 'inspector profiler at 1 ms', nodeArgs: ['--require', inspectorProfilerReference], env: recorderEnv() },
    target: 'reference for http-cpu-1ms: whether starting the sampler the way the CPU source does costs more than Node starting it',
    extra: true,
  }),
  httpBench({
    id: 'http-insp-1ms-rot',
    title: 'reference: the same, stopped and restarted every 5 s (as the CPU source rotates), node:http',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: { label: 'inspector profiler at 1 ms, rotated', nodeArgs: ['--require', inspectorProfilerReference], env: { ...recorderEnv(), NFR_ROTATE_MS: '5000' } },
    target: 'reference for http-cpu-1ms',
    extra: true,
  }),
  httpBench({
    id: 'http-async',
    title: 'recorder + async causality, node:http',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: recorded('recorder + async causality', { asyncCausality: true }),
    target: 'measured (promise hooks beat async_hooks: ~0.85 of raw promise hooks)',
  }),
  httpBench({
    id: 'http-promisehooks',
    title: 'reference: bare v8.promiseHooks (counting only, no recorder), node:http',
    app: 'http-server.mjs',
    urlPath: BENCH_PATH,
    B: { label: 'bare promise hooks', nodeArgs: ['--require', promiseHooksReference], env: recorderEnv() },
    target: 'reference for async causality: the floor any promise-hook design pays',
    extra: true,
  }),
];

/** The default recorder on node:http again, A and B at the same time (see sameTimeHttpAB). */
export const sameTimeBenchmark = {
  id: 'http-sametime',
  title: 'default recorder, node:http, A and B side by side at the same time (cross-check on a busy machine)',
  target: 'CPU/req cost ≤ 2 % (cross-check of http-default)',
  extra: true,
  needsRecorder: true,
  async run(settings, log) {
    const result = await sameTimeHttpAB({
      A: baseline,
      B: recorded('default recorder', {}),
      rounds: settings.pairs,
      appPath: appPath('http-server.mjs'),
      urlPath: BENCH_PATH,
      warmupSeconds: settings.warmupSeconds,
      durationSeconds: settings.durationSeconds,
      connections: settings.connections,
      onRound: (round, a, b) =>
        log(`  round ${round + 1}: A ${a.requestsPerSecond.toFixed(0)} req/s ${a.cpuUsPerRequest.toFixed(1)} µs/req | B ${b.requestsPerSecond.toFixed(0)} req/s ${b.cpuUsPerRequest.toFixed(1)} µs/req | foreign load ${a.foreignLoadPercent.toFixed(0)} %`),
    });
    const cost = (result.cpuPerRequestRatio.median - 1) * 100;
    return {
      ratio: result.throughputRatio.median,
      cpuRatio: result.cpuPerRequestRatio.median,
      costPercent: cost,
      headline: `throughput ×${result.throughputRatio.median.toFixed(3)} (${result.throughputRatio.min.toFixed(3)}–${result.throughputRatio.max.toFixed(3)}), CPU/req ×${result.cpuPerRequestRatio.median.toFixed(3)} (${result.cpuPerRequestRatio.min.toFixed(3)}–${result.cpuPerRequestRatio.max.toFixed(3)}) = cost ${cost.toFixed(1)} %`,
      pass: cost <= 2,
      details: result,
    };
  },
};
