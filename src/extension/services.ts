// What the extension's features share. Built once in activate() and handed to each feature's
// register function, so features never reach into each other's modules.
import type * as vscode from 'vscode';
import type { RecorderOptions } from '../format/config';
import type { RegistryEntry, RecorderStatus } from '../format/control';

export interface CapturedSnapshot {
  path: string;
  pid: number;
  reason: string;
}

export interface ExtensionServices {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** Absolute path of dist/recorder.js inside the installed extension. */
  readonly recorderPath: string;
  /** flightRecorder.snapshotDirectory resolved (${workspaceFolder}, ~) for a folder. */
  snapshotDirectory(folder?: vscode.WorkspaceFolder): string;
  /**
   * Environment that preloads the recorder: NODE_OPTIONS with `--require <recorder>` prepended
   * to `existingNodeOptions`, and FLIGHT_RECORDER with the settings merged with `overrides`.
   */
  recorderEnvironment(options?: { overrides?: RecorderOptions; folder?: vscode.WorkspaceFolder; existingNodeOptions?: string }): Record<string, string>;
  /** Recorded processes of this user on this machine (stale entries skipped). */
  listProcesses(): Promise<RegistryEntry[]>;
  status(pid: number): Promise<RecorderStatus>;
  /** Asks a recorded process for a snapshot; resolves with the written file's path. */
  captureSnapshot(pid: number, options: { reason: string; out?: string; source?: string; location?: string }): Promise<CapturedSnapshot>;
  /** Opens a snapshot in the timeline editor (optionally marking a moment, e.g. a breakpoint stop). */
  openSnapshot(uri: vscode.Uri, options?: { mark?: { ts: number; label: string }; viewColumn?: vscode.ViewColumn; preserveFocus?: boolean }): Promise<void>;
  /** Fires for every snapshot the extension learns about (captured, or seen in the snapshot folder). */
  readonly onDidCaptureSnapshot: vscode.Event<CapturedSnapshot>;
  notifySnapshot(snapshot: CapturedSnapshot): void;
}
