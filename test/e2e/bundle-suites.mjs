// Bundles the end-to-end test module (test/e2e/suite/*.ts, one bundle per file) into
// .e2e/out/suite/, for VS Code's extensionTestsPath. Shared by both runners.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const E2E_DIR = process.env.FLIGHT_RECORDER_E2E_DIR ?? path.join(ROOT, '.e2e');
const SUITE_SRC = path.join(ROOT, 'test/e2e/suite');

/**
 * Bundles into `.e2e/out/<runName>/suite` (one folder per run, so runs of several people at
 * once do not overwrite each other's test module); returns the bundled index.js.
 */
export async function bundleSuites(runName = `run-${process.pid}`) {
  const esbuild = require('esbuild');
  const SUITE_OUT = path.join(E2E_DIR, 'out', runName, 'suite');
  fs.rmSync(SUITE_OUT, { recursive: true, force: true });
  const entryPoints = fs.readdirSync(SUITE_SRC).filter((name) => name.endsWith('.ts')).map((name) => path.join(SUITE_SRC, name));
  await esbuild.build({
    entryPoints,
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return path.join(SUITE_OUT, 'index.js');
}
