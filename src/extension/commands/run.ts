// flightRecorder.runFile and flightRecorder.runScript: start a program in an integrated
// terminal with the recorder preloaded (NODE_OPTIONS + FLIGHT_RECORDER from the settings).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { relativeName, runInTerminal } from '../terminal';
import { planTypeScript } from '../typescript-runner';

const JAVASCRIPT = /\.(c|m)?jsx?$/i;
const TYPESCRIPT = /\.(c|m)?tsx?$/i;

export async function runFile(services: ExtensionServices, uri?: vscode.Uri): Promise<vscode.Terminal | undefined> {
  const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!document) {
    void vscode.window.showInformationMessage('Flight Recorder: open a JavaScript or TypeScript file to run it with the recorder.');
    return undefined;
  }
  if (document.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Flight Recorder: only files on disk can be run (save this one first).');
    return undefined;
  }
  const file = document.uri.fsPath;
  if (!JAVASCRIPT.test(file) && !TYPESCRIPT.test(file)) {
    void vscode.window.showErrorMessage(`Flight Recorder: ${path.basename(file)} is not a JavaScript or TypeScript file.`);
    return undefined;
  }
  if (document.isDirty) await document.save();
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  let program = 'node';
  let args = [file];
  if (TYPESCRIPT.test(file)) {
    const plan = await planTypeScript(file, folder?.uri.fsPath);
    if (plan.kind === 'unsupported') {
      void vscode.window.showErrorMessage(`Flight Recorder: ${plan.message}`);
      return undefined;
    }
    services.log.info(`run: ${path.basename(file)} through ${plan.description}`);
    program = plan.program;
    args = plan.args;
  }
  const env = services.recorderEnvironment({ folder, existingNodeOptions: process.env.NODE_OPTIONS });
  services.log.info(`run: ${program} ${args.join(' ')} (NODE_OPTIONS=${env.NODE_OPTIONS})`);
  return runInTerminal({
    name: `Flight Recorder: ${relativeName(file, folder)}`,
    cwd: folder?.uri.fsPath ?? path.dirname(file),
    env,
    program,
    args,
  });
}

interface ScriptItem extends vscode.QuickPickItem {
  folder: vscode.WorkspaceFolder;
  packageDir: string;
  script: string;
}

async function scriptsOf(folder: vscode.WorkspaceFolder): Promise<ScriptItem[]> {
  const packageDir = folder.uri.fsPath;
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    return Object.entries(manifest.scripts ?? {})
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([script, command]) => ({
        label: script,
        description: (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? folder.name : undefined,
        detail: command,
        folder,
        packageDir,
        script,
      }));
  } catch {
    return [];
  }
}

export async function runScript(services: ExtensionServices, scriptName?: string): Promise<vscode.Terminal | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const items = (await Promise.all(folders.map(scriptsOf))).flat();
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Flight Recorder: no npm scripts found in the package.json of the workspace folders.');
    return undefined;
  }
  const picked = scriptName
    ? items.find((item) => item.script === scriptName)
    : await vscode.window.showQuickPick(items, { title: 'Run npm Script with Recorder', placeHolder: 'Script to run with the recorder preloaded', matchOnDetail: true });
  if (!picked) {
    if (scriptName) void vscode.window.showErrorMessage(`Flight Recorder: no npm script named "${scriptName}".`);
    return undefined;
  }
  const env = services.recorderEnvironment({ folder: picked.folder, existingNodeOptions: process.env.NODE_OPTIONS });
  return runInTerminal({
    name: `Flight Recorder: npm run ${picked.script}`,
    cwd: picked.packageDir,
    env,
    program: process.platform === 'win32' ? 'npm.cmd' : 'npm',
    args: ['run', picked.script],
  });
}
