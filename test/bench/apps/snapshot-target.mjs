// A recorded process for the snapshot benchmarks (run with --require dist/recorder.js).
// It fills the ring with `count` user-timing marks and as many `log()` annotations (several
// times its capacity, so the ring is full and has wrapped), then, driven by lines on stdin:
//   WINDOW        start measuring main-thread stalls (event-loop delay at 1 ms resolution)
//   REPORT        print `STALL {maxMs, p99Ms, samples}` for the window and reset
//   SPIN          block the main thread forever (for "snapshot while the main thread spins")
//   EXIT          exit normally (so --cpu-prof writes its profiles)
// and prints `FILLED <marks>` when ready. Marks are cleared from Node's own timeline buffer
// as it goes, so only the recorder holds them.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

// The library API of the preloaded recorder (the same instance: it loads once per process).
const { log } = createRequire(import.meta.url)(process.env.BENCH_RECORDER_PATH);

const marks = Number(process.argv[2] ?? 600_000);
const DISTINCT_NAMES = 5000;
const names = Array.from({ length: DISTINCT_NAMES }, (_, i) => `work:step-${i}`);

async function fill() {
  const chunk = 20_000;
  for (let done = 0; done < marks; done += chunk) {
    for (let i = done; i < Math.min(marks, done + chunk); i++) {
      performance.mark(names[i % DISTINCT_NAMES]);
      log('bench', names[(i * 7) % DISTINCT_NAMES]);
    }
    performance.clearMarks();
    // Let the PerformanceObserver deliver this chunk to the recorder.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}

await fill();
const RESOLUTION_MS = 1;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
process.stdout.write(`FILLED ${marks}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'WINDOW') {
    histogram.reset();
    histogram.enable();
    process.stdout.write('WINDOW_OPEN\n');
  } else if (line === 'REPORT') {
    histogram.disable();
    // The histogram records each 1 ms timer interval; the stall is what exceeds it.
    const toStallMs = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const samples = histogram.count;
    process.stdout.write(`STALL ${JSON.stringify({ maxMs: samples ? toStallMs(histogram.max) : 0, p99Ms: samples ? toStallMs(histogram.percentile(99)) : 0, samples })}\n`);
    histogram.reset();
  } else if (line === 'EXIT') {
    process.exit(0);
  } else if (line === 'SPIN') {
    process.stdout.write('SPINNING\n');
    const until = Date.now() + 120_000; // bounded: the runner kills it long before
    while (Date.now() < until);
    process.exit(0);
  }
});
