// Interleaved A/B of an HTTP server under load: pairs of runs, the order alternating
// (A B, B A, A B, ...) so slow drift of the machine (another engineer's build starting)
// lands on both sides. Each run is a fresh server process, warmed up, then loaded by
// autocannon in its own process; the server's CPU time (utime + stime from /proc) over the
// measured window divided by the requests served gives CPU µs per request.
import { loadResult, startBenchServer, startLoad } from './loaded-server.mjs';
import { cpuTimeUs, stop, threadCpuNs } from './proc.mjs';
import { machineBusyUs, waitForQuiet } from './machine.mjs';
import { median, summarize } from './stats.mjs';

/** A pair is clean when, during both of its runs, other people's work used < this % of a core. */
export const CLEAN_FOREIGN_LOAD_PERCENT = 25;

/** One measured run of one variant: { requestsPerSecond, cpuUsPerRequest, ... }. */
export async function measureHttpRun({ appPath, urlPath, variant, warmupSeconds, durationSeconds, connections, ratePerSecond = 0 }) {
  const { server, port } = await startBenchServer([...variant.nodeArgs, appPath], { env: variant.env });
  let loadgen;
  try {
    const deadlineMs = (warmupSeconds + durationSeconds) * 1000 + 30_000;
    loadgen = await startLoad(port, { path: urlPath, connections, warmupSeconds, seconds: durationSeconds, ratePerSecond, deadlineMs });
    const machineStartUs = machineBusyUs();
    const cpuStartUs = cpuTimeUs(server.pid);
    const mainStartNs = threadCpuNs(server.pid);
    const loadgenStartUs = cpuTimeUs(loadgen.pid);
    const wallStartMs = performance.now();
    const load = await loadResult(loadgen, deadlineMs);
    const cpuEndUs = cpuTimeUs(server.pid);
    const mainEndNs = threadCpuNs(server.pid);
    const loadgenEndUs = cpuTimeUs(loadgen.pid);
    const machineEndUs = machineBusyUs();
    const wallUs = (performance.now() - wallStartMs) * 1000;
    if (load.requests === 0) throw new Error(`no requests served; server stderr: ${server.stderrTail()}`);
    const serverCpuUs = cpuEndUs - cpuStartUs;
    const foreignCpuUs = machineEndUs - machineStartUs - serverCpuUs - (loadgenEndUs - loadgenStartUs);
    return {
      ...load,
      serverCpuUs,
      cpuUsPerRequest: serverCpuUs / load.requests,
      // The main thread alone (schedstat, ns): what limits a single-threaded server's
      // throughput when other threads (a profiler's sampler, GC helpers) have a core of their own.
      mainCpuUsPerRequest: (mainEndNs - mainStartNs) / 1000 / load.requests,
      serverCpuPercent: (serverCpuUs / wallUs) * 100,
      foreignLoadPercent: Math.max(0, (foreignCpuUs / wallUs) * 100),
    };
  } finally {
    if (loadgen) await stop(loadgen);
    await stop(server);
  }
}

/**
 * Runs `pairs` interleaved pairs of A (baseline) and B (variant). Returns per-run samples and
 * the ratios B/A: throughput (higher is better, target ≥ 0.99) and CPU per request (lower is
 * better; cost % = (ratio − 1) × 100). Ratios are given two ways: ratio of the medians, and
 * the median (min–max) of the per-pair ratios, which cancels drift between pairs.
 */
export async function interleavedHttpAB({ A, B, pairs, onRun, ...runOptions }) {
  const runs = { A: [], B: [] };
  const pairs_ = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    const quiet = await waitForQuiet({ thresholdPercent: CLEAN_FOREIGN_LOAD_PERCENT });
    const thisPair = { waitedForQuietMs: quiet.waitedMs };
    for (const side of order) {
      const variant = side === 'A' ? A : B;
      const result = await measureHttpRun({ ...runOptions, variant });
      runs[side].push(result);
      thisPair[side] = result;
      onRun?.(pair, side, result);
    }
    thisPair.throughputRatio = thisPair.B.requestsPerSecond / thisPair.A.requestsPerSecond;
    thisPair.cpuPerRequestRatio = thisPair.B.cpuUsPerRequest / thisPair.A.cpuUsPerRequest;
    thisPair.mainCpuPerRequestRatio = thisPair.B.mainCpuUsPerRequest / thisPair.A.mainCpuUsPerRequest;
    thisPair.clean = Math.max(thisPair.A.foreignLoadPercent, thisPair.B.foreignLoadPercent) < CLEAN_FOREIGN_LOAD_PERCENT;
    pairs_.push(thisPair);
  }
  // Ratios from the clean pairs when there are at least 3 of them, otherwise from all.
  const cleanPairs = pairs_.filter((pair) => pair.clean);
  const used = cleanPairs.length >= 3 ? cleanPairs : pairs_;
  const pairRatios = {
    throughput: used.map((pair) => pair.throughputRatio),
    cpuPerRequest: used.map((pair) => pair.cpuPerRequestRatio),
    mainCpuPerRequest: used.map((pair) => pair.mainCpuPerRequestRatio),
  };
  const pick = (side, key) => used.map((pair) => pair[side][key]);
  return {
    pairsUsed: used.length,
    pairsClean: cleanPairs.length,
    pairsTotal: pairs_.length,
    A: { label: A.label, requestsPerSecond: summarize(pick('A', 'requestsPerSecond')), cpuUsPerRequest: summarize(pick('A', 'cpuUsPerRequest')), mainCpuUsPerRequest: summarize(pick('A', 'mainCpuUsPerRequest')) },
    B: { label: B.label, requestsPerSecond: summarize(pick('B', 'requestsPerSecond')), cpuUsPerRequest: summarize(pick('B', 'cpuUsPerRequest')), mainCpuUsPerRequest: summarize(pick('B', 'mainCpuUsPerRequest')) },
    throughputRatio: median(pick('B', 'requestsPerSecond')) / median(pick('A', 'requestsPerSecond')),
    cpuPerRequestRatio: median(pick('B', 'cpuUsPerRequest')) / median(pick('A', 'cpuUsPerRequest')),
    pairThroughputRatio: summarize(pairRatios.throughput),
    pairCpuPerRequestRatio: summarize(pairRatios.cpuPerRequest),
    pairMainCpuPerRequestRatio: summarize(pairRatios.mainCpuPerRequest),
    pairs: pairs_.map((pair) => ({
      clean: pair.clean,
      throughputRatio: pair.throughputRatio,
      cpuPerRequestRatio: pair.cpuPerRequestRatio,
      foreignLoadPercent: [pair.A.foreignLoadPercent, pair.B.foreignLoadPercent],
      waitedForQuietMs: pair.waitedForQuietMs,
    })),
    runs,
  };
}

/**
 * Same-time A/B: A and B servers run side by side, each loaded by its own autocannon, for
 * `rounds` rounds. Whatever else the machine does falls on both at once, so the ratios hold
 * up on a busy machine where sequential runs do not (at the price of A and B competing for
 * the same cores, which the kernel shares fairly between them).
 */
export async function sameTimeHttpAB({ A, B, rounds, onRound, ...runOptions }) {
  const ratios = { throughput: [], cpuPerRequest: [] };
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const [a, b] = await Promise.all([measureHttpRun({ ...runOptions, variant: A }), measureHttpRun({ ...runOptions, variant: B })]);
    samples.push({ A: a, B: b });
    ratios.throughput.push(b.requestsPerSecond / a.requestsPerSecond);
    ratios.cpuPerRequest.push(b.cpuUsPerRequest / a.cpuUsPerRequest);
    onRound?.(round, a, b);
  }
  return { throughputRatio: summarize(ratios.throughput), cpuPerRequestRatio: summarize(ratios.cpuPerRequest), samples };
}
