// `flightRecorder.addSnapshotPoint`: a breakpoint at the cursor that takes a snapshot each time
// the line runs and never pauses. It is a real VS Code breakpoint (a logpoint, see
// snapshot-point-text.ts): listed in the Breakpoints view, removable, enabled/disabled, kept
// across reloads; the editor also labels its line "snapshot point". Running the command on a
// line that has one removes it.
//
// Without a debugger, the same points are armed through the control channel in the recorded
// processes this workspace started (the recorder sets them with its in-process inspector); a
// process being debugged is skipped: the debugger already evaluates the logpoint there.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryEntry } from '../../format/control';
import type { ExtensionServices } from '../services';
import { isSnapshotPointMessage, snapshotPointMessage } from './snapshot-point-text';

const SUPPORTED_LANGUAGES = new Set(['javascript', 'typescript', 'javascriptreact', 'typescriptreact']);
/** How often the registry is re-read for new processes while points exist and nothing debugs. */
const ARM_POLL_MS = 2_000;

export function snapshotPointsOf(breakpoints: readonly vscode.Breakpoint[]): vscode.SourceBreakpoint[] {
  return breakpoints.filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && isSnapshotPointMessage(b.logMessage));
}

function pointKey(file: string, line1: number): string {
  return `${file}:${line1}`;
}

export class SnapshotPoints implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: {
      contentText: '  ◉ snapshot point',
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
    },
    overviewRulerColor: new vscode.ThemeColor('debugIcon.breakpointForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  /** pid → keys of the points armed in it through the control channel. */
  private readonly armedIn = new Map<number, Set<string>>();
  /** pids of recorded processes under a debugger (the logpoint works there). */
  private readonly debuggedPids = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: ExtensionServices,
    /** True while a recorded debug session's pid is still unknown: arming waits a round. */
    private readonly debugSessionsProbing: () => boolean = () => false,
  ) {
    this.disposables.push(
      this.decoration,
      vscode.commands.registerCommand('flightRecorder.addSnapshotPoint', (uri?: vscode.Uri, line?: number) => this.toggleAtCursor(uri, line)),
      vscode.debug.onDidChangeBreakpoints(() => {
        this.decorateVisible();
        this.scheduleSync();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorateVisible()),
    );
    this.decorateVisible();
    if (snapshotPointsOf(vscode.debug.breakpoints).length) this.scheduleSync();
  }

  /** The debuggee pid of a recorded debug session is known: do not arm points there too. */
  markDebugged(pid: number, debugged: boolean): void {
    if (debugged) this.debuggedPids.add(pid);
    else this.debuggedPids.delete(pid);
  }

  /**
   * Adds a snapshot point at the cursor of the active editor (or at `line`, 0-based, of `uri`),
   * or removes the one already there. Returns the breakpoint added, if any.
   */
  async toggleAtCursor(uri?: vscode.Uri, line?: number): Promise<vscode.SourceBreakpoint | undefined> {
    const editor = vscode.window.activeTextEditor;
    const target = uri instanceof vscode.Uri ? uri : editor?.document.uri;
    const targetLine = typeof line === 'number' ? line : editor?.selection.active.line;
    if (!target || targetLine === undefined) {
      void vscode.window.showInformationMessage('Flight Recorder: open a JavaScript or TypeScript file and put the cursor on the line to capture at.');
      return undefined;
    }
    const document = editor && editor.document.uri.toString() === target.toString() ? editor.document : await vscode.workspace.openTextDocument(target);
    if (!SUPPORTED_LANGUAGES.has(document.languageId)) {
      void vscode.window.showWarningMessage(`Flight Recorder: snapshot points work in JavaScript and TypeScript files, not ${document.languageId}.`);
      return undefined;
    }
    const existing = snapshotPointsOf(vscode.debug.breakpoints).find(
      (b) => b.location.uri.toString() === target.toString() && b.location.range.start.line === targetLine,
    );
    if (existing) {
      vscode.debug.removeBreakpoints([existing]);
      void vscode.window.setStatusBarMessage(`Flight Recorder: snapshot point removed (line ${targetLine + 1})`, 3000);
      return undefined;
    }
    const location = `${target.fsPath}:${targetLine + 1}`;
    const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(target, new vscode.Position(targetLine, 0)), true, undefined, undefined, snapshotPointMessage(location));
    vscode.debug.addBreakpoints([breakpoint]);
    void vscode.window.setStatusBarMessage(`Flight Recorder: snapshot point at ${path.basename(target.fsPath)}:${targetLine + 1}`, 3000);
    return breakpoint;
  }

  private decorateVisible(): void {
    const points = snapshotPointsOf(vscode.debug.breakpoints).filter((b) => b.enabled);
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri.toString();
      const ranges = points.filter((b) => b.location.uri.toString() === uri).map((b) => new vscode.Range(b.location.range.start.line, 0, b.location.range.start.line, 0));
      editor.setDecorations(this.decoration, ranges);
    }
  }

  private scheduleSync(): void {
    this.syncing = this.syncing.then(() => this.syncProcesses()).catch((error: unknown) => {
      this.services.log.warn(`snapshot points: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Processes of this workspace: started in one of its folders, or running a file inside one. */
  private inWorkspace(entry: RegistryEntry): boolean {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath + path.sep);
    const inside = (p: string) => folders.some((f) => (p + path.sep).startsWith(f));
    return inside(entry.cwd) || entry.argv.some((arg) => path.isAbsolute(arg) && inside(arg));
  }

  /** Arms the enabled points in every recorded, undebugged process of this workspace; disarms removed ones. */
  private async syncProcesses(): Promise<void> {
    const wanted = new Map<string, { file: string; line1: number }>();
    for (const b of snapshotPointsOf(vscode.debug.breakpoints)) {
      if (!b.enabled || b.location.uri.scheme !== 'file') continue;
      const line1 = b.location.range.start.line + 1;
      wanted.set(pointKey(b.location.uri.fsPath, line1), { file: b.location.uri.fsPath, line1 });
    }
    if (wanted.size === 0 && this.armedIn.size === 0) {
      this.stopPolling();
      return;
    }
    if (this.debugSessionsProbing()) {
      this.startPolling();
      return;
    }
    const entries = (await this.services.listProcesses()).filter((e) => this.inWorkspace(e) && !this.debuggedPids.has(e.pid));
    const live = new Set(entries.map((e) => e.pid));
    for (const pid of [...this.armedIn.keys()]) if (!live.has(pid)) this.armedIn.delete(pid);
    // Loaded here, not at activation: the control client brings `node:net` with it.
    const { controlRequest } = await import('../../client/control-client');
    for (const entry of entries) {
      const armed = this.armedIn.get(entry.pid) ?? new Set<string>();
      this.armedIn.set(entry.pid, armed);
      for (const [key, point] of wanted) {
        if (armed.has(key)) continue;
        try {
          await controlRequest(entry.socket, { type: 'armSnapshotPoint', url: point.file, lineNumber: point.line1 });
          armed.add(key);
          this.services.log.info(`snapshot points: armed ${key} in ${entry.pid}`);
        } catch (error) {
          this.services.log.warn(`snapshot points: could not arm ${key} in ${entry.pid}: ${error instanceof Error ? error.message : String(error)}`);
          armed.add(key); // do not retry every poll; a removal and re-add tries again
        }
      }
      for (const key of [...armed]) {
        if (wanted.has(key)) continue;
        armed.delete(key);
        const separator = key.lastIndexOf(':');
        try {
          await controlRequest(entry.socket, { type: 'disarmSnapshotPoint', url: key.slice(0, separator), lineNumber: Number(key.slice(separator + 1)) });
        } catch {}
      }
    }
    if (wanted.size) this.startPolling();
    else this.stopPolling();
  }

  private startPolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.scheduleSync(), ARM_POLL_MS);
    this.timer.unref?.();
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stopPolling();
    for (const d of this.disposables) d.dispose();
  }
}
