// The recorder's share of a loaded server's main thread, measured inside that one process
// (attribute.mjs in a fresh process: perf samples at a fixed 8000 req/s): noise-robust where
// the A/B rows are not. Skipped when Linux `perf` is missing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const scriptPath = fileURLToPath(new URL('../attribute.mjs', import.meta.url));

export const attributionBenchmark = {
  id: 'attribution',
  title: "the recorder's share of a loaded node:http server's main-thread samples (perf, 8000 req/s)",
  target: '≤ 2 % (recorder code + the GC entries Node makes for it)',
  needsRecorder: true,
  async run(settings, log) {
    const result = spawnSync(process.execPath, [scriptPath, '--seconds', settings.mode === 'quick' ? '8' : '15'], { encoding: 'utf8', timeout: 300_000 });
    const line = /^ATTRIBUTE (.*)$/m.exec(result.stdout ?? '');
    if (!line) {
      const said = (result.stdout ?? '').trim().split('\n').pop() ?? '';
      if (said.startsWith('attribute:')) return { skipped: said.slice('attribute:'.length).trim() };
      throw new Error(`attribute.mjs failed: ${result.stderr || result.signal}`);
    }
    for (const text of result.stdout.trim().split('\n').slice(0, -1)) log(text);
    const numbers = JSON.parse(line[1]);
    const percent = (count) => (100 * count) / numbers.total;
    const recorderPercent = percent(numbers.recorder);
    const gcPercent = percent(numbers.gcEntries);
    const allPercent = percent(numbers.recorder + numbers.gcEntries + numbers.perfHooks);
    return {
      value: `${allPercent.toFixed(2)} %`,
      headline: `${allPercent.toFixed(2)} % of ${numbers.total} main-thread samples: recorder code ${recorderPercent.toFixed(2)} %, Node's GC entries ${gcPercent.toFixed(2)} %, perf_hooks JS ${percent(numbers.perfHooks).toFixed(2)} %`,
      pass: allPercent <= 2,
      details: numbers,
    };
  },
};
