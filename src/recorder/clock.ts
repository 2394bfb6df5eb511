// The trace clock: microseconds on the monotonic clock `process.hrtime` reads, which is the
// clock V8's CPU profiler stamps samples with, so Profile events line up with ours in every
// thread.
// Read through `process.hrtime()`, not `performance.now()` plus an offset: both are one fast
// call into Node for the same uv_hrtime, but Node's `performance.now()` first checks that its
// receiver is the real Performance object (a call to the hasOwnProperty builtin on an object the
// program's own work has evicted from the cache), and that check was ~10 % of what the recorder
// cost a request on Node 24 (7 % on Node 20). The two-element array `hrtime` returns is never
// made where V8 inlines it into a hook (escape analysis); where V8 calls it, the array costs
// less than the check did (docs/benchmarks.md, finding 1).
// Read once, before the program could replace it (fake timers do).
const hrtime = process.hrtime;

/** Now, µs on the trace clock (hrtime). */
export function nowUs(): number {
  const time = hrtime();
  return time[0] * 1e6 + time[1] / 1e3;
}

/** Maps trace time to wall-clock time: at trace `ts` µs it was `epochMs`. */
export function clockSync(): { ts: number; epochMs: number } {
  return { ts: Math.round(nowUs()), epochMs: Date.now() };
}
