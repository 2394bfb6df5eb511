#!/usr/bin/env node
// What does the recorder cost each request, counted in instructions instead of timed? Runs the
// benchmark server under Valgrind's callgrind, which counts every instruction each thread
// executes (JIT code included) whatever else the machine is doing: an A/B of two processes'
// counts does not move with the neighbours the way their CPU times do on a shared VM (the
// `http-aa` row's pairs spread ×0.8–1.2 there; counts repeat within a fraction of a per cent).
//
// Per side (A: no recorder, B: the recorder preloaded; alternated, A B / B A, for `--rounds`):
//   1. the server starts under callgrind and takes `--warmup` s of load as fast as it answers
//      (V8 optimises the hot code: instructions per request settle);
//   2. two measured intervals of `--seconds` at fixed rates, a low and a high one (¼ and all
//      of `--share` of what the first side answered in its warm-up): callgrind_control reads
//      each thread's count at the interval's start and end.
// Valgrind runs the program ~50–100× slower, but the recorder's timers (the event-loop tick,
// memory samples, GC windows, the watchdog's checks) still fire by the wall clock: under
// callgrind they do ~50–100× more work per request than in the real server. So each side's
// count over an interval is fitted as  a × requests + b × seconds  from its two intervals:
// `a` is what one request costs, `b` what the wall clock costs a second (timers; it also takes
// up how the loop batches fewer requests at the lower rate, alike on both sides). The cost at a
// real rate R (`--real-rate`, the `http-default-rate` row's 8000 req/s) is then
//   (a_B − a_A + (b_B − b_A) / R) / a_A   of the main thread's instructions per request.
// Instructions are not time: a cache miss costs no instruction, and the recorder's hooks miss
// (docs/benchmarks.md, finding 1): `attribution` times them. This counts everything else exactly
// — Node's publishing to the recorder's channels and its message objects, the collections
// they add, the program's own code run differently — which attribution cannot see.
//   node test/bench/instructions.mjs [--rounds 3] [--app http-server.mjs] [--warmup 45]
//        [--seconds 20] [--share 0.4] [--real-rate 8000] [--options '{"gc":false}'] [--control]
//        [--where] [--cache-sim [--ll 1048576,8,64]]
// (--control: both sides without the recorder, an A/A run: how far the method itself strays;
// --where: each interval's main-thread instructions also split by kind of code — the
// recorder's JavaScript, Node's, the app's, V8's builtins, the collector, other native code
// (lib/callgrind-where.mjs) — fitted the same way, so B − A says where the recorder's cost
// lands, Node's side of it included; --cache-sim: callgrind also simulates a core's caches —
// L1 32 KiB, the last level `--ll` (size,ways,line; 1 MiB, this EPYC's L2) — and each kind's
// misses are fitted too: misses B adds in code other than its own are lines its work evicted.)
// Prints one line per side and round, then `INSTRUCTIONS <json>`. Needs valgrind (callgrind,
// callgrind_control); says so and exits 0 otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { costsByKind, KINDS, MEASURES, newestMainThreadDump, readPerfMap } from './lib/callgrind-where.mjs';
import { appPath, preloadArgs, recorderEnv, recorderPath } from './lib/env.mjs';
import { loadResult, spawnLoad, startBenchServer, startLoad } from './lib/loaded-server.mjs';
import { stop } from './lib/proc.mjs';
import { median, signed } from './lib/stats.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const rounds = Number(option('--rounds', '3'));
const app = option('--app', 'http-server.mjs');
const warmupSeconds = Number(option('--warmup', '45'));
const seconds = Number(option('--seconds', '20'));
/** The high interval's rate, as a share of what the server answered in its warm-up: the real benchmark server at 8000 req/s is busy about this share of the time. */
const share = Number(option('--share', '0.4'));
const realRate = Number(option('--real-rate', '8000'));
const recorderOptions = JSON.parse(option('--options', '{}'));
const control = argv.includes('--control');
/** --cache-sim: callgrind also simulates a cache (a core's L1 and L2 here: 32 KiB and 1 MiB) and counts each kind of code's misses (implies --where). */
const cacheSim = argv.includes('--cache-sim');
const where = cacheSim || argv.includes('--where');
const LL_CACHE = option('--ll', '1048576,8,64');
/** Callgrind's dump files (where: `<base>.<dump>-<thread>`). */
const DUMP_BASE = 'callgrind';
/** Connections of the load (as the fixed-rate rows), and its bursts a second (lib/loadgen.mjs): spread, as a service's traffic. */
const CONNECTIONS = 8;
const LOAD_GROUPS = 10;
/** Seconds each measured interval's load runs before its count starts (its pacing settles). */
const INTERVAL_WARMUP_S = 2;
/** callgrind_control reaches the server through vgdb, which waits for it to leave a blocking call (the loop wakes at least every 100 ms). */
const CONTROL_TIMEOUT_MS = 60_000;
/** Node under callgrind takes ~10 s to start here; a slow machine gets more. */
const START_TIMEOUT_MS = 180_000;

const have = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
if (!have('valgrind', ['--version']) || !have('callgrind_control', ['--version'])) {
  console.log('instructions: valgrind (callgrind, callgrind_control) is not installed; nothing measured');
  process.exit(0);
}

const workDir = mkdtempSync(join(tmpdir(), 'nfr-instructions-'));
process.once('exit', () => rmSync(workDir, { recursive: true, force: true }));

/** Each thread's instructions so far (callgrind's thread 1 is the main thread). */
function countsOf(pid) {
  const text = execFileSync('callgrind_control', ['-e', 'Ir', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: CONTROL_TIMEOUT_MS });
  const counts = new Map();
  for (const match of text.matchAll(/^\s*Th (\d+)\s+([\d,]+)\s*$/gm)) counts.set(Number(match[1]), Number(match[2].replaceAll(',', '')));
  if (!counts.has(1)) throw new Error(`callgrind_control gave no count for pid ${pid}: ${text.trim().slice(0, 300)}`);
  return counts;
}

async function resultOf(loadgen, timeoutMs) {
  const result = await loadResult(loadgen, timeoutMs);
  if (result.errors || result.timeouts || result.non2xx) throw new Error(`load had errors: ${JSON.stringify(result)}`);
  return result;
}

/** One measured interval at `ratePerSecond`: requests answered, wall seconds, main-thread and other threads' instructions. */
async function interval(server, port, ratePerSecond) {
  const loadgen = await startLoad(port, { connections: CONNECTIONS, warmupSeconds: INTERVAL_WARMUP_S, seconds, ratePerSecond, groups: LOAD_GROUPS, deadlineMs: 120_000 });
  if (where) execFileSync('callgrind_control', ['--zero', String(server.pid)], { stdio: 'ignore', timeout: CONTROL_TIMEOUT_MS });
  const before = countsOf(server.pid);
  const startedMs = performance.now();
  const result = await resultOf(loadgen, (seconds + 60) * 1000);
  const after = countsOf(server.pid);
  const wallSeconds = (performance.now() - startedMs) / 1000;
  let main = 0;
  let others = 0;
  for (const [thread, count] of after) {
    const delta = count - (before.get(thread) ?? 0);
    if (thread === 1) main = delta;
    else others += delta;
  }
  const measured = { requests: result.requests, seconds: wallSeconds, main, others };
  if (where) {
    execFileSync('callgrind_control', ['--dump=interval', String(server.pid)], { stdio: 'ignore', timeout: CONTROL_TIMEOUT_MS });
    measured.byKind = costsByKind(newestMainThreadDump(workDir, DUMP_BASE), readPerfMap(server.pid), `${dirname(recorderPath)}/`);
    for (const file of readdirSync(workDir)) if (file.startsWith(`${DUMP_BASE}.`)) rmSync(join(workDir, file));
  }
  return measured;
}

/** Fits count = a × requests + b × seconds through two intervals, the count read from each by `countOf`. */
function fit(low, high, countOf) {
  const det = low.requests * high.seconds - high.requests * low.seconds;
  if (Math.abs(det) < 1e-6 * low.requests * high.seconds) throw new Error('the two intervals ran at the same rate: nothing to fit');
  const [lowCount, highCount] = [countOf(low), countOf(high)];
  return {
    perRequest: (lowCount * high.seconds - highCount * low.seconds) / det,
    perSecond: (low.requests * highCount - high.requests * lowCount) / det,
  };
}

/** The high interval's rate, set by the first side's warm-up. */
let highRate = 0;

async function measureSide(recorded) {
  const nodeArgs = [...(where ? ['--perf-basic-prof'] : []), ...(recorded ? preloadArgs : []), appPath(app)];
  const wrapper = ['valgrind', '--tool=callgrind', ...(where ? ['--separate-threads=yes', `--callgrind-out-file=${join(workDir, DUMP_BASE)}`] : ['--callgrind-out-file=/dev/null'])];
  if (cacheSim) wrapper.push('--cache-sim=yes', '--I1=32768,8,64', '--D1=32768,8,64', `--LL=${LL_CACHE}`);
  const { server, port } = await startBenchServer(nodeArgs, { env: recorded ? recorderEnv(recorderOptions) : {}, cwd: workDir, wrapper, timeoutMs: START_TIMEOUT_MS });
  try {
    const warm = await spawnLoad(port, { connections: CONNECTIONS, warmupSeconds: 0, seconds: warmupSeconds });
    const warmResult = await resultOf(warm, (warmupSeconds + 120) * 1000);
    if (highRate === 0) highRate = Math.max(8, Math.round(warmResult.requestsPerSecond * share));
    const low = await interval(server, port, Math.max(2, Math.round(highRate / 4)));
    const high = await interval(server, port, highRate);
    const side = { capacity: warmResult.requestsPerSecond, low, high, main: fit(low, high, (i) => i.main), others: fit(low, high, (i) => i.others) };
    if (where) side.byKind = Object.fromEntries(KINDS.map((kind) => [kind, Object.fromEntries(Object.keys(MEASURES).map((measure) => [measure, fit(low, high, (i) => i.byKind[kind][measure])]))]));
    return side;
  } finally {
    await stop(server, 5000);
  }
}

const sides = control ? ['A', 'A′'] : ['A', 'B'];
const perRound = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  const measured = [];
  for (const which of order) {
    const side = await measureSide(!control && which === 1);
    measured[which] = side;
    console.log(
      `round ${round + 1} ${sides[which]}: warm-up ${side.capacity.toFixed(0)} req/s; ${side.low.requests} + ${side.high.requests} requests at ${Math.round(highRate / 4)} and ${highRate} req/s; ` +
        `main thread ${(side.main.perRequest / 1000).toFixed(2)} k instructions a request + ${(side.main.perSecond / 1e6).toFixed(2)} M a second; other threads ${(side.others.perSecond / 1e6).toFixed(2)} M a second`,
    );
  }
  const [a, b] = measured;
  const perRequestRatio = b.main.perRequest / a.main.perRequest;
  const extraPerSecond = b.main.perSecond - a.main.perSecond;
  const costAtRealRate = (b.main.perRequest - a.main.perRequest + extraPerSecond / realRate) / a.main.perRequest;
  perRound.push({ a, b, perRequestRatio, extraPerSecond, costAtRealRate, othersExtraPerSecond: b.others.perSecond - a.others.perSecond });
  if (where) {
    for (const kind of KINDS) {
      const [x, y] = [a.byKind[kind].instructions, b.byKind[kind].instructions];
      const misses = cacheSim ? `; misses a request: L1 ${signed(b.byKind[kind]['L1 misses'].perRequest - a.byKind[kind]['L1 misses'].perRequest, 1)}, LL ${signed(b.byKind[kind]['LL misses'].perRequest - a.byKind[kind]['LL misses'].perRequest, 1)}` : '';
      console.log(`  ${kind.padEnd(24)} ${(x.perRequest / 1000).toFixed(2).padStart(7)} → ${(y.perRequest / 1000).toFixed(2).padStart(7)} k a request (${signed(y.perRequest - x.perRequest, 0)}), ${signed((y.perSecond - x.perSecond) / 1e6, 2)} M a second${misses}`);
    }
  }
  console.log(`round ${round + 1}: per request ×${perRequestRatio.toFixed(4)}; ${signed(extraPerSecond / 1e6, 2)} M a second; cost at ${realRate} req/s ${(costAtRealRate * 100).toFixed(2)} %`);
}

const pick = (key) => perRound.map((round) => round[key]);
console.log(
  `INSTRUCTIONS ${JSON.stringify({
    app,
    control,
    rounds,
    realRate,
    highRate,
    perRequestRatio: median(pick('perRequestRatio')),
    perRequestRatios: pick('perRequestRatio'),
    costAtRealRate: median(pick('costAtRealRate')),
    costsAtRealRate: pick('costAtRealRate'),
    baselinePerRequest: median(perRound.map((round) => round.a.main.perRequest)),
    baselinePerRequests: perRound.map((round) => round.a.main.perRequest),
    extraPerSecond: median(pick('extraPerSecond')),
    othersExtraPerSecond: median(pick('othersExtraPerSecond')),
    details: perRound,
  })}`,
);
process.exit(0);
