// Shared machinery of the reliability suite: spawning recorded programs, bounded waits, a raw
// control-channel client (written here from src/format/control.ts on purpose, so the suite holds
// the recorder to the wire contract rather than to whatever src/client does), snapshot reading.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ControlResponse, RegistryEntry } from '../../src/format/control';
import { waitFor } from '../lib/wait-for';

export { waitFor };

export const ROOT = resolve(__dirname, '../..');
export const RECORDER = join(ROOT, 'dist', 'recorder.js');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'faults');
export const SNAPSHOT_SUFFIX = '.nodetrace.json';

/** A fresh directory under os.tmpdir(); removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `nfr-rel-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}


export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** A running child with its output collected; `kill()` is safe to call more than once. */
export interface Running {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the child has exited (never rejects). */
  exited: Promise<RunResult>;
  kill: (signal?: NodeJS.Signals) => void;
}

export function start(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Running {
  const started = Date.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = options.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs)
    : undefined;
  const exited = new Promise<RunResult>((resolvePromise) => {
    child.on('error', (error) => {
      stderr += `\n[spawn error] ${error.message}`;
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs to completion with a hard time bound (the child is SIGKILLed past it). */
export function run(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return start(command, args, { timeoutMs: 60_000, ...options }).exited;
}

/** Environment for a recorded child: registry in `registryDir`, config as FLIGHT_RECORDER JSON. */
export function recorderEnv(registryDir: string, config: Record<string, unknown> = {}, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FLIGHT_RECORDER_REGISTRY: registryDir, FLIGHT_RECORDER: JSON.stringify(config), ...extra };
  delete env.NODE_OPTIONS; // the test runner's own --import tsx must not leak into fixtures
  return env;
}

/** Plain environment (no recorder): same as recorderEnv minus the recorder's variables. */
export function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.FLIGHT_RECORDER;
  delete env.FLIGHT_RECORDER_REGISTRY;
  return env;
}

export function readRegistryEntry(registryDir: string, pid: number): RegistryEntry | undefined {
  const file = join(registryDir, `${pid}.json`);
  if (!existsSync(file)) return undefined;
  const entry = JSON.parse(readFileSync(file, 'utf8')) as RegistryEntry;
  return existsSync(entry.socket) ? entry : undefined;
}

/** Waits until `pid` has registered (its JSON file and socket exist). */
export function waitForRegistration(registryDir: string, pid: number, timeoutMs = 20_000, running?: Running): Promise<RegistryEntry> {
  return waitFor(`pid ${pid} to register in ${registryDir}`, () => {
    if (running && running.child.exitCode !== null) throw new Error(`process exited (${running.child.exitCode}) before registering; stderr: ${running.stderr()}`);
    return readRegistryEntry(registryDir, pid);
  }, timeoutMs).catch((error: Error) => {
    const listing = existsSync(registryDir) ? readdirSync(registryDir).join(', ') || 'empty' : 'missing';
    const stderr = running ? running.stderr().slice(-500) : '';
    throw new Error(`${error.message}; registry: ${listing}; alive: ${existsSync(`/proc/${pid}`)}; stderr: ${stderr}`);
  });
}

/**
 * One request over the control socket; resolves with the response object, or rejects with a
 * clear error on timeout / close without answer. NDJSON framing per src/format/control.ts.
 */
export function controlRequest(socketPath: string, request: Record<string, unknown>, timeoutMs = 10_000): Promise<ControlResponse> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(request)} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      for (const line of buffer.split('\n')) {
        if (!line.trim()) continue;
        let parsed: ControlResponse;
        try {
          parsed = JSON.parse(line) as ControlResponse;
        } catch {
          continue;
        }
        if (parsed.id === request.id) {
          clearTimeout(timer);
          socket.end();
          resolvePromise(parsed);
          return;
        }
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`control socket closed without an answer to ${JSON.stringify(request)}`));
    });
  });
}

export function snapshotFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith(SNAPSHOT_SUFFIX)).map((name) => join(dir, name));
}

export interface SnapshotLike {
  traceEvents: Array<{ name?: string; cat?: string; ph?: string; ts?: number; dur?: number; pid?: number; tid?: number; args?: Record<string, unknown> }>;
  metadata: Record<string, unknown> & { droppedEvents?: number; trigger?: { reason?: string; source?: string }; recorder?: { hookErrors?: number; maxBytes?: number } };
}

export function readSnapshot(path: string): SnapshotLike {
  return JSON.parse(readFileSync(path, 'utf8')) as SnapshotLike;
}

/** True when dist/recorder.js is more than the foundation's empty placeholder. */
export function recorderIsBuilt(): boolean {
  const core = join(dirname(RECORDER), 'recorder-core.js');
  return existsSync(RECORDER) && existsSync(core) && readFileSync(core, 'utf8').length > 2000;
}

/** Peak resident set size of a live process, bytes (VmHWM), or undefined when gone. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Seeded PRNG (mulberry32): the fuzzer's cases are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
