// What the loop-block probe (loopBlockStacks: the watchdog asking V8 where the main thread is
// during a block) takes from a program whose loop blocks again and again: 120 ms blocks
// back to back for 8 s, recorded with the probe on and off, interleaved pairs; the work done
// in the blocks is compared. The probe runs at most once a block and five times a second, so
// this program is probed every other block, its worst case. The probes taken are counted in a
// snapshot of each run with the probe on (the blocks that carry frames).
import { alternatePairs } from '../lib/alternate.mjs';
import { appPath, preloadArgs, recorderEnv, registryDir } from '../lib/env.mjs';
import { recordedRunThenSnapshot } from '../lib/control.mjs';
import { median } from '../lib/stats.mjs';

/** A probe's cost to the blocked thread measured in isolation (docs/benchmarks.md, finding 2c): the bound quoted. */
const PROBE_MS_MEASURED_ALONE = 0.8;

async function workDone(loopBlockStacks) {
  const { match, events } = await recordedRunThenSnapshot({
    nodeArgs: [...preloadArgs, appPath('blocking.mjs')], env: recorderEnv({ loopBlockStacks }), registryDir,
    pattern: /^WORK (\d+) (\d+)$/, timeoutMs: 30_000, reason: 'loop-probe',
  });
  const probed = events.filter((e) => e.name === 'Event loop blocked' && e.args?.framesAtMs !== undefined).length;
  return { units: Number(match[1]), blocks: Number(match[2]), probed };
}

export const loopProbeBenchmark = {
  id: 'loop-probe',
  title: 'loop-block stacks: work done by a program blocking its loop back to back, probe on vs off',
  target: 'measured (at most one probe a block, five a second)',
  needsRecorder: true,
  async run(settings, log) {
    const pairs = settings.mode === 'quick' ? 3 : 5;
    const [off, on] = await alternatePairs(pairs, () => workDone(false), () => workDone(true), (pair, offRun, onRun) =>
      log(`  pair ${pair + 1}: off ${offRun.units} units, on ${onRun.units} units (${onRun.blocks} blocks, ${onRun.probed} with a stack)`));
    const ratios = on.map((r, i) => r.units / off[i].units);
    const ratio = median(ratios);
    const probed = median(on.map((r) => r.probed));
    const blocks = median(on.map((r) => r.blocks));
    const boundPercent = (100 * probed * PROBE_MS_MEASURED_ALONE) / 8_000;
    return {
      value: `×${ratio.toFixed(3)}`,
      headline: `work ×${ratio.toFixed(3)} (pairs ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) with ${probed} of ${blocks} blocks probed in 8 s (at ≤ ${PROBE_MS_MEASURED_ALONE} ms a probe, ≤ ${boundPercent.toFixed(2)} % of the thread), ${pairs} interleaved pairs`,
      pass: null,
      details: { on, off, ratios },
    };
  },
};
