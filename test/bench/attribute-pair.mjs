#!/usr/bin/env node
// Two recorder builds compared inside loaded servers, paired in time: each round runs
// attribute.mjs for build A and build B at the same moment (two servers, two load generators,
// both sampled by perf in the same window), so whatever else the machine does falls on both.
// Unpaired runs of one build after the other moved the recorder's share by ±0.3 points with the
// machine's load — more than the differences worth measuring (docs/benchmarks.md).
//   node test/bench/attribute-pair.mjs <buildA/recorder.js> <buildB/recorder.js>
//        [--rounds 6] [--seconds 8] [--rate 6000] [--frequency 8000] [--app http-server.mjs] [--groups 1]
//        [--options-a '{"maxBytes":65536}'] [--options-b '{}']   (recorder options per side; the
//        same build on both sides then compares two settings)
// Prints each round's shares and the medians: recorder code and GC entries for each build, the
// per-round ratio B/A of the recorder's share, and the same for all of it (recorder code plus
// what Node does only for the recorder: GC entries, perf_hooks, trace buffer, its timers' loop).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const [buildA, buildB] = argv.filter((arg, i) => !arg.startsWith('--') && !argv[i - 1]?.startsWith('--')).map((path) => resolve(path));
if (!buildA || !buildB || !existsSync(buildA) || !existsSync(buildB)) {
  console.error('usage: node test/bench/attribute-pair.mjs <buildA/recorder.js> <buildB/recorder.js> [--rounds N] [--seconds S] [--rate R] [--frequency F]');
  process.exit(2);
}
if (spawnSync('perf', ['--version']).status !== 0) {
  console.log('attribute-pair: `perf` is not installed (linux-tools); nothing measured');
  process.exit(0);
}
const rounds = Number(option('--rounds', '6'));
const passOn = ['--seconds', option('--seconds', '8'), '--rate', option('--rate', '6000'), '--frequency', option('--frequency', '8000'), '--app', option('--app', 'http-server.mjs'), '--groups', option('--groups', '1')];
const attribute = fileURLToPath(new URL('./attribute.mjs', import.meta.url));

const optionsOf = { A: option('--options-a', '{}'), B: option('--options-b', '{}') };

/** One attribute.mjs run with `build` as the recorder: its ATTRIBUTE line, parsed (undefined when it measured nothing). */
function run(build, side) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [attribute, ...passOn, '--options', optionsOf[side]], { env: { ...process.env, FLIGHT_RECORDER_BENCH_RECORDER: build }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', () => {
      const line = out.split('\n').find((text) => text.startsWith('ATTRIBUTE '));
      resolve(line ? JSON.parse(line.slice('ATTRIBUTE '.length)) : undefined);
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};
const percent = (part, total) => (100 * part) / total;

const shares = { A: { recorder: [], gc: [], all: [] }, B: { recorder: [], gc: [], all: [] }, ratio: [], allRatio: [] };
/** Recorder code plus what Node does only for the recorder (GC entries, perf_hooks, trace buffer, its timers' loop). */
const allOf = (run) => percent(run.all, run.total);
for (let round = 0; round < rounds; round++) {
  const [a, b] = await Promise.all([run(buildA, 'A'), run(buildB, 'B')]);
  if (!a || !b || !(a.total > 0) || !(b.total > 0)) {
    console.log(`round ${round + 1}: a run measured nothing (perf not permitted?), skipped`);
    continue;
  }
  const recorderA = percent(a.recorder, a.total);
  const recorderB = percent(b.recorder, b.total);
  shares.A.recorder.push(recorderA);
  shares.B.recorder.push(recorderB);
  shares.A.gc.push(percent(a.gcEntries, a.total));
  shares.B.gc.push(percent(b.gcEntries, b.total));
  shares.ratio.push(recorderB / recorderA);
  shares.A.all.push(allOf(a));
  shares.B.all.push(allOf(b));
  shares.allRatio.push(allOf(b) / allOf(a));
  console.log(`round ${round + 1}: A recorder ${recorderA.toFixed(2)} % (GC entries ${percent(a.gcEntries, a.total).toFixed(2)} %, all ${allOf(a).toFixed(2)} %), B recorder ${recorderB.toFixed(2)} % (GC entries ${percent(b.gcEntries, b.total).toFixed(2)} %, all ${allOf(b).toFixed(2)} %), B/A ×${(recorderB / recorderA).toFixed(3)}, all ×${(allOf(b) / allOf(a)).toFixed(3)}`);
}
if (shares.ratio.length > 0) {
  console.log(`medians over ${shares.ratio.length} rounds: A recorder ${median(shares.A.recorder).toFixed(2)} %, GC entries ${median(shares.A.gc).toFixed(2)} %; ` +
    `B recorder ${median(shares.B.recorder).toFixed(2)} %, GC entries ${median(shares.B.gc).toFixed(2)} %; ` +
    `B/A ×${median(shares.ratio).toFixed(3)} (${Math.min(...shares.ratio).toFixed(3)}–${Math.max(...shares.ratio).toFixed(3)}); ` +
    `all of it: A ${median(shares.A.all).toFixed(2)} %, B ${median(shares.B.all).toFixed(2)} %, B/A ×${median(shares.allRatio).toFixed(3)} (${Math.min(...shares.allRatio).toFixed(3)}–${Math.max(...shares.allRatio).toFixed(3)})`);
}
