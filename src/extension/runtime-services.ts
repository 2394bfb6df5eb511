// The ExtensionServices every feature receives (see services.ts). Built once, on activation,
// without doing any work: the control channel is only touched when a feature asks.
import * as vscode from 'vscode';
import { CONFIG_ENV, type RecorderOptions } from '../format/config';
import type { RecorderStatus, RegistryEntry } from '../format/control';
import type { HostToViewer } from '../format/viewer-protocol';
import type { ControlPort } from './control';
import { mergeRecorderOptions, prependNodeOptions } from './node-options';
import type { CapturedSnapshot, ExtensionServices } from './services';
import * as settings from './settings';

export const TIMELINE_VIEW_TYPE = 'flightRecorder.timeline';

/** Marks the timeline editor shows when it opens a given file (consumed on `ready`). */
export const pendingMarks = new Map<string, { ts: number; label: string }>();

export class RuntimeServices implements ExtensionServices, vscode.Disposable {
  readonly recorderPath: string;
  private readonly snapshotEmitter = new vscode.EventEmitter<CapturedSnapshot>();
  /** Set by the timeline editor: posts to the open panels of a file, false when none is open. */
  postToTimeline: ((uri: vscode.Uri, message: HostToViewer) => boolean) | undefined;
  readonly onDidCaptureSnapshot = this.snapshotEmitter.event;

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly control: ControlPort,
  ) {
    this.recorderPath = context.asAbsolutePath('dist/recorder.js');
  }

  snapshotDirectory(folder?: vscode.WorkspaceFolder): string {
    return settings.snapshotDirectory(folder ?? settings.defaultFolder());
  }

  recorderEnvironment(options: { overrides?: RecorderOptions; folder?: vscode.WorkspaceFolder; existingNodeOptions?: string } = {}): Record<string, string> {
    const folder = options.folder ?? settings.defaultFolder();
    const recorder = mergeRecorderOptions({ out: this.snapshotDirectory(folder) }, settings.recorderSettings(folder), options.overrides);
    return {
      NODE_OPTIONS: prependNodeOptions(this.recorderPath, options.existingNodeOptions),
      [CONFIG_ENV]: JSON.stringify(recorder),
    };
  }

  listProcesses(): Promise<RegistryEntry[]> {
    return this.control.list();
  }

  status(pid: number): Promise<RecorderStatus> {
    return this.control.status(pid);
  }

  async captureSnapshot(pid: number, options: { reason: string; out?: string; source?: string; location?: string }): Promise<CapturedSnapshot> {
    const out = options.out ?? this.snapshotDirectory();
    this.log.info(`capture: asking ${pid} for a snapshot (${options.reason}) into ${out}`);
    const result = await this.control.snapshot(pid, { ...options, out });
    const captured: CapturedSnapshot = { path: result.path, pid, reason: options.reason };
    this.log.info(`capture: ${result.path} (${result.events} events, ${result.bytes} bytes)`);
    this.notifySnapshot(captured);
    return captured;
  }

  async openSnapshot(uri: vscode.Uri, options: { mark?: { ts: number; label: string }; viewColumn?: vscode.ViewColumn; preserveFocus?: boolean } = {}): Promise<void> {
    if (options.mark) pendingMarks.set(uri.toString(), options.mark);
    // Already open: its `ready` has passed, so the mark goes as a selection.
    if (options.mark && this.postToTimeline?.(uri, { type: 'select', ts: options.mark.ts })) pendingMarks.delete(uri.toString());
    await vscode.commands.executeCommand('vscode.openWith', uri, TIMELINE_VIEW_TYPE, {
      viewColumn: options.viewColumn ?? vscode.ViewColumn.Active,
      preserveFocus: options.preserveFocus ?? false,
    });
  }

  notifySnapshot(snapshot: CapturedSnapshot): void {
    this.snapshotEmitter.fire(snapshot);
  }

  dispose(): void {
    this.snapshotEmitter.dispose();
  }
}
