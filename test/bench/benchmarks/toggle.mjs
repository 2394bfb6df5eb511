// Cross-check of http-default-rate for a busy machine: the recorder switched on and off every
// second inside one server process under one continuous load at a fixed 8000 req/s (the rate
// of http-default-rate, so both sides batch requests alike; apps/toggle-server.mjs); main-
// thread CPU per request, on vs off, over many alternations. The 300 ms after each switch
// (worker start, sources installed, JIT re-adapting: a one-off) are not measured.
import { appPath, recorderEnv, recorderPath } from '../lib/env.mjs';
import { startBenchServer, startLoad } from '../lib/loaded-server.mjs';
import { stop } from '../lib/proc.mjs';
import { median, summarize } from '../lib/stats.mjs';

const PHASE_MS = 1000;
const RATE_PER_SECOND = 8000;

export const toggleBenchmark = {
  id: 'http-toggle',
  title: 'default recorder switched on/off every second in one node:http server at 8000 req/s (CPU/req cross-check)',
  target: 'main-thread CPU/req cost ≤ 2 % (cross-check of http-default)',
  needsRecorder: true,
  async run(settings, log) {
    const phases = settings.mode === 'quick' ? 20 : 40;
    const { server, port } = await startBenchServer([appPath('toggle-server.mjs'), recorderPath, String(PHASE_MS), '{}'], { env: recorderEnv() });
    let loadgen;
    try {
      const seconds = Math.ceil((phases * (PHASE_MS + 300)) / 1000) + 3;
      loadgen = await startLoad(port, { connections: settings.connections, warmupSeconds: 1, seconds, ratePerSecond: RATE_PER_SECOND });
      const records = [];
      server.stdout.on('data', (chunk) => {
        for (const line of String(chunk).split('\n')) {
          const found = /^PHASE (.*)$/.exec(line);
          if (found) records.push(JSON.parse(found[1]));
        }
      });
      server.stdin.write('GO\n');
      const deadline = Date.now() + seconds * 1000 + 20_000;
      while (records.length < phases && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const usable = records.filter((phase) => phase.requests > 0);
      const perRequest = (phase) => phase.cpuNs / 1000 / phase.requests;
      const on = usable.filter((phase) => phase.on).map(perRequest);
      const off = usable.filter((phase) => !phase.on).map(perRequest);
      if (on.length < 3 || off.length < 3) throw new Error(`too few phases with requests (${on.length} on, ${off.length} off)`);
      // Ratios of neighbouring phases (each on phase with the off phase next to it) cancel drift.
      const neighbourRatios = [];
      for (let i = 1; i < usable.length; i++) {
        if (usable[i].on !== usable[i - 1].on) {
          const [onPhase, offPhase] = usable[i].on ? [usable[i], usable[i - 1]] : [usable[i - 1], usable[i]];
          neighbourRatios.push(perRequest(onPhase) / perRequest(offPhase));
        }
      }
      const ratio = summarize(neighbourRatios);
      const cost = (ratio.median - 1) * 100;
      const rps = (phase) => phase.requests / (phase.ms / 1000);
      log(`  ${usable.length} phases of ${PHASE_MS} ms: off ${median(off).toFixed(1)} µs/req main-thread CPU (${median(usable.filter((p) => !p.on).map(rps)).toFixed(0)} req/s), on ${median(on).toFixed(1)} µs/req (${median(usable.filter((p) => p.on).map(rps)).toFixed(0)} req/s)`);
      return {
        cpuRatio: ratio.median,
        costPercent: cost,
        headline: `main-thread CPU/req ×${ratio.median.toFixed(3)} (${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)} over ${neighbourRatios.length} neighbouring phase pairs) = cost ${cost.toFixed(1)} % [off ${median(off).toFixed(1)} µs/req, on ${median(on).toFixed(1)} µs/req]`,
        pass: cost <= 2,
        details: { phases: usable, neighbourRatios, offUsPerRequest: summarize(off), onUsPerRequest: summarize(on) },
      };
    } finally {
      if (loadgen) await stop(loadgen);
      await stop(server);
    }
  },
};
