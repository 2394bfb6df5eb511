// flightRecorder.captureSnapshot / captureProcess: ask a recorded process for a snapshot of its
// last seconds, with a progress notification; the file lands in flightRecorder.snapshotDirectory
// and opens in the timeline unless flightRecorder.openAfterCapture is off.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryEntry } from '../../format/control';
import type { RecordedProcesses } from '../recorded-processes';
import type { CapturedSnapshot, ExtensionServices } from '../services';
import * as settings from '../settings';
import { withDeadline } from '../deadline';

const CAPTURE_TIMEOUT_MS = 30_000;

export function describeProcess(entry: RegistryEntry): { label: string; description: string; detail: string } {
  return {
    label: entry.programName || path.basename(entry.argv[1] ?? entry.argv[0] ?? 'node'),
    description: `pid ${entry.pid}`,
    detail: entry.argv.join(' '),
  };
}

export async function pickProcess(processes: RecordedProcesses, title: string): Promise<RegistryEntry | undefined> {
  processes.start();
  await processes.refresh();
  const entries = processes.all.map((p) => p.entry);
  if (entries.length === 0) {
    const run = 'Run Current File with Recorder';
    const attach = 'Attach to a Node Process';
    const choice = await vscode.window.showWarningMessage('Flight Recorder: no process is being recorded.', run, attach);
    if (choice === run) void vscode.commands.executeCommand('flightRecorder.runFile');
    if (choice === attach) void vscode.commands.executeCommand('flightRecorder.attach');
    return undefined;
  }
  if (entries.length === 1) return entries[0];
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({ ...describeProcess(entry), entry })),
    { title, placeHolder: 'Which recorded process?', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.entry;
}

function folderOf(entry: RegistryEntry): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(entry.cwd)) ?? settings.defaultFolder();
}

export async function capture(services: ExtensionServices, processes: RecordedProcesses, pid?: number): Promise<CapturedSnapshot | undefined> {
  let entry: RegistryEntry | undefined;
  if (pid !== undefined) {
    await processes.refresh();
    entry = processes.all.find((p) => p.entry.pid === pid)?.entry;
    if (!entry) {
      void vscode.window.showErrorMessage(`Flight Recorder: process ${pid} is not recorded (or has exited).`);
      return undefined;
    }
  } else {
    entry = await pickProcess(processes, 'Capture Snapshot');
  }
  if (!entry) return undefined;
  const target = entry;
  const { label } = describeProcess(target);
  let captured: CapturedSnapshot;
  try {
    captured = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Flight Recorder: capturing ${label} (pid ${target.pid})…` },
      () => withDeadline(services.captureSnapshot(target.pid, { reason: 'manual', out: services.snapshotDirectory(folderOf(target)) }), CAPTURE_TIMEOUT_MS, `no snapshot within ${CAPTURE_TIMEOUT_MS / 1000} s (the process may be stuck or gone)`),
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    services.log.error(`capture of ${target.pid} failed: ${message}`);
    void vscode.window.showErrorMessage(`Flight Recorder: could not capture ${label} (pid ${target.pid}): ${message}`);
    return undefined;
  }
  void processes.refresh();
  const uri = vscode.Uri.file(captured.path);
  if (settings.openAfterCapture()) {
    await services.openSnapshot(uri);
  } else {
    void vscode.window.showInformationMessage(`Flight Recorder: snapshot saved to ${captured.path}`, 'Open').then((choice) => {
      if (choice) void services.openSnapshot(uri);
    });
  }
  return captured;
}
