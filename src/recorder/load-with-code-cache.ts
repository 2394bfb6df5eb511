// Entry of dist/recorder.js: loads the recorder itself (dist/recorder-core.js, built from
// index.ts) with V8's code cache, so a recorded program does not compile it at every start.
// Compiling the 90 KB bundle and the functions its start runs was ~half of what preloading
// the recorder cost `node -e 0` (docs/benchmarks.md); with the cache V8 deserialises bytecode
// instead. Node 22 has this built in (`module.enableCompileCache`), but for every module of
// the program: the recorder must not change how the program's own code loads.
//
// The cache lives next to the core, so it is trusted exactly as much as the code: whoever can
// write it can already write the core. Where that folder is not writable (a shared install)
// the core compiles as before. Each cache file is keyed by the core file (size, mtime, inode),
// the Node version and architecture, and the flags the process runs with that may be V8's (V8
// refuses a cache made under other flags; keyed, processes with different flags do not
// overwrite each other's);
// V8 checks the rest and compiles from source when it refuses one (`cachedDataRejected`).
// V8 does not check a cache's bytes in release builds, though, and bytecode read from a damaged
// file could take the program down: the file holds the cache twice, after a small header, and
// is used only when both copies are the same (one native comparison, ~0.1 ms; a checksum
// computed here took ~3 ms, and loading node:zlib for crc32 as long). A file cut short, damaged
// or replaced is simply not used, and the next start that lives long enough writes it again.
// The main thread writes the cache once it has run CACHE_AFTER_MS — the functions compiled by
// then (start-up, the first ticks, the watchdog's start) are in it — or as it exits, if sooner
// (short-lived tools, run under NODE_OPTIONS, start cached from their second run on); only
// when it found none it could use (~2–4 ms, once). `FLIGHT_RECORDER_CODE_CACHE=off` loads the
// core without one.
//
// The core is compiled under this file's name: stack traces, profiles and the debugger's
// skipFiles that name dist/recorder.js keep naming the recorder (line and column numbers are
// the core's). It gets this file's module, require and __filename, so it loads as the preload
// (`module.parent` is Node's preload), as a library, and as the watchdog thread's entry
// (which then loads through here too) exactly as it would on its own.
// Nothing here may throw: the program starts unrecorded rather than not at all.
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

const CORE_FILE = 'recorder-core.js';
/** The cache file's header: "NFRC" as a little-endian u32, the layout's version, the cache's byte length, 0. */
const CACHE_MAGIC = 0x4352464e;
const CACHE_LAYOUT = 1;
const HEADER_BYTES = 16;
const CACHE_SUFFIX = '.v8cache';
/** How long the main thread runs before it writes the cache (the functions compiled by then are in it). */
const CACHE_AFTER_MS = 3_000;

/** FNV-1a, 32 bits, as 8 hex digits: a short name for a short text (no crypto module to load). */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Options that name files or code, or that V8 never sees: not part of a cache's key. */
const NOT_V8_FLAGS = /^--(require|import|eval|print|loader|experimental-loader|env-file|inspect|debug-port|title|input-type)\b/;

/**
 * The process's flags that may be V8's (V8 refuses a cache made under other flags): those of
 * its command line and NODE_OPTIONS that start with `--`, less the ones that name a file or
 * code (every `node -e …` or `--require` path would otherwise make a cache of its own).
 */
function flagsKey(): string {
  const tokens = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return tokens.filter((token) => token.startsWith('--') && !NOT_V8_FLAGS.test(token)).join(' ');
}

/** A worker thread's `process.abort` is a stub of that name (no worker_threads load to ask). */
function isWorkerThread(): boolean {
  return typeof process.abort === 'function' && process.abort.name === 'unavailableInWorker';
}

function loadCore(entryModule: NodeModule, entryFilename: string): void {
  const dir = __dirname;
  const corePath = join(dir, CORE_FILE);
  const source = readFileSync(corePath, 'utf8');
  const useCache = process.env.FLIGHT_RECORDER_CODE_CACHE !== 'off';
  let cachePath: string | undefined;
  let cachedData: Buffer | undefined;
  let coreMtimeMs = 0;
  let found = 'off';
  if (useCache) {
    try {
      const core = statSync(corePath);
      coreMtimeMs = core.mtimeMs;
      const key = shortHash([core.size, core.mtimeMs, core.ino, process.version, process.arch, flagsKey()].join('\n'));
      cachePath = join(dir, `${CORE_FILE}.${key}${CACHE_SUFFIX}`);
      found = 'none';
      cachedData = cacheIn(readFileSync(cachePath));
      found = cachedData ? 'found' : 'damaged';
    } catch {
      cachedData = undefined; // none yet, or unreadable: compile from source
    }
  }
  // Node's own CommonJS wrapper, so the core sees what a module sees.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: entryFilename,
    ...(cachedData ? { cachedData } : {}),
  });
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: NodeModule, filename: string, dirname: string) => void;
  // This module's own require: the core sits in the same folder, so it resolves the same.
  wrapper.call(entryModule.exports, entryModule.exports, require, entryModule, entryFilename, dir);
  if (found === 'found' && script.cachedDataRejected) found = 'refused by V8';
  debugNote(`code cache ${cachePath ?? '(off)'}: ${found}`);
  if (cachePath === undefined || found === 'found' || isWorkerThread()) return;
  const target = cachePath;
  const write = () => {
    clearTimeout(timer);
    process.removeListener('exit', write);
    writeCache(script, target, dir, coreMtimeMs);
  };
  const timer = setTimeout(write, CACHE_AFTER_MS);
  timer.unref();
  process.once('exit', write);
}

/** The cache a file holds, or undefined when it is not one of ours or its two copies differ. */
function cacheIn(file: Buffer): Buffer | undefined {
  if (file.byteLength < HEADER_BYTES || file.readUInt32LE(0) !== CACHE_MAGIC || file.readUInt32LE(4) !== CACHE_LAYOUT) return undefined;
  const length = file.readUInt32LE(8);
  if (length === 0 || file.byteLength !== HEADER_BYTES + 2 * length) return undefined;
  const end = HEADER_BYTES + length;
  if (file.compare(file, end, end + length, HEADER_BYTES, end) !== 0) return undefined;
  return file.subarray(HEADER_BYTES, end);
}

/** The file for `cache`: the header, then the cache twice (see cacheIn). */
function cacheFile(cache: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(CACHE_MAGIC, 0);
  header.writeUInt32LE(CACHE_LAYOUT, 4);
  header.writeUInt32LE(cache.byteLength, 8);
  return Buffer.concat([header, cache, cache]);
}

/** Writes the cache whole or not at all (a temporary file renamed), and drops caches older than the core. */
function writeCache(script: Script, cachePath: string, dir: string, coreMtimeMs: number): void {
  const temporary = `${cachePath}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, cacheFile(script.createCachedData()));
    renameSync(temporary, cachePath);
    debugNote(`code cache ${cachePath}: written`);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {}
    debugNote(`code cache ${cachePath}: not written (${error instanceof Error ? error.message : String(error)})`);
    return; // a read-only install or a full disk: the next start compiles, as without a cache
  }
  try {
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(`${CORE_FILE}.`) || !name.endsWith(CACHE_SUFFIX)) continue;
      const path = join(dir, name);
      if (statSync(path).mtimeMs < coreMtimeMs) unlinkSync(path);
    }
  } catch {}
}

/** FLIGHT_RECORDER_DEBUG=1, as the core's own notes (runtime.ts debugLog): the program's stderr is not ours otherwise. */
function debugNote(message: string): void {
  if (process.env.FLIGHT_RECORDER_DEBUG !== '1') return;
  try {
    process.stderr.write(`flight-recorder: ${message}\n`);
  } catch {}
}

try {
  loadCore(module, __filename);
} catch (error) {
  debugNote(`not recording: ${error instanceof Error ? error.stack : String(error)}`);
}
