#!/usr/bin/env node
// What does the recorder cost each request, measured inside one process? Runs a benchmark
// server with the recorder under a fixed request rate and samples its main thread with Linux
// `perf` (call stacks, JIT frames named through --perf-basic-prof), then prints the share of
// main-thread samples spent in the recorder's code, in Node's GC-entry machinery (which exists
// only because the recorder observes GC), in perf_hooks' JavaScript, in Node's trace buffer
// (the GC trace events the recorder reads instead, when it can) and in Node's timer loop
// running the recorder's timers, with what that means
// in µs per request. A share of one process's samples does not depend on what else the
// machine runs, unlike an A/B of two processes' CPU times, so this works on a busy machine.
// Sampling itself slows every thread a little; shares stay comparable across builds.
//   node test/bench/attribute.mjs [--app http-server.mjs] [--rate 8000 | 0] [--seconds 10]
//                                 [--options '{"gc":false}'] [--frequency 2000] [--keep-stacks <file>]
//                                 [--warmup 2] [--no-recorder] [--groups 1]
// (--frequency: perf samples per second; more samples resolve smaller differences between
// builds, at a little more slowdown of the sampled thread; --keep-stacks writes every sampled
// stack, as `perf script` printed it, to a file for a closer look; --warmup: seconds of load
// before sampling — a few minutes show the long-running state, with the periodic code optimised;
// --no-recorder: the same server with no recorder loaded, a control — what the buckets of Node's
// own code (timer loop, trace buffer, perf_hooks) read there is Node's, not the recorder's;
// --rate 0: as fast as the server answers, the load an A/B of throughput uses; the server's
// loop never idles, so the recorder's timers wake nothing;
// --groups: the load's bursts a second — autocannon sends each second's requests at its start,
// so at 8000 req/s the server works a quarter of each second and idles the rest; 20 groups
// come closer to a service's steady traffic, lib/loadgen.mjs.)
// Needs `perf` (linux-tools) and permission to use it; says so and exits 0 otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { appPath, preloadArgs, recorderEnv, recorderPath } from './lib/env.mjs';
import { loadResult, startBenchServer, startLoad } from './lib/loaded-server.mjs';
import { keepNewestPerfMapLines } from './lib/perf-map.mjs';
import { stop, threadCpuNs } from './lib/proc.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const app = option('--app', 'http-server.mjs');
const rate = Number(option('--rate', '8000'));
const seconds = Number(option('--seconds', '10'));
const recorderOptions = JSON.parse(option('--options', '{}'));
const samplesPerSecond = Number(option('--frequency', '2000'));
const keepStacks = option('--keep-stacks', undefined);
/** Seconds of load before sampling: the recorder's periodic code (the tick, the GC window) runs ~20 times a second and only reaches V8's optimising tier after a few minutes. */
const warmupSeconds = Number(option('--warmup', '2'));
/** Bursts of the fixed-rate load a second (lib/loadgen.mjs): 1, autocannon's own pacing, one burst at the start of every second. */
const loadGroups = Number(option('--groups', '1'));
const withoutRecorder = argv.includes('--no-recorder');
const TOP_LEAVES = 12;
const TOP_ENTRIES = 8;
/**
 * Node's tracing agent appending an event to its buffer (the recorder's GC trace events, when
 * it traces: src/recorder/sources/gc-tracing.ts), outside any recorder frame.
 */
const TRACE_BUFFER = /node::tracing::|TracingController|AddTraceEvent|TraceBuffer|InternalTraceBuffer/;
/**
 * Node's timer loop outside any recorder frame: running expired timers and re-arming intervals.
 * The benchmark apps set no timer that expires under load (their sockets' timeouts are pushed
 * back by every request), so these are the recorder's timers (event-loop tick, GC windows,
 * memory samples): an interval's re-arm happens here, not in the recorder's frame.
 */
const TIMER_LOOP = /JS:\S*(listOnTimeout|processTimers) node:internal\/timers/;

if (spawnSync('perf', ['--version']).status !== 0) {
  console.log('attribute: `perf` is not installed (linux-tools); nothing measured');
  process.exit(0);
}

const workDir = mkdtempSync(join(tmpdir(), 'nfr-attribute-'));
const perfData = join(workDir, 'perf.data');
// cwd in the scratch directory: V8 may write its logs next to it.
const { server, port } = await startBenchServer(['--perf-basic-prof', ...(withoutRecorder ? [] : preloadArgs), appPath(app)], { env: withoutRecorder ? {} : recorderEnv(recorderOptions), cwd: workDir });
const perfMap = `/tmp/perf-${server.pid}.map`;
let loadgen;
/** Requests a second the load generator counted over the sampled window (--rate 0 only). */
let closedLoopRate;
try {
  // A fixed rate knows its requests; as fast as the server answers (--rate 0), the load's
  // measured run is the sampled window, and its count is read from the load generator after.
  const closedLoop = rate === 0;
  loadgen = await startLoad(port, { connections: 32, warmupSeconds, seconds: closedLoop ? seconds : seconds + 10, ratePerSecond: rate, groups: loadGroups, deadlineMs: 60_000 + warmupSeconds * 1000 });
  if (!closedLoop) await delay(1000);
  const cpuBeforeNs = threadCpuNs(server.pid);
  const started = performance.now();
  const record = spawnSync('perf', ['record', '-F', String(samplesPerSecond), '-g', '-t', String(server.pid), '-o', perfData, '--', 'sleep', String(seconds)], { encoding: 'utf8' });
  const elapsedS = (performance.now() - started) / 1000;
  const cpuMs = (threadCpuNs(server.pid) - cpuBeforeNs) / 1e6;
  if (record.status !== 0) {
    console.log(`attribute: perf record failed (${record.stderr.trim().split('\n').pop()}); nothing measured`);
    process.exit(0);
  }
  if (closedLoop) {
    closedLoopRate = (await loadResult(loadgen, 30_000)).requestsPerSecond;
  }
  // The server stops before its map is read: V8 appends to the map while it runs.
  await stop(loadgen);
  await stop(server);
  const staleMapLines = existsSync(perfMap) ? keepNewestPerfMapLines(perfMap) : 0;
  const stacks = execFileSync('perf', ['script', '-i', perfData, '-F', 'ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (keepStacks) writeFileSync(keepStacks, stacks);
  const shares = classify(stacks);
  const requests = (closedLoopRate ?? rate) * elapsedS;
  const usPerRequest = (count) => ((count / shares.total) * cpuMs * 1000) / requests;
  const line = (label, count) => `  ${label.padEnd(44)} ${((100 * count) / shares.total).toFixed(2).padStart(6)} %  ≈ ${usPerRequest(count).toFixed(2)} µs/request`;
  console.log(`${withoutRecorder ? 'no recorder (control)' : `recorder ${JSON.stringify(recorderOptions)}`} on ${app} at ${closedLoopRate === undefined ? `${rate} req/s` : `${closedLoopRate.toFixed(0)} req/s (as fast as it answers)`}: ${shares.total} main-thread samples over ${elapsedS.toFixed(1)} s, main thread ${cpuMs.toFixed(0)} ms CPU (${((cpuMs * 1000) / requests).toFixed(1)} µs/request under perf); ${staleMapLines} stale lines of V8's perf map dropped`);
  console.log(line('recorder code (a frame of the bundle)', shares.recorder));
  console.log(line("Node's GC entries (only made when observed)", shares.gcEntries));
  console.log(line("perf_hooks' JavaScript", shares.perfHooks));
  console.log(line("Node's trace buffer (GC trace events)", shares.traceBuffer));
  console.log(line("Node's timer loop (the recorder's timers)", shares.timers));
  console.log(line('all of the above', shares.all));
  console.log('  where the recorder-code samples end (leaf function  <  outermost recorder frame, samples):');
  for (const [leaf, count] of shares.leaves.slice(0, TOP_LEAVES)) console.log(`    ${String(count).padStart(5)}  ${leaf}`);
  console.log('  through which recorder entry (outermost recorder frame  >  the next one in, samples):');
  for (const [entry, count] of shares.entries.slice(0, TOP_ENTRIES)) console.log(`    ${String(count).padStart(5)}  ${entry}`);
  delete shares.leaves;
  delete shares.entries;
  console.log(`ATTRIBUTE ${JSON.stringify({ node: process.version, app, rate, options: withoutRecorder ? null : recorderOptions, samples: shares.total, cpuMs, requests, staleMapLines, ...shares })}`);
} finally {
  if (loadgen) await stop(loadgen);
  await stop(server);
  spawnSync('rm', ['-f', perfMap]);
  rmSync(workDir, { recursive: true, force: true });
}

/** Counts `perf script` samples (blank-line separated stacks) by what is on their stack. */
function classify(text) {
  const counts = { total: 0, recorder: 0, gcEntries: 0, perfHooks: 0, traceBuffer: 0, timers: 0, all: 0, leaves: [], entries: [] };
  const bundle = recorderPath;
  const leaves = new Map();
  // Per entry point: the outermost recorder frame and the one inside it (the outermost alone
  // is the shared guard wrapper for every guarded hook: timers, observers, listeners).
  const entries = new Map();
  for (const stack of text.split('\n\n')) {
    if (stack.trim() === '') continue;
    counts.total++;
    if (stack.includes(bundle)) {
      counts.recorder++;
      // The first line is the innermost frame: "<ip> <symbol>".
      const frames = stack.trim().split('\n').map((frame) => frame.trim().replace(/^\S+\s+/, '').replace(bundle, 'recorder.js'));
      // Leaf (innermost frame) and, after '<', the outermost recorder frame: where the time went, and through which entry.
      const recorderFrames = frames.filter((frame) => frame.includes('recorder.js'));
      const entry = recorderFrames[recorderFrames.length - 1];
      const key = `${frames[0]}  <  ${entry}`;
      leaves.set(key, (leaves.get(key) ?? 0) + 1);
      const inner = recorderFrames.length > 1 ? `  >  ${recorderFrames[recorderFrames.length - 2]}` : '';
      entries.set(`${entry}${inner}`, (entries.get(`${entry}${inner}`) ?? 0) + 1);
    }
    else if (/MarkGarbageCollection|GCPerformanceEntry/.test(stack)) counts.gcEntries++;
    else if (/node:internal\/perf\//.test(stack)) counts.perfHooks++;
    else if (TRACE_BUFFER.test(stack)) counts.traceBuffer++;
    else if (TIMER_LOOP.test(stack)) counts.timers++;
  }
  // The recorder's whole share, as every reader of the ATTRIBUTE line takes it.
  counts.all = counts.recorder + counts.gcEntries + counts.perfHooks + counts.traceBuffer + counts.timers;
  counts.leaves = [...leaves].sort((a, b) => b[1] - a[1]);
  counts.entries = [...entries].sort((a, b) => b[1] - a[1]);
  return counts;
}
