// Reading the extension's settings, with `${workspaceFolder}` / `~` expansion.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecorderOptions } from '../format/config';

export const SECTION = 'flightRecorder';
export const DEFAULT_SNAPSHOT_DIRECTORY = '${workspaceFolder}/.flight-recorder';

export function settings(folder?: vscode.WorkspaceFolder): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, folder?.uri);
}

/** The folder to resolve `${workspaceFolder}` against when none is given: the active file's, else the first. */
export function defaultFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

export function expandPath(template: string, folder: vscode.WorkspaceFolder | undefined): string {
  const folderPath = folder?.uri.fsPath ?? os.tmpdir();
  let expanded = template
    .replace(/\$\{workspaceFolder\}/g, folderPath)
    .replace(/\$\{workspaceFolderBasename\}/g, path.basename(folderPath))
    .replace(/\$\{userHome\}/g, os.homedir())
    .replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => process.env[name] ?? '');
  if (expanded === '~' || expanded.startsWith('~/')) expanded = path.join(os.homedir(), expanded.slice(1));
  return path.resolve(folderPath, expanded);
}

export function snapshotDirectory(folder = defaultFolder()): string {
  const template = settings(folder).get<string>('snapshotDirectory') || DEFAULT_SNAPSHOT_DIRECTORY;
  return expandPath(template, folder);
}

export function recorderSettings(folder?: vscode.WorkspaceFolder): RecorderOptions {
  const value = settings(folder).get<unknown>('recorder');
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as RecorderOptions) : {};
}

export function openAfterCapture(): boolean {
  return settings().get<boolean>('openAfterCapture', true);
}
