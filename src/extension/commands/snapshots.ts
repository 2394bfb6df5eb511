// flightRecorder.openSnapshot (file picker, or the explorer's file), and the tree's snapshot
// actions: open, reveal, delete.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import type { SnapshotFile } from '../snapshot-files';

export async function openSnapshot(services: ExtensionServices, uri?: vscode.Uri): Promise<void> {
  let target = uri instanceof vscode.Uri ? uri : undefined;
  if (!target) {
    const defaultDir = services.snapshotDirectory();
    const picked = await vscode.window.showOpenDialog({
      title: 'Open Snapshot',
      canSelectMany: false,
      defaultUri: vscode.Uri.file(defaultDir),
      openLabel: 'Open in Timeline',
      filters: { 'Snapshots and traces': ['json', 'cpuprofile'], 'All files': ['*'] },
    });
    target = picked?.[0];
  }
  if (target) await services.openSnapshot(target);
}

/** Tree nodes carry a SnapshotFile; commands from elsewhere may pass a Uri. */
function fileOf(node: unknown): string | undefined {
  if (node instanceof vscode.Uri) return node.fsPath;
  const file = (node as { file?: SnapshotFile } | undefined)?.file;
  return typeof file?.path === 'string' ? file.path : undefined;
}

export async function openSnapshotItem(services: ExtensionServices, node: unknown): Promise<void> {
  const file = fileOf(node);
  if (file) await services.openSnapshot(vscode.Uri.file(file));
}

export async function revealSnapshot(node: unknown): Promise<void> {
  const file = fileOf(node);
  if (!file) return;
  const uri = vscode.Uri.file(file);
  // Inside the workspace the Explorer shows it (also in remote windows); else the OS's file manager.
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

export async function deleteSnapshot(services: ExtensionServices, node: unknown, options: { confirm?: boolean } = {}): Promise<boolean> {
  const file = fileOf(node);
  if (!file) return false;
  if (options.confirm !== false) {
    const choice = await vscode.window.showWarningMessage(`Delete the snapshot ${path.basename(file)}?`, { modal: true }, 'Delete');
    if (choice !== 'Delete') return false;
  }
  const uri = vscode.Uri.file(file);
  try {
    await vscode.workspace.fs.delete(uri, { useTrash: true });
  } catch {
    await vscode.workspace.fs.delete(uri, { useTrash: false });
  }
  services.log.info(`deleted ${file}`);
  return true;
}
