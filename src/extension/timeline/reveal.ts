// Opens the source of a stack frame (or a span's origin) that the timeline asked for: the file
// and line, mapped to the original source when the file has a source map, in the editor group
// beside the timeline.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vscode from 'vscode';
import type { StackFrame } from '../../format/stack';
import { mapToOriginal, type SourceLocation } from './source-map';

/** The absolute path a frame's url names, or a reason it cannot be opened. */
export function framePath(url: string, baseDirs: readonly string[]): { file: string } | { reason: string } {
  if (url.startsWith('node:') || (!url.includes('/') && !url.includes('\\'))) return { reason: `${url} is part of Node itself` };
  if (url.startsWith('file:')) {
    try {
      return { file: fileURLToPath(url) };
    } catch {
      return { reason: `${url} is not a valid file URL` };
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return { reason: `${url} is not a local file` };
  if (path.isAbsolute(url)) return { file: url };
  for (const dir of baseDirs) {
    const candidate = path.resolve(dir, url);
    if (fs.existsSync(candidate)) return { file: candidate };
  }
  return { reason: `${url} was not found in the workspace` };
}

export async function revealFrame(frame: StackFrame, options: { baseDirs: readonly string[]; log: vscode.LogOutputChannel }): Promise<vscode.TextEditor | undefined> {
  const resolved = framePath(frame.url, options.baseDirs);
  if ('reason' in resolved) {
    void vscode.window.showInformationMessage(`Flight Recorder: cannot open the source: ${resolved.reason}.`);
    return undefined;
  }
  if (!fs.existsSync(resolved.file)) {
    void vscode.window.showWarningMessage(`Flight Recorder: ${resolved.file} does not exist on this machine.`);
    return undefined;
  }
  let location: SourceLocation = { file: resolved.file, lineNumber: Math.max(1, frame.lineNumber), columnNumber: Math.max(1, frame.columnNumber) };
  const original = await mapToOriginal(location);
  if (original) {
    options.log.info(`reveal: ${location.file}:${location.lineNumber} maps to ${original.file}:${original.lineNumber}`);
    location = original;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  const line = Math.min(location.lineNumber - 1, Math.max(0, document.lineCount - 1));
  const position = new vscode.Position(line, Math.max(0, location.columnNumber - 1));
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: vscode.ViewColumn.Beside,
    selection: new vscode.Range(position, position),
    preserveFocus: false,
    preview: true,
  });
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}
