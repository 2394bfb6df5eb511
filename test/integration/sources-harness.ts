// Runs fixture apps under the real recorder (node --require dist/recorder.js), takes snapshots
// through the real CLI, and reads them back. Everything spawned is killed by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Snapshot } from '../../src/format/snapshot';
import type { TraceEvent } from '../../src/format/trace-event';

export const ROOT = resolve(__dirname, '..', '..');
/** The recorder bundle under test (override with NFR_TEST_RECORDER, e.g. a development build). */
export const RECORDER = process.env.NFR_TEST_RECORDER ?? join(ROOT, 'dist', 'recorder.js');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const APPS = join(ROOT, 'test', 'fixtures', 'apps');

export interface RunningApp {
  child: ChildProcess;
  port: number;
  dir: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function until<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts test/fixtures/apps/<app> with or without the recorder; resolves when it is ready.
 * `env`: variables the app reads besides the harness's own (PORT_FILE and the recorder's).
 */
export async function startApp(app: string, options: { recorder: boolean; config?: object; cwd?: string; viaCliRun?: boolean; env?: Record<string, string> }): Promise<RunningApp> {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-sources-'));
  const portFile = join(dir, 'port');
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PORT_FILE: portFile, FLIGHT_RECORDER_REGISTRY: join(dir, 'registry') };
  delete env.NODE_OPTIONS;
  delete env.FLIGHT_RECORDER;
  if (options.recorder) env.FLIGHT_RECORDER = JSON.stringify({ out: join(dir, 'out'), ...options.config });
  const args = !options.recorder
    ? [join(APPS, app)]
    : options.viaCliRun
      ? [CLI, 'run', '--out', join(dir, 'out'), '--', process.execPath, join(APPS, app)]
      : ['--require', RECORDER, join(APPS, app)];
  const child = spawn(process.execPath, args, { env, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  let done = false;
  void exited.then(() => (done = true));
  const stop = async () => {
    if (!done) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const portText = await until(() => {
      if (done) throw new Error(`app exited early: ${stderr}`);
      return existsSync(portFile) ? readFileSync(portFile, 'utf8') : undefined;
    }, 15_000, `${app} to start`);
    return { child, port: Number(portText), dir, stdout: () => stdout, stderr: () => stderr, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function request(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveRequest, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolveRequest({ status: response.statusCode ?? 0, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`request ${path} timed out`)));
    req.on('error', reject);
  });
}

/**
 * `node dist/cli.js snapshot <pid|all> --out D --reason R`: the written path(s). Each app has
 * its own registry directory, so `all` means the app's process (and its children).
 */
export function cliSnapshot(app: RunningApp, reason: string, target: 'pid' | 'all' = 'pid'): string[] {
  const out = join(app.dir, 'snapshots');
  const result = spawnSync(process.execPath, [CLI, 'snapshot', target === 'all' ? 'all' : String(app.child.pid), '--out', out, '--reason', reason], {
    env: { ...process.env, FLIGHT_RECORDER_REGISTRY: join(app.dir, 'registry') },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (result.status !== 0) throw new Error(`cli snapshot exited ${result.status}: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

export function readSnapshot(path: string): { text: string; snapshot: Snapshot; events: TraceEvent[] } {
  const text = readFileSync(path, 'utf8');
  const snapshot = JSON.parse(text) as Snapshot;
  return { text, snapshot, events: snapshot.traceEvents };
}

/** Async spans of a category, begin paired with its end (undefined while in flight). */
export function spansOf(events: TraceEvent[], category: string) {
  const ends = new Map<string, TraceEvent>();
  for (const event of events) if (event.cat === category && event.ph === 'e') ends.set(`${event.pid}:${event.id}`, event);
  return events
    .filter((event) => event.cat === category && event.ph === 'b')
    .map((begin) => ({ begin, end: ends.get(`${begin.pid}:${begin.id}`) }));
}

export const built = existsSync(RECORDER) && existsSync(CLI);
