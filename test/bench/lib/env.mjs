// Paths and environment shared by the benchmarks: the built bundles, and a private temp
// directory for the recorder's registry and snapshots so benchmarks never touch the user's.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const benchDir = fileURLToPath(new URL('../', import.meta.url));
export const builtRecorderPath = join(repoRoot, 'dist', 'recorder.js');
export const extensionPath = join(repoRoot, 'dist', 'extension.js');
export const appPath = (name) => join(benchDir, 'apps', name);

export const scratchDir = mkdtempSync(join(tmpdir(), 'nfr-bench-'));

/**
 * The recorder and CLI bundles are copied once at start-up and used from the copy, so a
 * rebuild of dist/ during a run (others work in this checkout) cannot put two different
 * recorders into one A/B. Each bundle is self-contained (the watchdog runs from the same file).
 */
function pin(name) {
  const source = join(repoRoot, 'dist', name);
  const pinnedDir = join(scratchDir, 'dist');
  mkdirSync(pinnedDir, { recursive: true });
  if (!existsSync(source)) return source;
  copyFileSync(source, join(pinnedDir, name));
  if (existsSync(`${source}.map`)) copyFileSync(`${source}.map`, join(pinnedDir, `${name}.map`));
  return join(pinnedDir, name);
}
/**
 * The file that holds the recorder's code: dist/recorder.js loads recorder-core.js beside it
 * (with V8's code cache, src/recorder/load-with-code-cache.ts); builds before that are one file.
 */
export function recorderCodePath(entry) {
  const core = join(dirname(entry), 'recorder-core.js');
  return existsSync(core) ? core : entry;
}
/** FLIGHT_RECORDER_BENCH_RECORDER=<file> benchmarks another recorder build (an experiment) instead of dist/. */
if (!process.env.FLIGHT_RECORDER_BENCH_RECORDER) pin('recorder-core.js');
export const recorderPath = process.env.FLIGHT_RECORDER_BENCH_RECORDER || pin('recorder.js');
export const cliPath = pin('cli.js');

/** Which build was measured: size, modification time and hash of dist/recorder.js as copied. */
export function recorderBuildInfo() {
  if (!existsSync(recorderPath)) return null;
  const text = readFileSync(recorderCodePath(recorderPath));
  return {
    bytes: text.length,
    builtAt: statSync(recorderCodePath(builtRecorderPath)).mtime.toISOString(),
    sha256: createHash('sha256').update(text).digest('hex').slice(0, 16),
  };
}
export const registryDir = join(scratchDir, 'registry');
export const snapshotDir = join(scratchDir, 'snapshots');
process.once('exit', () => rmSync(scratchDir, { recursive: true, force: true }));

/** Environment for a recorded child: private registry, snapshots into scratch, plus options. */
export function recorderEnv(options = {}) {
  return {
    FLIGHT_RECORDER_REGISTRY: registryDir,
    FLIGHT_RECORDER: JSON.stringify({ out: snapshotDir, ...options }),
  };
}

/** Node arguments that preload the recorder. */
export const preloadArgs = ['--require', recorderPath];

/** True when dist/recorder.js is the real recorder, not the foundation's empty entry. */
export function recorderBuilt() {
  if (!existsSync(recorderPath)) return false;
  const text = readFileSync(recorderCodePath(recorderPath), 'utf8');
  return text.length > 4000;
}
