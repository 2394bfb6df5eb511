// A program whose worker threads block their loops again and again, as a pool's workers do with
// long tasks: WORKERS workers each run BLOCK_MS of work, then give their loop GAP_MS, for
// MEASURE_MS; the main thread only keeps a 50 ms interval (a server between requests). Prints
// `MAIN <cpu ms a second> <worker blocks>`: the main thread's CPU over the measured time
// (schedstat), which is what probing the workers' blocks takes from it (the probe goes
// through its inspector); then waits to be snapshotted and stopped.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const WORKERS = Number(process.env.WORKERS) || 4;
const BLOCK_MS = Number(process.env.BLOCK_MS) || 150;
const GAP_MS = Number(process.env.GAP_MS) || 100;
const MEASURE_MS = Number(process.env.MEASURE_MS) || 10_000;
const SETTLE_MS = 2_000;

const pool = `const { parentPort } = require('node:worker_threads');
let blocks = 0;
function task(ms) { const end = performance.now() + ms; let x = 0; while (performance.now() < end) x += Math.sqrt(x + 1); return x; }
const next = () => { task(${BLOCK_MS}); blocks++; setTimeout(next, ${GAP_MS}); };
setTimeout(next, 100);
parentPort.on('message', () => parentPort.postMessage(blocks));`;
const workers = Array.from({ length: WORKERS }, () => new Worker(pool, { eval: true }));

const mainThreadCpuMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
setInterval(() => {}, 50);
setTimeout(() => {
  const startMs = mainThreadCpuMs();
  setTimeout(async () => {
    const cpuMsPerSecond = ((mainThreadCpuMs() - startMs) * 1000) / MEASURE_MS;
    const blocks = await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage('count'); })));
    process.stdout.write(`MAIN ${cpuMsPerSecond.toFixed(3)} ${blocks.reduce((a, b) => a + b, 0)}\n`);
  }, MEASURE_MS);
}, SETTLE_MS);
