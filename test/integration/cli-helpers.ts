// Shared by the cli-* integration tests: run `node dist/cli.js` for real with a time bound,
// a private registry directory, and an environment free of the caller's recorder settings.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nfr-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The caller's env minus anything that would preload or configure a recorder. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.FLIGHT_RECORDER;
  delete env.FLIGHT_RECORDER_REGISTRY;
  return { ...env, ...extra };
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runProcess(process.execPath, [CLI, ...args], options);
}

export function runProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawnGroup(command, args, options);
  return collect(child, options.timeoutMs ?? 20_000);
}

const groups = new Set<number>();

/**
 * Spawns in a process group of its own, so a test can end the CLI *and* whatever it started
 * (killGroup), even if the CLI died first and left its child behind.
 */
export function spawnGroup(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  const child = spawn(command, args, { env: options.env ?? cleanEnv(), cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid !== undefined) groups.add(child.pid);
  return child;
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {}
}

/** For `after`: every group spawned by this file, gone. */
export function killAllGroups(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  groups.clear();
}

/** Resolves when the child exits (and its pipes close, or 2 s later); kills its group at the deadline. */
export function collect(child: ChildProcess, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    };
    child.on('close', finish);
    child.on('exit', (code, signal) => {
      // A grandchild that outlives the CLI keeps the pipes open: do not wait for it forever.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 2000).unref();
    });
  });
}

/** Polling with a deadline: the suites' one helper (test/lib/wait-for.ts). */
export { waitFor } from '../lib/wait-for';
