#!/usr/bin/env node
// The same end-to-end test modules under @vscode/test-electron (`npm run test:electron`), for
// machines that can download VS Code. Tests that drive the UI through the code-server harness
// fall back to the VS Code API here (test/e2e/lib/ui.ts: `ui.available` is false).
//   node test/e2e/run-electron.mjs [--results FILE] [--filter REGEX] [--version stable|1.90.0]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { bundleSuites, ROOT } from './bundle-suites.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const resultsFile = option('--results');
const filter = option('--filter');
const version = option('--version') ?? process.env.VSCODE_TEST_VERSION ?? 'stable';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-electron-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(ROOT, 'test/e2e/fixtures/workspace'), workspace, { recursive: true });
const registry = path.join(tmp, 'registry');
fs.mkdirSync(registry, { mode: 0o700 });
const resultsJsonl = path.join(tmp, 'results.jsonl');
fs.writeFileSync(resultsJsonl, '');

let passed = 0;
let failed = 0;
let exitCode = 1;
try {
  const { runTests, downloadAndUnzipVSCode } = require('@vscode/test-electron');
  const testIndex = await bundleSuites();
  let vscodeExecutablePath;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath: path.join(ROOT, '.e2e/vscode-test') });
  } catch (error) {
    throw new Error(
      `could not download VS Code ${version} (${error instanceof Error ? error.message : String(error)}). ` +
      '@vscode/test-electron needs update.code.visualstudio.com; on machines without it, run the same suites in code-server: node test/e2e/run-code-server.mjs',
      { cause: error },
    );
  }
  exitCode = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testIndex,
    launchArgs: [workspace, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(tmp, 'udd'), '--extensions-dir', path.join(tmp, 'ext')],
    extensionTestsEnv: {
      FLIGHT_RECORDER_REGISTRY: registry,
      FLIGHT_RECORDER_E2E_RESULTS: resultsJsonl,
      ...(filter ? { FLIGHT_RECORDER_E2E_FILTER: filter } : {}),
    },
  }).catch(() => 1);
} catch (error) {
  console.error(`[electron] ${error instanceof Error ? error.message : String(error)}`);
  failed++;
}
for (const line of fs.readFileSync(resultsJsonl, 'utf8').split('\n').filter(Boolean)) {
  const result = JSON.parse(line);
  if (result.done || result.event) continue;
  if (result.ok) passed++;
  else failed++;
  console.log(`${result.ok ? '  ok  ' : '  FAIL'} ${result.file}: ${result.name}${result.error ? `\n        ${result.error.split('\n').join('\n        ')}` : ''}`);
}
if (exitCode !== 0 && failed === 0) failed++;
if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed }));
fs.rmSync(tmp, { recursive: true, force: true });
fs.rmSync(path.join(ROOT, '.e2e/out', `run-${process.pid}`), { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
