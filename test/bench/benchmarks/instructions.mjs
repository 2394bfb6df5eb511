// The default recorder's cost in instructions (instructions.mjs: each side under callgrind,
// counted exactly, the timers' wall-clock work fitted apart from the per-request work): an A/B
// that this shared machine's noise does not reach. Counts what attribution cannot see (Node's
// side of being observed) and misses what it does (cache misses), so the two rows together
// bound the cost. Skipped when valgrind is missing.
import { fileURLToPath } from 'node:url';
import { recorderPath } from '../lib/env.mjs';
import { runMeasuringScript } from '../lib/measuring-script.mjs';
import { median, signed } from '../lib/stats.mjs';

const scriptPath = fileURLToPath(new URL('../instructions.mjs', import.meta.url));
const range = (values, digits) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

function verdictOf(roundPercents) {
  // One round's fit can be off by a few per cent (the timers' share moves with where the GC windows fell).
  if (roundPercents.length < 2) return { pass: null, unresolved: 'one round is not judged' };
  if (roundPercents.every((percent) => percent <= 2)) return { pass: true };
  if (roundPercents.every((percent) => percent > 2)) return { pass: false };
  return { pass: null, unresolved: `rounds ${range(roundPercents, 2)} % lie on both sides of 2 %` };
}

export const instructionsBenchmark = {
  id: 'instructions',
  title: "default recorder, node:http: main-thread instructions per request under callgrind (the timers' per-second work fitted apart), projected to 8000 req/s",
  target: 'cost ≤ 2 % (instructions; cache misses are attribution\u2019s)',
  needsRecorder: true,
  async run(settings, log) {
    const args = ['--where', '--share', '0.6', ...(settings.mode === 'quick' ? ['--rounds', '2', '--seconds', '30'] : ['--rounds', '3', '--seconds', '40'])];
    const outcome = runMeasuringScript(scriptPath, args, 'INSTRUCTIONS', { env: { FLIGHT_RECORDER_BENCH_RECORDER: recorderPath }, timeoutMs: 3_600_000 });
    if (outcome.skipped) return { skipped: outcome.skipped };
    for (const text of outcome.lines) log(text);
    const n = outcome.numbers;
    const costPercent = n.costAtRealRate * 100;
    const baselineK = n.baselinePerRequests.map((count) => count / 1000);
    // Where B's extra instructions a request land, by kind of code (medians over the rounds).
    const kinds = Object.keys(n.details[0]?.a.byKind ?? {});
    const extraOf = (kind) => median(n.details.map((round) => round.b.byKind[kind].instructions.perRequest - round.a.byKind[kind].instructions.perRequest));
    const split = kinds.map((kind) => `${kind} ${signed(extraOf(kind), 0)}`).join(', ');
    return {
      value: `${costPercent.toFixed(2)} %`,
      headline:
        `${costPercent.toFixed(2)} % of the main thread's instructions at ${n.realRate} req/s (rounds ${range(n.costsAtRealRate.map((cost) => cost * 100), 2)} %): ` +
        `per request ×${n.perRequestRatio.toFixed(4)} (${range(n.perRequestRatios, 4)}) of ${(n.baselinePerRequest / 1000).toFixed(1)} k (baseline rounds ${range(baselineK, 1)} k), ` +
        `${signed(n.extraPerSecond / 1e6, 2)} M a second of wall clock (timers); other threads ${signed(n.othersExtraPerSecond / 1e6, 2)} M a second [${n.rounds} rounds, ${n.highRate} req/s under callgrind]${split ? `; a request's extra instructions by kind: ${split}` : ''}`,
      // Judged as the A/B rows are (docs/benchmarks.md, Method): only when every round agrees.
      ...verdictOf(n.costsAtRealRate.map((cost) => cost * 100)),
      costPercent,
      details: n,
    };
  },
};
