// How busy the machine is with work that is not ours. The benchmarks share 2 cores with
// other people's builds and tests; a run during which someone else used a core is not
// comparable with one during which nobody did. /proc/stat gives all CPU time spent; minus the
// CPU time of our own processes, it gives the foreign load of a run.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time spent busy by all cores since boot, in µs (everything but idle and iowait). */
export function machineBusyUs() {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, , , irq, softirq, steal] = first.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Waits (bounded by maxWaitMs) until the machine has been quiet for one window of windowMs:
 * busy CPU, excluding ours, under `thresholdPercent` of one core. Returns the last window's
 * load (percent of one core) and how long we waited.
 */
export async function waitForQuiet({ thresholdPercent = 25, windowMs = 500, maxWaitMs = 3_000, ownCpuUs = () => 0 } = {}) {
  const startedMs = Date.now();
  while (true) {
    const busyStart = machineBusyUs();
    const ownStart = ownCpuUs();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const loadPercent = ((machineBusyUs() - busyStart - (ownCpuUs() - ownStart)) / (windowMs * 1000)) * 100;
    if (loadPercent < thresholdPercent || Date.now() - startedMs >= maxWaitMs) return { loadPercent, waitedMs: Date.now() - startedMs };
  }
}
