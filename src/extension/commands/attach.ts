// flightRecorder.attach: pick a running Node process (pid + command line), load the recorder
// into it through its inspector, and wait until it shows up in the registry like a launched one.
import * as vscode from 'vscode';
import { CONFIG_ENV } from '../../format/config';
import { AttachError, attachRecorder } from '../attach/attach-recorder';
import { listNodeProcesses, type NodeProcess } from '../attach/node-processes';
import type { RecordedProcesses } from '../recorded-processes';
import type { ExtensionServices } from '../services';

const REGISTER_TIMEOUT_MS = 10_000;

export async function attach(services: ExtensionServices, processes: RecordedProcesses, pidArgument?: number): Promise<number | undefined> {
  if (process.platform === 'win32') {
    void vscode.window.showErrorMessage('Flight Recorder: attaching to a running process is not supported on Windows yet. Start the program with "Run Current File with Recorder" or "Run npm Script with Recorder".');
    return undefined;
  }
  processes.start();
  await processes.refresh();
  const recorded = new Set(processes.all.map((p) => p.entry.pid));
  let pid = pidArgument;
  if (pid === undefined) {
    const candidates = await listNodeProcesses([process.pid]);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage('Flight Recorder: no Node process of yours is running.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((candidate) => processItem(candidate, recorded.has(candidate.pid))),
      { title: 'Attach Recorder to Node Process', placeHolder: 'Type a pid or part of the command line', matchOnDescription: true, matchOnDetail: true },
    );
    if (!picked) return undefined;
    pid = picked.pid;
  }
  if (recorded.has(pid)) {
    void vscode.window.showInformationMessage(`Flight Recorder: process ${pid} is already recorded.`);
    return pid;
  }
  const target = pid;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Flight Recorder: attaching to process ${target}…` }, async () => {
      const env = services.recorderEnvironment();
      const result = await attachRecorder({
        pid: target,
        recorderPath: services.recorderPath,
        configJson: env[CONFIG_ENV] ?? '{}',
        log: (line) => services.log.info(line),
      });
      services.log.info(`attach: ${target}: recorder ${result.outcome} (inspector port ${result.inspectorPort}${result.closedInspector ? ', closed again' : ''})`);
      await waitForRegistration(processes, target);
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    services.log.error(`attach: ${target}: ${message}`);
    const hint = error instanceof AttachError && error.code === 'permission' ? ' You can only attach to your own processes.' : '';
    void vscode.window.showErrorMessage(`Flight Recorder: could not attach to process ${target}: ${message}.${hint}`);
    return undefined;
  }
  void vscode.window.showInformationMessage(`Flight Recorder: recording process ${target}.`);
  return target;
}

function processItem(candidate: NodeProcess, recorded: boolean): vscode.QuickPickItem & { pid: number } {
  const script = candidate.argv.slice(1).find((arg) => !arg.startsWith('-')) ?? candidate.argv[0] ?? 'node';
  return {
    label: `${candidate.pid}`,
    description: script + (recorded ? '  (already recorded)' : ''),
    detail: candidate.argv.join(' '),
    pid: candidate.pid,
  };
}

async function waitForRegistration(processes: RecordedProcesses, pid: number): Promise<void> {
  const deadline = Date.now() + REGISTER_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await processes.refresh();
    if (processes.all.some((p) => p.entry.pid === pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the recorder loaded but the process did not register within ${REGISTER_TIMEOUT_MS / 1000} s`);
}
