#!/usr/bin/env node
// `npm run bench`: every benchmark of issue 7, baseline and variant interleaved, printed as a
// table with each ratio and written as JSON. Not part of the test suite's pass/fail.
//   npm run bench                  full run (≈ 42–56 min on 2 cores)
//   npm run bench -- --quick       short run (≈ 22 min: fewer, shorter runs; same benchmarks)
//   npm run bench -- --only http-default,pause   only these benchmark ids
//   npm run bench -- --list        list the benchmark ids ((full) = not in --quick; (extra) = only with --only)
//   npm run bench -- --json out.json   also write the results here
// Results are always written to .tmp/bench/results-<quick|full>[-partial].json (-partial: --only).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { httpBenchmarks, sameTimeBenchmark } from './benchmarks/http.mjs';
import { snapshotBenchmarks } from './benchmarks/snapshot.mjs';
import { stormBenchmark } from './benchmarks/storm.mjs';
import { startupBenchmark } from './benchmarks/startup.mjs';
import { activationBenchmark } from './benchmarks/activation.mjs';
import { viewerBenchmark } from './benchmarks/viewer.mjs';
import { toggleBenchmark } from './benchmarks/toggle.mjs';
import { idleBenchmark } from './benchmarks/idle.mjs';
import { threadsBenchmark } from './benchmarks/threads.mjs';
import { loopProbeBenchmark } from './benchmarks/loop-probe.mjs';
import { loopProbeWorkersBenchmark } from './benchmarks/loop-probe-workers.mjs';
import { attributionBenchmarks } from './benchmarks/attribution.mjs';
import { costPairBenchmark } from './benchmarks/cost-pair.mjs';
import { requestHooksBenchmark } from './benchmarks/request-hooks.mjs';
import { instructionsBenchmark } from './benchmarks/instructions.mjs';
import { recorderBuildInfo, recorderBuilt, repoRoot } from './lib/env.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};
const quick = flag('--quick');

/** Run lengths. Full: 6 pairs of 3 s measured runs; quick: 5 pairs of 2 s. */
const settings = quick
  ? { mode: 'quick', pairs: 5, warmupSeconds: 1, durationSeconds: 2, connections: 32, snapshots: 20, stormSeconds: 5, startupRuns: 15, activationRuns: 10 }
  : { mode: 'full', pairs: 6, warmupSeconds: 1, durationSeconds: 3, connections: 32, snapshots: 50, stormSeconds: 30, startupRuns: 40, activationRuns: 30 };
if (option('--pairs')) settings.pairs = Number(option('--pairs'));
if (option('--duration')) settings.durationSeconds = Number(option('--duration'));

const all = [...httpBenchmarks, requestHooksBenchmark, ...attributionBenchmarks, instructionsBenchmark, costPairBenchmark, toggleBenchmark, sameTimeBenchmark, ...snapshotBenchmarks, stormBenchmark, idleBenchmark, threadsBenchmark, loopProbeBenchmark, loopProbeWorkersBenchmark, startupBenchmark, activationBenchmark, viewerBenchmark];
if (flag('--list')) {
  for (const bench of all) console.log(`${bench.id.padEnd(18)} ${bench.extra ? '(extra) ' : bench.fullOnly ? '(full)  ' : '        '}${bench.title}`);
  process.exit(0);
}
const only = option('--only')?.split(',');
// `extra` benchmarks (cross-checks and references) run only when named with --only.
const selected = all.filter((bench) => (only ? only.includes(bench.id) : !bench.extra && !(quick && bench.fullOnly)));

function machine() {
  let cpuModel = os.cpus()[0]?.model;
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((load) => +load.toFixed(2)),
  };
}

const log = (line) => process.stdout.write(`${line}\n`);
const startedAt = new Date();
const info = machine();
log(`Node Flight Recorder benchmarks — ${settings.mode} run, ${startedAt.toISOString()}`);
log(`machine: ${info.nproc} cores, ${info.cpuModel}, ${info.memoryGiB} GiB; node ${info.node}; load avg ${info.loadAverageAtStart.join(' ')}`);
const haveRecorder = recorderBuilt();
const build = recorderBuildInfo();
if (build) log(`recorder: dist/recorder.js ${build.bytes} bytes, built ${build.builtAt}, sha256 ${build.sha256}… (pinned copy)`);
if (!haveRecorder) log('note: dist/recorder.js is not built (run `node esbuild.js --only recorder`); recorder benchmarks are skipped.');

const results = [];
/** Writes everything so far (after every benchmark, so a run cut short keeps what it measured). */
function writeResults() {
  const report = { startedAt: startedAt.toISOString(), settings, machine: info, recorderBuild: build, loadAverageAtEnd: os.loadavg().map((load) => +load.toFixed(2)), results };
  for (const path of outputsFor()) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  }
}
function outputsFor() {
  const paths = [join(repoRoot, '.tmp', 'bench', `results-${settings.mode}${only ? '-partial' : ''}.json`)];
  if (option('--json')) paths.push(option('--json'));
  return paths;
}
for (const bench of selected) {
  log(`\n▶ ${bench.id}: ${bench.title}  [target: ${bench.target}]`);
  const benchStartedMs = performance.now();
  let outcome;
  if (bench.needsRecorder && !haveRecorder) {
    outcome = { skipped: 'dist/recorder.js not built' };
  } else {
    try {
      outcome = await bench.run(settings, (line) => log(line), results);
    } catch (error) {
      outcome = { error: String(error?.stack ?? error).split('\n').slice(0, 6).join('\n') };
    }
  }
  const seconds = (performance.now() - benchStartedMs) / 1000;
  const row = { id: bench.id, title: bench.title, target: bench.target, seconds: +seconds.toFixed(1), ...outcome };
  results.push(row);
  if (row.skipped) log(`  skipped: ${row.skipped}`);
  else if (row.error) log(`  ERROR: ${row.error}`);
  else log(`  ⇒ ${row.headline}  ${verdict(row)}  (${seconds.toFixed(0)} s)`);
  writeResults();
}

function verdict(row) {
  if (row.skipped) return 'skipped';
  if (row.error) return 'error';
  if (row.unresolved) return `NOT RESOLVED (${row.unresolved})`;
  if (row.pass === true) return 'meets target';
  if (row.pass === false) return 'MISSES target';
  return 'measured';
}

log('\nSummary (ratios: B/A medians of interleaved pairs; throughput ≥ 1 is better, CPU/req ≤ 1 is better)');
log(`${'benchmark'.padEnd(18)} ${'throughput'.padEnd(11)} ${'CPU/req'.padEnd(9)} ${'value'.padEnd(18)} verdict`);
for (const row of results) {
  const throughput = row.ratio !== undefined ? `×${row.ratio.toFixed(3)}` : '';
  const cpu = row.cpuRatio !== undefined ? `×${row.cpuRatio.toFixed(3)}` : '';
  const value = row.value ?? (row.costPercent !== undefined ? `cost ${row.costPercent.toFixed(1)} %` : '');
  const why = row.skipped ? ` (${row.skipped})` : row.error ? ` (${row.error.split('\n')[0]})` : '';
  log(`${row.id.padEnd(18)} ${throughput.padEnd(11)} ${cpu.padEnd(9)} ${String(value).padEnd(18)} ${verdict(row)}${why}`);
}

// A run of some benchmarks (--only) never overwrites the last run of all of them.
const outputs = outputsFor();
writeResults();
log(`\nJSON: ${outputs.join(', ')}`);
