// A program whose worker threads collect garbage busily while its main thread idles: what the
// main thread pays for the recorder then (docs/benchmarks.md, the fifteenth session's notes).
//   node test/bench/apps/busy-workers.mjs                                 (no recorder)
//   node --require ./dist/recorder.js test/bench/apps/busy-workers.mjs    (recorded)
// Prints the main thread's CPU per second (schedstat) over RUN_SECONDS (30) after a 0.5 s start,
// and its worst lateness of a 50 ms interval (how long it could not get back to its loop).
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const SECONDS = Number(process.env.RUN_SECONDS || 30);
const WORKERS = Number(process.env.WORKERS || 2);
const churn = `const keep = []; setInterval(() => { for (let i = 0; i < 100000; i++) keep[i % 1000] = { i, s: 'x' + i }; }, 10);`;
for (let i = 0; i < WORKERS; i++) new Worker(churn, { eval: true });

const mainThreadCpuMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const TICK_MS = 50;
let last = performance.now();
let worstStallMs = 0;
setInterval(() => {
  const now = performance.now();
  worstStallMs = Math.max(worstStallMs, now - last - TICK_MS);
  last = now;
}, TICK_MS);
setTimeout(() => {
  const startCpuMs = mainThreadCpuMs();
  worstStallMs = 0;
  setTimeout(() => {
    console.log(JSON.stringify({ mainThreadCpuMsPerSecond: +((mainThreadCpuMs() - startCpuMs) / SECONDS).toFixed(2), worstStallMs: +worstStallMs.toFixed(1) }));
    process.exit(0);
  }, SECONDS * 1000);
}, 500);
