#!/usr/bin/env node
// Where does the recorder's cost go? Runs a benchmark server under load with `--cpu-prof`
// and prints the share of CPU samples that have a recorder frame on the stack, and the
// recorder's hottest functions (mapped to src/ through dist/recorder.js.map).
//   node test/bench/profile.mjs [--app http-server.mjs] [--options '{"cpuSamplingIntervalUs":1000}']
//                               [--seconds 5] [--baseline]
// --baseline profiles the app without the recorder (to compare the top of the two lists).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appPath, preloadArgs, recorderEnv } from './lib/env.mjs';
import { loadResult, spawnLoad, startBenchServer } from './lib/loaded-server.mjs';
import { stop } from './lib/proc.mjs';
import { summarizeProfile } from './lib/profile-summary.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const app = option('--app', 'http-server.mjs');
const seconds = Number(option('--seconds', '5'));
const recorderOptions = JSON.parse(option('--options', '{}'));
const baseline = argv.includes('--baseline');

const profileDir = mkdtempSync(join(tmpdir(), 'nfr-profile-'));
const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '250', ...(baseline ? [] : preloadArgs)];
const { server, port } = await startBenchServer([...nodeArgs, appPath(app)], { env: recorderEnv(recorderOptions) });
// Not startLoad: this waits for the load's result, not its measured start.
const loadgen = await spawnLoad(port, { connections: 32, warmupSeconds: 1, seconds });
const load = await loadResult(loadgen, seconds * 1000 + 30_000);
await stop(loadgen);
await stop(server, 10_000);
const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error('no .cpuprofile written');
const summary = summarizeProfile(join(profileDir, file));
console.log(`${baseline ? 'baseline' : 'recorder ' + JSON.stringify(recorderOptions)} on ${app}: ${load.requestsPerSecond.toFixed(0)} req/s under --cpu-prof`);
console.log(`busy ${summary.busyMs.toFixed(0)} ms; samples with a recorder frame on the stack: ${summary.ownPercentOfBusy.toFixed(2)} % of busy time`);
console.log('\nhottest functions (self time, % of busy):');
for (const row of summary.top) console.log(`  ${row.percent.toFixed(2).padStart(6)} %  ${row.function}`);
if (!baseline) {
  console.log('\nrecorder functions and what they call (self time, % of busy):');
  for (const row of summary.ownTop) console.log(`  ${row.percent.toFixed(2).padStart(6)} %  ${row.function}`);
}
if (argv.includes('--keep')) console.log(`\nprofile: ${join(profileDir, file)}`);
else rmSync(profileDir, { recursive: true, force: true });
