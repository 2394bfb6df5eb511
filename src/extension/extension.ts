// Entry of dist/extension.js. Activation only registers (commands, views, the custom editor,
// status bar items): nothing is read, listed or watched until a feature is used, so it stays
// far below the 50 ms budget. Activation events are the manifest's commands, views, custom
// editor and debug resolution.
//
// What a command needs beyond registration is loaded when it first runs: the command modules
// (and through them `node:child_process`, `node:http`, `node:net`, `node:crypto`) are dynamic
// imports, which esbuild keeps in the one bundle but evaluates only on first use. Importing
// them here would compile those Node built-ins on every activation (a third of its cost
// outside VS Code, see docs/benchmarks.md).
import * as vscode from 'vscode';
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

const runCommands = () => import('./commands/run');
const attachCommand = () => import('./commands/attach');
const captureCommand = () => import('./commands/capture');
const snapshotCommands = () => import('./commands/snapshots');

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
  // process.hrtime, not performance.now(): the `performance` global loads node:perf_hooks on
  // first use, which would be the dearest line of activate() outside VS Code.
  const startedNs = process.hrtime.bigint();
  const log = vscode.window.createOutputChannel('Flight Recorder', { log: true });
  const control = createControlPort();
  const services = new RuntimeServices(context, log, control);
  const processes = new RecordedProcesses(control, log);
  const terminalRecording = new TerminalRecording(services);
  const captureFor = (pid?: number) => {
    captureCommand()
      .then(({ capture }) => capture(services, processes, pid))
      .catch((error: unknown) => log.error(`capture: ${error instanceof Error ? error.message : String(error)}`));
  };
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
    command('flightRecorder.runFile', async (uri?: vscode.Uri) => (await runCommands()).runFile(services, uri instanceof vscode.Uri ? uri : undefined)),
    command('flightRecorder.runScript', async (name?: string) => (await runCommands()).runScript(services, typeof name === 'string' ? name : undefined)),
    command('flightRecorder.toggleTerminalRecording', () => terminalRecording.toggle()),
    command('flightRecorder.attach', async (pid?: number) => (await attachCommand()).attach(services, processes, typeof pid === 'number' ? pid : undefined)),
    command('flightRecorder.captureSnapshot', async (pid?: number) => (await captureCommand()).capture(services, processes, typeof pid === 'number' ? pid : undefined)),
    command('flightRecorder.captureProcess', async (node?: TreeNode) => (await captureCommand()).capture(services, processes, node?.kind === 'process' ? node.process.entry.pid : undefined)),
    command('flightRecorder.openSnapshot', async (uri?: vscode.Uri) => (await snapshotCommands()).openSnapshot(services, uri)),
    command('flightRecorder.openSnapshotItem', async (node: unknown) => (await snapshotCommands()).openSnapshotItem(services, node)),
    command('flightRecorder.revealSnapshot', async (node: unknown) => (await snapshotCommands()).revealSnapshot(node)),
    command('flightRecorder.deleteSnapshot', async (node: unknown) => (await snapshotCommands()).deleteSnapshot(services, node)),
    command('flightRecorder.showLive', (pid?: number) => live.show(typeof pid === 'number' ? pid : undefined)),
    command('flightRecorder.refresh', () => processes.refresh().then(() => tree.refresh())),
  );
  if (treeView.visible) tree.setVisible(true);
  // The status bar needs to know when a recorded process appears; watching the registry is
  // one inotify watch, started after activation returns.
  setTimeout(() => processes.start(), 0);

  const activationMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { services, processes, terminalRecording, timeline, activationMs };
}

export function deactivate(): void {}
