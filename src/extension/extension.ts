// Entry of dist/extension.js. Activation only registers (commands, views, the custom editor,
// status bar items): nothing is read, listed or watched until a feature is used, so it stays
// far below the 50 ms budget. Activation events are the manifest's commands, views, custom
// editor and debug resolution.
import * as vscode from 'vscode';
import { attach } from './commands/attach';
import { capture } from './commands/capture';
import { runFile, runScript } from './commands/run';
import { deleteSnapshot, openSnapshot, openSnapshotItem, revealSnapshot } from './commands/snapshots';
import { TerminalRecording } from './commands/terminal-recording';
import { createControlPort } from './control';
import { registerDebugIntegration } from './debug/register';
import { registerInlineTrace } from './inline/register';
import { RecordedProcesses } from './recorded-processes';
import { RuntimeServices } from './runtime-services';
import type { ExtensionServices } from './services';
import { TimelineEditorProvider } from './timeline/editor-provider';
import { LIVE_VIEW_ID, LiveViewProvider } from './views/live-view';
import { PROCESSES_VIEW_ID, ProcessTreeProvider, type TreeNode } from './views/process-tree';
import { RecorderStatusBar } from './views/status-bar';

/** What activate() returns: used by the end-to-end tests and by other extensions' tests. */
export interface FlightRecorderApi {
  services: ExtensionServices;
  processes: RecordedProcesses;
  terminalRecording: TerminalRecording;
  timeline: TimelineEditorProvider;
  /** Milliseconds activate() took. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): FlightRecorderApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Flight Recorder', { log: true });
  const control = createControlPort();
  const services = new RuntimeServices(context, log, control);
  const processes = new RecordedProcesses(control, log);
  const terminalRecording = new TerminalRecording(services);
  const captureFor = (pid?: number) => void capture(services, processes, pid);
  const { provider: timeline, disposable: timelineRegistration } = TimelineEditorProvider.register(services, captureFor);
  services.postToTimeline = (uri, message) => timeline.post(uri, message);
  const tree = new ProcessTreeProvider(services, processes);
  const treeView = vscode.window.createTreeView<TreeNode>(PROCESSES_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false });
  const live = new LiveViewProvider(services, control, processes, captureFor);
  const statusBar = new RecorderStatusBar(processes, terminalRecording);

  const command = (id: string, handler: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
  context.subscriptions.push(
    log,
    services,
    processes,
    terminalRecording,
    timelineRegistration,
    tree,
    treeView,
    treeView.onDidChangeVisibility((e) => tree.setVisible(e.visible)),
    live,
    vscode.window.registerWebviewViewProvider(LIVE_VIEW_ID, live),
    statusBar,
    registerDebugIntegration(services),
    registerInlineTrace(services),
    command('flightRecorder.runFile', (uri?: vscode.Uri) => runFile(services, uri instanceof vscode.Uri ? uri : undefined)),
    command('flightRecorder.runScript', (name?: string) => runScript(services, typeof name === 'string' ? name : undefined)),
    command('flightRecorder.toggleTerminalRecording', () => terminalRecording.toggle()),
    command('flightRecorder.attach', (pid?: number) => attach(services, processes, typeof pid === 'number' ? pid : undefined)),
    command('flightRecorder.captureSnapshot', (pid?: number) => capture(services, processes, typeof pid === 'number' ? pid : undefined)),
    command('flightRecorder.captureProcess', (node?: TreeNode) => capture(services, processes, node?.kind === 'process' ? node.process.entry.pid : undefined)),
    command('flightRecorder.openSnapshot', (uri?: vscode.Uri) => openSnapshot(services, uri)),
    command('flightRecorder.openSnapshotItem', (node: unknown) => openSnapshotItem(services, node)),
    command('flightRecorder.revealSnapshot', (node: unknown) => revealSnapshot(node)),
    command('flightRecorder.deleteSnapshot', (node: unknown) => deleteSnapshot(services, node)),
    command('flightRecorder.showLive', (pid?: number) => live.show(typeof pid === 'number' ? pid : undefined)),
    command('flightRecorder.refresh', () => processes.refresh().then(() => tree.refresh())),
  );
  if (treeView.visible) tree.setVisible(true);
  // The status bar needs to know when a recorded process appears; watching the registry is
  // one inotify watch, started after activation returns.
  setTimeout(() => processes.start(), 0);

  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { services, processes, terminalRecording, timeline, activationMs };
}

export function deactivate(): void {}
