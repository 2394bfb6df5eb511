// The recorder's whole cost to a loaded server, paired in time (cost-pair.mjs: a recorded and
// an unrecorded server at the same moment, main-thread CPU per request over one window), next to
// the same measurement with neither side recorded (its A/A control), run one after the other.
// Sees what observing costs inside Node too, which `attribution` does not; noisier than it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { recorderPath } from '../lib/env.mjs';

const scriptPath = fileURLToPath(new URL('../cost-pair.mjs', import.meta.url));

function costPair(rounds, control) {
  const args = [scriptPath, '--rounds', String(rounds), ...(control ? ['--control'] : [])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 900_000, env: { ...process.env, FLIGHT_RECORDER_BENCH_RECORDER: recorderPath } });
  const line = /^COSTPAIR (.*)$/m.exec(result.stdout ?? '');
  if (!line) throw new Error(`cost-pair.mjs failed: ${result.stderr || result.signal}`);
  return { lines: result.stdout.trim().split('\n').slice(0, -1), numbers: JSON.parse(line[1]) };
}

const range = (values) => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;

export const costPairBenchmark = {
  id: 'cost-pair',
  title: 'default recorder, whole main-thread cost paired in time: two node:http servers at 6000 req/s each, one recorded (A/A control beside it)',
  target: 'CPU cost ≤ 2 % (every round of the control within ±2 % for it to resolve that)',
  needsRecorder: true,
  async run(settings, log) {
    const rounds = settings.mode === 'quick' ? 5 : 8;
    const recorded = costPair(rounds, false);
    for (const text of recorded.lines) log(text);
    const control = costPair(rounds, true);
    for (const text of control.lines) log(`control: ${text}`);
    const r = recorded.numbers;
    const c = control.numbers;
    const costPercent = (r.mainRatio - 1) * 100;
    // The control's rounds say how far one round strays on this machine now: a cost within
    // that is not resolved either way.
    const noise = Math.max(...c.mainRatios.map((ratio) => Math.abs(ratio - 1)));
    const resolved = noise <= 0.02;
    return {
      value: `×${r.mainRatio.toFixed(3)}`,
      headline: `recorded main thread ×${r.mainRatio.toFixed(3)} (${range(r.mainRatios)}), process ×${r.processRatio.toFixed(3)}; A/A control ×${c.mainRatio.toFixed(3)} (${range(c.mainRatios)}) [${r.rounds} + ${c.rounds} rounds]`,
      pass: resolved ? costPercent <= 2 : null,
      ...(resolved ? {} : { unresolved: `the A/A control's rounds stray up to ${(noise * 100).toFixed(1)} % from 1: this machine cannot resolve 2 % in this run` }),
      costPercent,
      details: { recorded: r, control: c },
    };
  },
};
