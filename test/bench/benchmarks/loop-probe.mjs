// What the loop-block probe (loopBlockStacks: the watchdog asking V8 where the main thread is
// during a block) takes from a program whose loop blocks again and again: 120 ms blocks
// back to back for 8 s, recorded with the probe on and off, interleaved pairs; the work done
// in the blocks is compared. The probe runs at most once a block and five times a second, so
// this program is probed ~4 times a second, its worst case.
import { appPath, preloadArgs, recorderEnv } from '../lib/env.mjs';
import { startNode, stop } from '../lib/proc.mjs';
import { median } from '../lib/stats.mjs';

async function workDone(loopBlockStacks) {
  const { child } = await startNode([...preloadArgs, appPath('blocking.mjs')], { env: recorderEnv({ loopBlockStacks }) });
  try {
    const line = await child.waitForLine(/^WORK /, 30_000);
    const [, units, blocks] = line.split(' ').map(Number);
    return { units, blocks };
  } finally {
    await stop(child);
  }
}

export const loopProbeBenchmark = {
  id: 'loop-probe',
  title: 'loop-block stacks: work done by a program blocking its loop back to back, probe on vs off',
  target: 'measured (at most one probe a block, five a second)',
  needsRecorder: true,
  async run(settings, log) {
    const pairs = settings.mode === 'quick' ? 3 : 5;
    const on = [];
    const off = [];
    for (let pair = 0; pair < pairs; pair++) {
      const order = pair % 2 === 0 ? [false, true] : [true, false];
      for (const probing of order) (probing ? on : off).push(await workDone(probing));
      log(`  pair ${pair + 1}: off ${off.at(-1).units} units, on ${on.at(-1).units} units`);
    }
    const ratios = on.map((r, i) => r.units / off[i].units);
    const ratio = median(ratios);
    // The probes a run takes: one per block, at most one per 200 ms — every other 120 ms block.
    const blocks = median(on.map((r) => r.blocks));
    const probes = Math.round(blocks / Math.ceil(200 / 120));
    const lostMs = (1 - ratio) * 8_000;
    return {
      value: `×${ratio.toFixed(3)}`,
      headline: `work ×${ratio.toFixed(3)} (pairs ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) with ~${probes} probes in 8 s: ≈ ${(lostMs / probes).toFixed(2)} ms of the blocked thread a probe, ${pairs} interleaved pairs`,
      pass: null,
      details: { on, off, ratios, perProbeMs: lostMs / probes },
    };
  },
};
