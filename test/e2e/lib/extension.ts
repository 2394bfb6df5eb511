// Helpers shared by the suites: the extension's API, the fixture workspace, HTTP on loopback,
// process bookkeeping.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightRecorderApi } from '../../../src/extension/extension';
import { after, waitFor } from './framework';

export const EXTENSION_ID = 'node-flight-recorder.node-flight-recorder';

export async function extensionApi(): Promise<FlightRecorderApi> {
  const extension = vscode.extensions.getExtension<FlightRecorderApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  return extension.isActive ? extension.exports : extension.activate();
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workspace is not open');
  return folder;
}

export function workspacePath(...parts: string[]): string {
  return path.join(workspaceFolder().uri.fsPath, ...parts);
}

export function snapshotFiles(dir = workspacePath('.flight-recorder')): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith('.nodetrace.json')).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

export function get(port: number, pathname: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathname, timeout: timeoutMs, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${pathname} timed out`)));
    request.on('error', reject);
  });
}

const started: ChildProcess[] = [];
const killPids = new Set<number>();

/** Kills at the end of the run whatever a test started or found (terminal programs included). */
export function killLater(pid: number | undefined): void {
  if (pid) killPids.add(pid);
}

after(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of killPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

/** Starts a fixture program outside VS Code's terminals (no recorder in its environment). */
export function startProgram(file: string, env: Record<string, string> = {}): ChildProcess {
  const clean = { ...process.env };
  delete clean.NODE_OPTIONS;
  delete clean.FLIGHT_RECORDER;
  delete clean.ELECTRON_RUN_AS_NODE;
  for (const key of Object.keys(clean)) if (key.startsWith('VSCODE_')) delete clean[key];
  const child = spawn(nodeBinary(), [file], { cwd: path.dirname(file), env: { ...clean, ...env }, stdio: 'ignore' });
  started.push(child);
  return child;
}

/** A real Node binary: the extension host may be Electron, whose execPath is not `node`. */
export function nodeBinary(): string {
  if (!process.versions.electron) return process.execPath;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'node');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'node';
}

/** Waits for `.server-port`-style files the fixture server writes. */
export async function readPort(file: string, timeoutMs = 30_000): Promise<number> {
  return waitFor(`port file ${path.basename(file)}`, () => {
    if (!fs.existsSync(file)) return undefined;
    const port = Number(fs.readFileSync(file, 'utf8'));
    return port > 0 ? port : undefined;
  }, timeoutMs);
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
