// An event storm: as many user-timing marks as the process can make (≥ 1 M/s here without a
// recorder) for `seconds`, in chunks that yield to the event loop so observers (the
// recorder's among them) run; with the recorder (BENCH_RECORDER_PATH set) each mark also gets a
// `log()` annotation. One name in 64 is unique, so a string table that is not bounded would
// show. Prints `STORM_START`, then `STORM_END {json}` (events = marks + annotations; the
// main thread's heap after the storm and a full GC), and stays until it is stopped.
// Usage: node --expose-gc storm.mjs <seconds>
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const recorderModule = process.env.BENCH_RECORDER_PATH ? createRequire(import.meta.url)(process.env.BENCH_RECORDER_PATH) : null;
const log = recorderModule ? recorderModule.log : null;
// The recorder's fixed cost (its watchdog thread, started after the program's first tick) is
// paid before the storm starts, so the RSS growth measured from STORM_START is what recording
// the storm costs; the benchmark reports the fixed cost separately (with − without, in total).
if (recorderModule?.recorder) {
  const keepAlive = setTimeout(() => undefined, 30_000); // the recorder's own handles are unref'd
  await recorderModule.recorder.whenReady();
  clearTimeout(keepAlive);
}

const seconds = Number(process.argv[2] ?? 30);
const names = Array.from({ length: 256 }, (_, i) => `storm:${i}`);
const CHUNK = 20_000;

process.stdout.write('STORM_START\n');
const startedMs = performance.now();
let events = 0;
let annotations = 0;
while (performance.now() - startedMs < seconds * 1000) {
  for (let i = events; i < events + CHUNK; i++) {
    const name = (i & 63) === 0 ? `request:${i}` : names[i & 255];
    performance.mark(name);
    if (log) log('storm', name);
  }
  events += CHUNK;
  if (log) annotations += CHUNK;
  performance.clearMarks(); // Node's own timeline buffer would grow otherwise, recorder or not
  await new Promise((resolve) => setImmediate(resolve));
}
const elapsedSeconds = (performance.now() - startedMs) / 1000;
// Let the last observer deliveries land, then collect garbage (run with --expose-gc) so the
// RSS read after STORM_END is what stays held, not the storm's own garbage.
await new Promise((resolve) => setTimeout(resolve, 200));
globalThis.gc?.();
await new Promise((resolve) => setTimeout(resolve, 50));
globalThis.gc?.();
const memory = process.memoryUsage();
process.stdout.write(`STORM_END ${JSON.stringify({ events: events + annotations, seconds: elapsedSeconds, eventsPerSecond: (events + annotations) / elapsedSeconds, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external })}\n`);
// Stays until the runner stops it: it reads the process's RSS after this line, and a process
// on its way out (threads being joined, memory being unmapped) gave it anything from ~74 to
// ~100 MiB for the same run.
setInterval(() => undefined, 60_000);
