// Snapshot benchmarks on a full 10 MiB ring (issue 7):
//   pause      main-thread stall while a snapshot is taken, p99 over N snapshots (≤ 5 ms)
//   snapshot   snapshot request → file complete (≤ 1 s)
//   spin       `cli snapshot` of a process whose main thread spins forever (≤ 1 s)
// The target process (apps/snapshot-target.mjs) is preloaded with the recorder and fills its
// ring with several times its capacity of user-timing marks. Requests go over the control
// channel (lib/control.mjs), as the CLI and the extension send them.
//
// How the pause is measured: inside the target, `monitorEventLoopDelay` at 1 ms resolution
// runs only during a window that spans one snapshot request from send to response; the largest
// timer interval minus the 1 ms resolution is the longest time the main thread did not get
// back to its event loop. Every snapshot window is paired with an idle window of the same
// length (no snapshot) so the machine's own noise (other processes preempting us) is shown
// next to it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { appPath, cliPath, preloadArgs, recorderEnv, recorderPath, registryDir } from '../lib/env.mjs';
import { request, waitForRegistryEntry } from '../lib/control.mjs';
import { memoryBytes, processCpuNs, startNode, stop, threadCpuNs } from '../lib/proc.mjs';
import { percentile, summarize } from '../lib/stats.mjs';

const RING_BYTES = 10 * 1024 * 1024;
/** ~3.5× the records a 10 MiB ring holds (48-byte records), so it is full and has wrapped. */
const FILL_MARKS = 700_000;

async function startFilledTarget(extraOptions = {}) {
  const { child } = await startNode([...preloadArgs, appPath('snapshot-target.mjs'), String(FILL_MARKS)], {
    env: { ...recorderEnv({ maxBytes: RING_BYTES, ...extraOptions }), BENCH_RECORDER_PATH: recorderPath },
    readyPattern: /^FILLED (\d+)$/,
    timeoutMs: 60_000,
  });
  const entry = await waitForRegistryEntry(registryDir, child.pid);
  const status = await request(entry.socket, { type: 'status' }, 10_000);
  if (!status.ok) throw new Error(`status failed: ${status.error}`);
  return { child, entry, status: status.status };
}

function ringFullness(status) {
  const warning = status.droppedEvents > 0 ? '' : ' — WARNING: the ring never wrapped (are user-timing marks recorded?), so this is not a full ring';
  return `ring ${(status.usedBytes / 2 ** 20).toFixed(1)} of ${(status.maxBytes / 2 ** 20).toFixed(1)} MiB, ${status.eventCount} events held, ${status.droppedEvents} overwritten${warning}`;
}

const pauseBench = ({ id, title, recorderOptions, fullOnly = false, target = 'pause ≤ 5 ms p99; file complete ≤ 1 s' }) => ({
  id,
  title,
  target,
  fullOnly,
  needsRecorder: true,
  async run(settings, log) {
    const { child, entry, status } = await startFilledTarget(recorderOptions);
    try {
      log(`  target filled: ${ringFullness(status)}`);
      const rssBeforeBytes = memoryBytes(child.pid).rssBytes;
      const snapshotStalls = [];
      const idleStalls = [];
      const latenciesMs = [];
      const sizes = [];
      // On-CPU time (schedstat, ns precision) in each window: the main thread's, and all
      // threads' (the watchdog does the encoding). Minus the same-length idle window's, it is
      // the CPU a snapshot costs — a number the machine's load does not change much.
      const mainCpuMs = [];
      const mainShareMs = [];
      const processCpuMs = [];
      const count = recorderOptions.cpuSamplingIntervalUs ? Math.min(20, settings.snapshots) : settings.snapshots;
      for (let i = 0; i < count; i++) {
        let elapsedMs = 0;
        let written = '';
        const snapshotCpu = cpuMark(child.pid);
        const stall = await windowed(child, async () => {
          const sentMs = performance.now();
          const response = await request(entry.socket, { type: 'snapshot', reason: 'bench' }, 30_000);
          elapsedMs = performance.now() - sentMs;
          if (!response.ok) throw new Error(`snapshot failed: ${response.error}`);
          if (!existsSync(response.path)) throw new Error(`snapshot response names ${response.path}, which does not exist`);
          sizes.push({ bytes: statSync(response.path).size, events: response.events });
          written = response.path;
        });
        // Outside the window (parsing 20 MB here would take a core from the program): the
        // recorder's own account of the main thread's share, metadata.recorder.timingsMs.
        const answeredMs = JSON.parse(readFileSync(written, 'utf8')).metadata?.recorder?.timingsMs?.mainThread;
        if (typeof answeredMs === 'number') mainShareMs.push(answeredMs);
        rmSync(written, { force: true });
        const snapshotCpuMs = snapshotCpu();
        snapshotStalls.push(stall.maxMs);
        latenciesMs.push(elapsedMs);
        const idleCpu = cpuMark(child.pid);
        const idle = await windowed(child, () => new Promise((resolve) => setTimeout(resolve, Math.max(20, elapsedMs))));
        const idleCpuMs = idleCpu();
        idleStalls.push(idle.maxMs);
        mainCpuMs.push(snapshotCpuMs.main - idleCpuMs.main);
        processCpuMs.push(snapshotCpuMs.process - idleCpuMs.process);
      }
      const pauseP99 = percentile(snapshotStalls, 99);
      const idleP99 = percentile(idleStalls, 99);
      const latency = summarize(latenciesMs);
      const latencyP99 = percentile(latenciesMs, 99);
      const fileMiB = sizes[0].bytes / 2 ** 20;
      log(`  ${count} snapshots of ${sizes[0].events} events, ${fileMiB.toFixed(1)} MiB each`);
      const shareP99 = mainShareMs.length ? percentile(mainShareMs, 99) : NaN;
      log(`  main thread's share of a snapshot (its answer to the watchdog, timed by the recorder): p50 ${percentile(mainShareMs, 50).toFixed(3)} ms, p99 ${shareP99.toFixed(3)} ms over ${mainShareMs.length}`);
      log(`  main-thread stall during a snapshot: p50 ${percentile(snapshotStalls, 50).toFixed(2)} ms, p99 ${pauseP99.toFixed(2)} ms; same-length idle windows: p50 ${percentile(idleStalls, 50).toFixed(2)} ms, p99 ${idleP99.toFixed(2)} ms`);
      const { peakRssBytes } = memoryBytes(child.pid);
      const snapshotPeakExtraMiB = (peakRssBytes - rssBeforeBytes) / 2 ** 20;
      log(`  memory: RSS ${(rssBeforeBytes / 2 ** 20).toFixed(1)} MiB with the ring full; peak during snapshots ${(peakRssBytes / 2 ** 20).toFixed(1)} MiB (+${snapshotPeakExtraMiB.toFixed(1)} MiB transient, in the watchdog)`);
      const mainCpu = summarize(mainCpuMs);
      const processCpu = summarize(processCpuMs);
      log(`  CPU per snapshot (minus an idle window): main thread ${mainCpu.median.toFixed(1)} ms (${mainCpu.min.toFixed(1)}–${mainCpu.max.toFixed(1)}), whole process ${processCpu.median.toFixed(0)} ms (${processCpu.min.toFixed(0)}–${processCpu.max.toFixed(0)})`);
      log(`  request → file complete: median ${latency.median.toFixed(0)} ms (${latency.min.toFixed(0)}–${latency.max.toFixed(0)}), p99 ${latencyP99.toFixed(0)} ms`);
      return {
        value: `${pauseP99.toFixed(1)} ms / ${latency.median.toFixed(0)} ms`,
        headline: `main thread's share p99 ${shareP99.toFixed(2)} ms; event-loop stall p99 ${pauseP99.toFixed(2)} ms in snapshot windows (idle windows: ${idleP99.toFixed(2)} ms); request → file median ${latency.median.toFixed(0)} ms, p99 ${latencyP99.toFixed(0)} ms; CPU/snapshot: main ${mainCpu.median.toFixed(1)} ms, process ${processCpu.median.toFixed(0)} ms; ${sizes[0].events} events, ${fileMiB.toFixed(1)} MiB`,
        // The pause is the main thread's share, timed by the recorder; the event-loop stall seen
        // from inside the program cross-checks it: ≤ 5 ms, or no worse than windows without a
        // snapshot (then what it shows is the machine, not the recorder).
        pass: recorderOptions.cpuSamplingIntervalUs ? null : shareP99 <= 5 && (pauseP99 <= 5 || pauseP99 <= idleP99) && latency.median <= 1000,
        details: { ring: status, mainThreadShareMs: mainShareMs, mainThreadShareP99Ms: shareP99, snapshotStallMs: snapshotStalls, idleStallMs: idleStalls, latencyMs: latenciesMs, pauseP99Ms: pauseP99, idleP99Ms: idleP99, latency, latencyP99Ms: latencyP99, mainThreadCpuMs: mainCpu, processCpuMs: processCpu, file: sizes[0], rssBeforeBytes, peakRssBytes },
      };
    } finally {
      await stop(child);
    }
  },
});

const pause = pauseBench({
  id: 'pause',
  title: 'snapshot of a full 10 MiB ring: main-thread pause (p99) and request → file complete',
  recorderOptions: {},
});
const pauseWithCpu = pauseBench({
  id: 'pause-cpu',
  title: 'the same with 1 ms CPU sampling on (the snapshot also ends the profiler\'s running window)',
  recorderOptions: { cpuSamplingIntervalUs: 1000 },
  target: 'measured (the ≤ 5 ms target is for the default recorder)',
  fullOnly: true,
});

/** Starts counting on-CPU time of a process; the returned function gives ms so far. */
function cpuMark(pid) {
  const main = threadCpuNs(pid);
  const all = processCpuNs(pid);
  return () => ({ main: (threadCpuNs(pid) - main) / 1e6, process: (processCpuNs(pid) - all) / 1e6 });
}

/** Opens a stall-measurement window in the target around `action`, returns the stall. */
async function windowed(child, action) {
  const open = nextLine(child, /^WINDOW_OPEN$/);
  child.stdin.write('WINDOW\n');
  await open;
  await action();
  const report = nextLine(child, /^STALL (.*)$/);
  child.stdin.write('REPORT\n');
  const [, json] = await report;
  return JSON.parse(json);
}

/** The next stdout line (from now on) matching `pattern`, bounded by 15 s. */
function nextLine(child, pattern) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern}`)), 15_000);
    function onData(chunk) {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        const match = pattern.exec(line);
        if (match) return done(null, match);
      }
    }
    function done(error, match) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      if (error) reject(error);
      else resolve(match);
    }
    child.stdout.on('data', onData);
  });
}

const spin = {
  id: 'spin',
  title: '`flight-recorder snapshot <pid>` of a process whose main thread spins',
  target: '≤ 1 s (wall time of the CLI command)',
  needsRecorder: true,
  async run(settings, log) {
    const { child, entry, status } = await startFilledTarget();
    try {
      log(`  target filled: ${ringFullness(status)}; main thread now spins`);
      const spinning = nextLine(child, /^SPINNING$/);
      child.stdin.write('SPIN\n');
      await spinning;
      const runs = settings.mode === 'quick' ? 3 : 7;
      const cliMs = [];
      const rawMs = [];
      const haveCli = existsSync(cliPath) && statSync(cliPath).size > 4000;
      for (let i = 0; i < runs; i++) {
        const sentMs = performance.now();
        const response = await request(entry.socket, { type: 'snapshot', reason: 'bench-spin' }, 30_000);
        rawMs.push(performance.now() - sentMs);
        if (!response.ok) throw new Error(`snapshot of a spinning process failed: ${response.error}`);
        rmSync(response.path, { force: true });
        if (haveCli) {
          const startedMs = performance.now();
          const result = spawnSync(process.execPath, [cliPath, 'snapshot', String(child.pid)], {
            env: { ...process.env, FLIGHT_RECORDER_REGISTRY: registryDir },
            encoding: 'utf8',
            timeout: 30_000,
          });
          cliMs.push(performance.now() - startedMs);
          if (result.status !== 0) throw new Error(`cli snapshot exited ${result.status ?? result.signal}: ${result.stderr}`);
          const written = /(\S+\.nodetrace\.json)/.exec(result.stdout + result.stderr)?.[1];
          if (written) rmSync(written, { force: true });
        }
      }
      const raw = summarize(rawMs);
      const cli = summarize(cliMs);
      log(`  control request → file complete: ${raw.median.toFixed(0)} ms (${raw.min.toFixed(0)}–${raw.max.toFixed(0)})` +
        (haveCli ? `; CLI wall time: ${cli.median.toFixed(0)} ms (${cli.min.toFixed(0)}–${cli.max.toFixed(0)})` : '; dist/cli.js not built: CLI not timed'));
      const headlineMs = haveCli ? cli.median : raw.median;
      return {
        value: `${headlineMs.toFixed(0)} ms`,
        headline: haveCli
          ? `cli snapshot ${cli.median.toFixed(0)} ms (${cli.min.toFixed(0)}–${cli.max.toFixed(0)}); raw request ${raw.median.toFixed(0)} ms`
          : `raw control request ${raw.median.toFixed(0)} ms (${raw.min.toFixed(0)}–${raw.max.toFixed(0)}); CLI not built`,
        pass: headlineMs <= 1000,
        details: { cliMs: cli, rawRequestMs: raw, ring: status },
      };
    } finally {
      child.kill('SIGKILL');
      await stop(child);
    }
  },
};

export const snapshotBenchmarks = [pause, pauseWithCpu, spin];
