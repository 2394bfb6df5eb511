// Runs a command line in a new integrated terminal with extra environment variables.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { powershellQuote, shellQuote } from './node-options';

function isPowerShell(): boolean {
  if (process.platform !== 'win32') return false;
  const shell = vscode.env.shell.toLowerCase();
  return shell.includes('pwsh') || shell.includes('powershell') || shell === '';
}

/** Quotes a command line for the integrated terminal's shell. */
export function commandLine(program: string, args: string[]): string {
  if (isPowerShell()) return ['&', powershellQuote(program), ...args.map(powershellQuote)].join(' ');
  return [program, ...args].map(shellQuote).join(' ');
}

export function runInTerminal(options: { name: string; cwd: string; env: Record<string, string>; program: string; args: string[] }): vscode.Terminal {
  const terminal = vscode.window.createTerminal({
    name: options.name,
    cwd: options.cwd,
    env: options.env,
    iconPath: new vscode.ThemeIcon('record'),
    isTransient: true,
  });
  terminal.show(true);
  terminal.sendText(commandLine(options.program, options.args), true);
  return terminal;
}

export function relativeName(file: string, folder: vscode.WorkspaceFolder | undefined): string {
  return folder ? path.relative(folder.uri.fsPath, file) || path.basename(file) : path.basename(file);
}
