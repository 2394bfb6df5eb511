// Extension activation: `require(dist/extension.js)` + `activate()` in fresh Node processes
// with a stand-in `vscode` module (lib/fake-vscode.cjs). This is the extension's own cost —
// the part it controls; VS Code's extension-host overhead around it is not included.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extensionPath, scratchDir } from '../lib/env.mjs';
import { summarize } from '../lib/stats.mjs';

const probePath = fileURLToPath(new URL('../lib/activation-probe.cjs', import.meta.url));

export const activationBenchmark = {
  id: 'activation',
  title: 'extension activation: require + activate() of dist/extension.js (stand-in vscode)',
  target: '≤ 50 ms',
  async run(settings, log) {
    if (!existsSync(extensionPath)) return { skipped: 'dist/extension.js not built' };
    const samples = [];
    for (let i = 0; i < settings.activationRuns; i++) {
      const result = spawnSync(process.execPath, [probePath, extensionPath], {
        encoding: 'utf8',
        timeout: 30_000,
        cwd: scratchDir,
        env: { ...process.env, FAKE_VSCODE_WORKSPACE: scratchDir },
      });
      const line = /^ACTIVATION (.*)$/m.exec(result.stdout ?? '');
      if (!line) throw new Error(`activation probe failed: ${result.stderr || result.stdout || result.signal}`);
      samples.push(JSON.parse(line[1]));
    }
    const total = summarize(samples.map((s) => s.requireMs + s.activateMs));
    const requireMs = summarize(samples.map((s) => s.requireMs));
    const activateMs = summarize(samples.map((s) => s.activateMs));
    const cpuMs = summarize(samples.map((s) => s.cpuMs));
    log(`  require ${requireMs.median.toFixed(2)} ms, activate() ${activateMs.median.toFixed(2)} ms, CPU ${cpuMs.median.toFixed(1)} ms, ${samples[0].subscriptions} disposables registered, ${samples.length} runs`);
    return {
      value: `${total.median.toFixed(1)} ms`,
      headline: `${total.median.toFixed(1)} ms (${total.min.toFixed(1)}–${total.max.toFixed(1)}) [require ${requireMs.median.toFixed(1)} ms + activate ${activateMs.median.toFixed(1)} ms; CPU ${cpuMs.median.toFixed(1)} ms]`,
      pass: total.median <= 50,
      details: { totalMs: total, requireMs, activateMs, cpuMs, subscriptions: samples[0].subscriptions },
    };
  },
};
