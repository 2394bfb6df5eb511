// Extension activation: `require(extension.js)` + `activate()` in fresh Node processes with a
// stand-in `vscode` module (lib/fake-vscode.cjs). This is the extension's own cost — the part it
// controls; VS Code's extension-host overhead around it is not included.
//
// The bundle measured is the production one, what the .vsix ships: built here by the project's
// own `esbuild.js --production --only extension` into a scratch folder (so dist/, which others
// use, is left as it is). Beside it, the row shows the `activate()` times measured inside a real
// VS Code (code-server) by the last e2e runs, when any are on record (.tmp/e2e-activation.json,
// written by test/e2e/suite/activation.ts: one sample per run, with the load average then).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, scratchDir } from '../lib/env.mjs';
import { summarize } from '../lib/stats.mjs';

const probePath = fileURLToPath(new URL('../lib/activation-probe.cjs', import.meta.url));
const e2eRecordPath = join(repoRoot, '.tmp', 'e2e-activation.json');

/**
 * Runs `node esbuild.js --production --only extension` with a scratch folder as the working
 * directory (sources and node_modules linked from the checkout), so the bundle is built exactly
 * as `npm run package` builds it, without touching the checkout's dist/.
 */
function buildProductionBundle() {
  const dir = join(scratchDir, 'extension-production');
  mkdirSync(dir, { recursive: true });
  for (const name of ['src', 'node_modules', 'package.json', 'tsconfig.json', 'tsconfig.base.json']) {
    if (existsSync(join(repoRoot, name)) && !existsSync(join(dir, name))) symlinkSync(join(repoRoot, name), join(dir, name));
  }
  const build = spawnSync(process.execPath, [join(repoRoot, 'esbuild.js'), '--production', '--only', 'extension'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const bundle = join(dir, 'dist', 'extension.js');
  if (build.status !== 0 || !existsSync(bundle)) throw new Error(`production build of the extension failed: ${build.stderr || build.stdout || build.signal}`);
  return bundle;
}

/** The activations measured inside code-server by the last e2e runs (one sample each), if any. */
function e2eActivations() {
  try {
    const runs = JSON.parse(readFileSync(e2eRecordPath, 'utf8')).runs?.filter((run) => typeof run.activateMs === 'number') ?? [];
    if (runs.length === 0) return undefined;
    const last = runs.at(-1);
    return {
      activateMs: summarize(runs.map((run) => run.activateMs)),
      loadAverage: summarize(runs.map((run) => run.loadAverage)),
      runs: runs.length,
      from: runs[0].measuredAt,
      to: last.measuredAt,
      vscodeVersion: last.vscodeVersion,
      nodeVersion: last.nodeVersion,
      bundles: [...new Set(runs.map((run) => run.bundle))].join('/'),
      samples: runs,
    };
  } catch {
    return undefined;
  }
}

export const activationBenchmark = {
  id: 'activation',
  title: 'extension activation: require + activate() of the production extension.js (stand-in vscode)',
  target: '≤ 50 ms',
  async run(settings, log) {
    const bundle = buildProductionBundle();
    const bundleBytes = statSync(bundle).size;
    const samples = [];
    for (let i = 0; i < settings.activationRuns; i++) {
      const result = spawnSync(process.execPath, [probePath, bundle], {
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
    const range = (s, digits = 1) => `${s.median.toFixed(digits)} ms (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
    log(`  production bundle ${(bundleBytes / 1024).toFixed(0)} KiB; ${samples.length} fresh processes`);
    log(`  require ${range(requireMs, 2)}, activate() ${range(activateMs, 2)}, CPU ${range(cpuMs)}, ${samples[0].subscriptions} disposables registered`);
    const e2e = e2eActivations();
    const e2eText = e2e
      ? `; in code-server ${e2e.vscodeVersion}: activate() ${range(e2e.activateMs)}, ${e2e.runs} e2e run${e2e.runs > 1 ? 's' : ''}`
      : '; no code-server figure on record (`npm test -- e2e` records one)';
    log(
      e2e
        ? `  inside a real VS Code (code-server ${e2e.vscodeVersion}, Node ${e2e.nodeVersion}, ${e2e.bundles} bundle): activate() ${range(e2e.activateMs)} over the last ${e2e.runs} e2e run(s), ${e2e.from} … ${e2e.to}, load average ${e2e.loadAverage.min}–${e2e.loadAverage.max}; VS Code does not expose the require time, and the host has its built-ins loaded already`
        : `  no activation measured inside code-server on record (${e2eRecordPath}); \`npm test -- e2e\` records one per run`,
    );
    return {
      value: `${total.median.toFixed(1)} ms`,
      headline: `${total.median.toFixed(1)} ms (${total.min.toFixed(1)}–${total.max.toFixed(1)}) [production bundle: require ${requireMs.median.toFixed(1)} ms + activate ${activateMs.median.toFixed(1)} ms; CPU ${cpuMs.median.toFixed(1)} ms; ${samples.length} runs${e2eText}]`,
      pass: total.median <= 50,
      details: { bundle: 'production', bundleBytes, totalMs: total, requireMs, activateMs, cpuMs, subscriptions: samples[0].subscriptions, codeServer: e2e ?? null },
    };
  },
};
