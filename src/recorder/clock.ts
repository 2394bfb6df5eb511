// The trace clock: microseconds on the monotonic clock `process.hrtime` reads, which is the
// clock V8's CPU profiler stamps samples with, so Profile events line up with ours in every
// thread. `performance.now()` is as cheap as a clock read gets here (~50 ns) but counts from
// this thread's own time origin; one offset, measured once per thread, maps it onto hrtime.
// The global `performance` is perf_hooks' own; read once, before the program could replace it.
const performance = globalThis.performance;

function measureOffsetUs(): number {
  // Take the pair of readings whose bracketing performance.now() calls are closest.
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const hr = process.hrtime.bigint();
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      offset = Number(hr / 1000n) - ((before + after) / 2) * 1000;
    }
  }
  return offset;
}

const offsetUs = measureOffsetUs();

/** Now, µs on the trace clock (hrtime). */
export function nowUs(): number {
  return performance.now() * 1000 + offsetUs;
}

/** A `performance.now()`-style time of this thread (perf_hooks entries' startTime), in trace µs. */
export function perfMsToTraceUs(perfMs: number): number {
  return perfMs * 1000 + offsetUs;
}

/** Maps trace time to wall-clock time: at trace `ts` µs it was `epochMs`. */
export function clockSync(): { ts: number; epochMs: number } {
  return { ts: Math.round(nowUs()), epochMs: Date.now() };
}
