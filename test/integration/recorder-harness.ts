// Helpers for tests that run real programs under dist/recorder.js and talk to their control
// socket directly (newline-delimited JSON, src/format/control.ts).
import { after } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ControlResponse, RegistryEntry } from '../../src/format/control';
import type { Snapshot } from '../../src/format/snapshot';

/** NFR_TEST_RECORDER: run the same tests against another build (e.g. the previous one, to see a test fail). */
export const RECORDER = process.env.NFR_TEST_RECORDER ?? resolve(__dirname, '../../dist/recorder.js');

export interface Recorded {
  child: ChildProcess;
  dir: string;
  registry: string;
  out: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

/** A temp dir with `files` written into it. */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-core-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function runRecorded(dir: string, script: string, options: { config?: object; env?: NodeJS.ProcessEnv; preload?: boolean; args?: string[] } = {}): Recorded {
  if (!existsSync(RECORDER)) throw new Error(`${RECORDER} missing: run node esbuild.js --only recorder`);
  const registry = join(dir, 'registry');
  const out = join(dir, 'out');
  const env: NodeJS.ProcessEnv = { ...process.env, FLIGHT_RECORDER_REGISTRY: registry, ...options.env };
  delete env.NODE_OPTIONS;
  if (options.config) env.FLIGHT_RECORDER = JSON.stringify({ out, ...options.config });
  else if (env.FLIGHT_RECORDER === undefined) env.FLIGHT_RECORDER = JSON.stringify({ out });
  const preload = options.preload === false ? [] : ['--require', RECORDER];
  const child = spawn(process.execPath, [...preload, script, ...(options.args ?? [])], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
  return {
    child, dir, registry, out, exited,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<Exclude<T, false | '' | 0>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<Exclude<T, false | '' | 0>>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function readEntries(registry: string): RegistryEntry[] {
  if (!existsSync(registry)) return [];
  return readdirSync(registry)
    .filter((name) => /^\d+\.json$/.test(name))
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(registry, name), 'utf8')) as RegistryEntry];
      } catch {
        return [];
      }
    });
}

export function waitForEntry(registry: string, pid: number, timeoutMs = 10_000): Promise<RegistryEntry> {
  return waitFor(`registry entry of ${pid}`, () => readEntries(registry).find((e) => e.pid === pid), timeoutMs);
}

/** Sends one request line and resolves with the first response line. */
export function request(socket: string, message: object | string, timeoutMs = 10_000): Promise<ControlResponse> {
  return new Promise((resolveResponse, reject) => {
    const connection = connect(socket);
    let buffer = '';
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.on('connect', () => connection.write(typeof message === 'string' ? message : `${JSON.stringify(message)}\n`));
    connection.on('data', (chunk) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        connection.end();
        resolveResponse(JSON.parse(buffer.slice(0, newline)) as ControlResponse);
      }
    });
    connection.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    connection.on('close', () => {
      clearTimeout(timer);
      reject(new Error('connection closed without an answer'));
    });
  });
}

export function readSnapshot(path: string): Snapshot {
  return JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
}

export function snapshotFiles(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out).filter((n) => n.endsWith('.nodetrace.json')).map((n) => join(out, n)).sort();
}

export function cleanup(recorded: Recorded | undefined): void {
  if (!recorded) return;
  recorded.kill();
  rmSync(recorded.dir, { recursive: true, force: true });
}

/** GETs a path on 127.0.0.1:port; resolves with the status. */
export async function get(port: number, path: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  await response.arrayBuffer();
  return response.status;
}

/** A server script printing `PORT <n>` once listening; handler body supplied. */
export function serverScript(handler: string, extra = ''): string {
  return `const http = require('node:http');
${extra}
const server = http.createServer((req, res) => { ${handler} });
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;
}

export async function portOf(recorded: Recorded): Promise<number> {
  const line = await waitFor('PORT line', () => /PORT (\d+)/.exec(recorded.stdout()), 10_000);
  return Number(line[1]);
}

/** A test file's recorded programs: each tracked one is cleaned up after the file's tests. */
export function recordedPrograms() {
  const running: Recorded[] = [];
  after(() => running.forEach(cleanup));
  const track = (recorded: Recorded): Recorded => {
    running.push(recorded);
    return recorded;
  };
  return {
    track,
    /** Runs `main` of a fresh temp project made of `files` under the recorder. */
    start: (files: Record<string, string>, main: string, options: Parameters<typeof runRecorded>[2] = {}): Recorded =>
      track(runRecorded(tempProject(files), main, options)),
  };
}
