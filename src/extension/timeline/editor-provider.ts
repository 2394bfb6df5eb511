// The custom readonly editor `flightRecorder.timeline` for *.nodetrace.json (and, through
// openWith, .cpuprofile and plain Chrome traces). The webview posts `ready`, the host answers
// `summary` with the file's event summary (summary-host.ts; args stay in the file and are read
// by range when the viewer asks) or, for files without one, `init` with the file's text — each
// with the last saved view state and an optional mark. Args and whole files are parsed in the
// webview, so a hostile file never runs on the host. Messages are validated
// (messages.ts); the view state is kept per file so it survives reloads; VS Code restores
// open timelines through this provider (custom editors need no separate serializer).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostToViewer, ViewerState } from '../../format/viewer-protocol';
import type { ExtensionServices } from '../services';
import { pendingMarks, TIMELINE_VIEW_TYPE } from '../runtime-services';
import { localResourceRoots, timelineHtml } from './html';
import { parseViewerMessage } from './messages';
import { revealFrame } from './reveal';
import { TimelineSummaries } from './summary-host';

/** Larger files are not posted to the webview (a string this size is already ~2x in memory). */
export const MAX_TIMELINE_BYTES = 256 * 1024 * 1024;
const STATE_KEY = 'flightRecorder.timelineStates';
const MAX_SAVED_STATES = 50;
/** How often a panel whose file's summary is being built hears how far the build has read. */
const PROGRESS_REPORT_MS = 250;

class TimelineDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class TimelineEditorProvider implements vscode.CustomReadonlyEditorProvider<TimelineDocument> {
  private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
  private readonly summaries = new TimelineSummaries();

  constructor(
    private readonly services: ExtensionServices,
    private readonly onCaptureRequest: (pid: number | undefined) => void,
  ) {}

  static register(services: ExtensionServices, onCaptureRequest: (pid: number | undefined) => void): { provider: TimelineEditorProvider; disposable: vscode.Disposable } {
    const provider = new TimelineEditorProvider(services, onCaptureRequest);
    const disposable = vscode.window.registerCustomEditorProvider(TIMELINE_VIEW_TYPE, provider, {
      webviewOptions: { retainContextWhenHidden: false, enableFindWidget: false },
      supportsMultipleEditorsPerDocument: true,
    });
    return { provider, disposable };
  }

  openCustomDocument(uri: vscode.Uri): TimelineDocument {
    return new TimelineDocument(uri);
  }

  /** Number of open timeline panels (tests and the inline trace read it). */
  openPanels(uri?: vscode.Uri): number {
    if (uri) return this.panels.get(uri.toString())?.size ?? 0;
    let count = 0;
    for (const set of this.panels.values()) count += set.size;
    return count;
  }

  /** Posts to every open panel of the file; false when none is open. */
  post(uri: vscode.Uri, message: HostToViewer): boolean {
    const set = this.panels.get(uri.toString());
    if (!set?.size) return false;
    for (const panel of set) void panel.webview.postMessage(message);
    return true;
  }

  resolveCustomEditor(document: TimelineDocument, panel: vscode.WebviewPanel): void {
    const key = document.uri.toString();
    const extensionUri = this.services.context.extensionUri;
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
    panel.webview.html = timelineHtml(panel.webview, extensionUri, path.basename(document.uri.path));
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');

    let set = this.panels.get(key);
    if (!set) this.panels.set(key, (set = new Set()));
    set.add(panel);

    const subscriptions: vscode.Disposable[] = [];
    subscriptions.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseViewerMessage(raw);
        if (!message) {
          this.services.log.warn(`timeline: dropped a malformed message from the webview (${describeShape(raw)})`);
          return;
        }
        switch (message.type) {
          case 'ready':
            void this.sendInit(document.uri, panel, true);
            break;
          case 'needText':
            this.services.log.warn(`timeline ${path.basename(document.uri.path)}: the viewer could not use the event summary (${message.reason}); sending the text`);
            void this.sendInit(document.uri, panel, false);
            break;
          case 'readBytes':
            void this.summaries.readBytes(document.uri, message.requestId, message.ranges).then((answer) => panel.webview.postMessage(answer));
            break;
          case 'searchArgs':
            void this.summaries.searchArgs(document.uri, message.requestId, message.needle).then((answer) => panel.webview.postMessage(answer));
            break;
          case 'state':
            void this.saveState(document.uri, message.state);
            break;
          case 'reveal':
            void revealFrame(message.frame, { baseDirs: this.baseDirs(document.uri), log: this.services.log }).catch((error: unknown) => {
              void vscode.window.showErrorMessage(`Flight Recorder: cannot open ${message.frame.url}: ${error instanceof Error ? error.message : String(error)}`);
            });
            break;
          case 'capture':
            this.onCaptureRequest(pidOf(document.uri));
            break;
          case 'error':
            this.services.log.error(`timeline ${path.basename(document.uri.path)}: ${message.message}`);
            break;
        }
      }),
    );
    panel.onDidDispose(() => {
      set?.delete(panel);
      if (set?.size === 0) {
        this.panels.delete(key);
        this.summaries.release(document.uri);
      }
      for (const s of subscriptions) s.dispose();
    });
  }

  /** `summary`: send the event summary when the file has one (false: the viewer asked for the text). */
  private async sendInit(uri: vscode.Uri, panel: vscode.WebviewPanel, summary: boolean): Promise<void> {
    const fileName = path.basename(uri.path);
    let message: HostToViewer;
    try {
      await checkSize(uri);
      const summaryBytes = summary ? await this.whileReporting(uri, panel, this.summaries.summaryOf(uri)) : undefined;
      const text = summaryBytes ? undefined : await readBounded(uri);
      const mark = pendingMarks.get(uri.toString());
      pendingMarks.delete(uri.toString());
      const state = this.savedStates()[uri.toString()];
      const extra = { ...(state ? { state } : {}), ...(mark ? { mark } : {}) };
      message = summaryBytes ? { type: 'summary', fileName, summary: summaryBytes, ...extra } : { type: 'init', fileName, text: text!, ...extra };
    } catch (error) {
      message = { type: 'loadError', fileName, message: error instanceof Error ? error.message : String(error) };
      this.services.log.warn(`timeline: ${fileName}: ${message.message}`);
    }
    await panel.webview.postMessage(message);
  }

  /**
   * `work` (the file's summary being built), with the panel told every PROGRESS_REPORT_MS how
   * far the build has read the file, for its loading screen.
   */
  private async whileReporting<T>(uri: vscode.Uri, panel: vscode.WebviewPanel, work: Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      const progress = this.summaries.readProgress(uri);
      // A panel closed meanwhile refuses messages: nothing to tell it then.
      if (progress) panel.webview.postMessage({ type: 'progress', ...progress } satisfies HostToViewer).then(undefined, () => undefined);
    }, PROGRESS_REPORT_MS);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  private savedStates(): Record<string, ViewerState> {
    return this.services.context.workspaceState.get<Record<string, ViewerState>>(STATE_KEY, {});
  }

  private async saveState(uri: vscode.Uri, state: ViewerState): Promise<void> {
    const states = { ...this.savedStates() };
    delete states[uri.toString()];
    states[uri.toString()] = state;
    const keys = Object.keys(states);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_SAVED_STATES))) delete states[old];
    await this.services.context.workspaceState.update(STATE_KEY, states);
  }

  /** Where relative source paths are looked up: the recorded process's cwd, then the workspace. */
  private baseDirs(uri: vscode.Uri): string[] {
    const dirs = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return [path.dirname(uri.fsPath), ...dirs];
  }

}

/** The pid a snapshot was taken of, from its file name (snapshotFileName()). */
function pidOf(uri: vscode.Uri): number | undefined {
  const match = /-(\d+)-\d{8}T\d{6}Z-/.exec(path.basename(uri.path));
  return match ? Number(match[1]) : undefined;
}

async function checkSize(uri: vscode.Uri): Promise<void> {
  const size = uri.scheme === 'file' ? (await fs.stat(uri.fsPath)).size : (await vscode.workspace.fs.stat(uri)).size;
  if (size > MAX_TIMELINE_BYTES) throw tooLarge(size);
}

async function readBounded(uri: vscode.Uri): Promise<string> {
  if (uri.scheme === 'file') {
    const stat = await fs.stat(uri.fsPath);
    if (stat.size > MAX_TIMELINE_BYTES) throw tooLarge(stat.size);
    return new TextDecoder('utf-8', { fatal: false }).decode(await fs.readFile(uri.fsPath));
  }
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_TIMELINE_BYTES) throw tooLarge(stat.size);
  return new TextDecoder('utf-8', { fatal: false }).decode(await vscode.workspace.fs.readFile(uri));
}

function tooLarge(bytes: number): Error {
  const mib = (n: number) => `${Math.round(n / (1024 * 1024))} MiB`;
  return new Error(`the file is ${mib(bytes)}; the timeline opens files up to ${mib(MAX_TIMELINE_BYTES)}. "flight-recorder summary <file>" reads any size (streamed).`);
}

function describeShape(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? `type "${type.slice(0, 40)}"` : 'no type';
}
