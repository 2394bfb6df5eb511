// Status bar: one item while a process is recorded (click = capture), one while terminal
// recording is on (click = turn it off).
import * as vscode from 'vscode';
import type { TerminalRecording } from '../commands/terminal-recording';
import type { RecordedProcesses } from '../recorded-processes';
import { blockedIn, formatBlocked } from './process-tree';

export class RecorderStatusBar implements vscode.Disposable {
  private readonly processItem = vscode.window.createStatusBarItem('flightRecorder.processes', vscode.StatusBarAlignment.Left, 10);
  private readonly terminalItem = vscode.window.createStatusBarItem('flightRecorder.terminal', vscode.StatusBarAlignment.Left, 9);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly processes: RecordedProcesses, private readonly terminal: TerminalRecording) {
    this.processItem.name = 'Flight Recorder';
    this.processItem.command = 'flightRecorder.captureSnapshot';
    this.terminalItem.name = 'Flight Recorder Terminal Recording';
    this.terminalItem.command = 'flightRecorder.toggleTerminalRecording';
    this.disposables.push(processes.onDidChange(() => this.update()), terminal.onDidChange(() => this.update()));
    this.update();
  }

  update(): void {
    const all = this.processes.all;
    if (all.length === 0) {
      this.processItem.hide();
    } else {
      const only = all.length === 1 ? all[0] : undefined;
      // A process whose main thread is blocked (known while statuses are polled: the tree is
      // open) is what the item says first; a click captures where it is stuck.
      const hung = all.find((p) => p.status?.mainLoopBlockedMs !== undefined);
      if (hung) {
        const blocked = `${hung.entry.programName} (${hung.entry.pid}): main thread blocked ${formatBlocked(hung.status!.mainLoopBlockedMs!)}${blockedIn(hung.status!)}`;
        this.processItem.text = `$(warning) ${blocked}`;
        this.processItem.tooltip = `Flight Recorder: ${blocked}. Click to capture a snapshot of where it is stuck.`;
        this.processItem.accessibilityInformation = { label: `Flight Recorder: ${blocked}; capture snapshot` };
        this.processItem.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      } else {
        this.processItem.text = only ? `$(record) ${only.entry.programName} (${only.entry.pid})` : `$(record) ${all.length} recorded`;
        this.processItem.tooltip = `Flight Recorder: recording ${all.map((p) => `${p.entry.programName} (pid ${p.entry.pid})`).join(', ')}. Click to capture a snapshot.`;
        this.processItem.accessibilityInformation = { label: `Flight Recorder: recording ${all.map((p) => `${p.entry.programName} pid ${p.entry.pid}`).join(', ')}; capture snapshot` };
        this.processItem.backgroundColor = undefined;
      }
      this.processItem.show();
    }
    if (this.terminal.enabled) {
      this.terminalItem.text = '$(terminal) Recording terminals';
      this.terminalItem.tooltip = 'Flight Recorder: every node started in a new integrated terminal is recorded. Click to turn off.';
      this.terminalItem.accessibilityInformation = { label: 'Flight Recorder: terminal recording on; click to turn off' };
      this.terminalItem.show();
    } else {
      this.terminalItem.hide();
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.processItem.dispose();
    this.terminalItem.dispose();
  }
}
