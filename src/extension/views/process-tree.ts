// The "Flight Recorder" tree in Run and Debug: recorded processes (pid, program, uptime, buffer
// fill, state) with their snapshots, and the snapshot folder's files (time, reason). Statuses
// are polled only while the view is visible; snapshot folders are watched only then too.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecorderStatus } from '../../format/control';
import { shortFrameLabel } from '../../format/stack';
import type { RecordedProcess, RecordedProcesses } from '../recorded-processes';
import type { ExtensionServices } from '../services';
import { formatBinaryBytes } from '../../format/byte-size';
import { formatDuration, listSnapshotFiles, type SnapshotFile } from '../snapshot-files';

export const PROCESSES_VIEW_ID = 'flightRecorder.processes';

export type TreeNode =
  | { kind: 'process'; process: RecordedProcess; snapshots: SnapshotFile[] }
  | { kind: 'snapshots'; dir: string; files: SnapshotFile[] }
  | { kind: 'snapshot'; file: SnapshotFile };

export class ProcessTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private folderWatchers: vscode.Disposable[] = [];
  private visible = false;

  constructor(private readonly services: ExtensionServices, private readonly processes: RecordedProcesses) {
    this.disposables.push(processes.onDidChange(() => this.refresh()));
    this.disposables.push(services.onDidCaptureSnapshot(() => this.refresh()));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('flightRecorder.snapshotDirectory')) {
        this.watchFolders();
        this.refresh();
      }
    }));
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    this.processes.setDetailed(visible);
    if (visible) {
      this.watchFolders();
      this.refresh();
    } else {
      for (const w of this.folderWatchers) w.dispose();
      this.folderWatchers = [];
    }
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  private snapshotDirs(): string[] {
    const dirs = new Set<string>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) dirs.add(this.services.snapshotDirectory(folder));
    if (dirs.size === 0) dirs.add(this.services.snapshotDirectory());
    for (const p of this.processes.all) if (p.entry.out) dirs.add(p.entry.out);
    return [...dirs];
  }

  private watchFolders(): void {
    for (const w of this.folderWatchers) w.dispose();
    this.folderWatchers = this.snapshotDirs().map((dir) => {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*.nodetrace.json'));
      const refresh = () => this.refresh();
      watcher.onDidCreate(refresh);
      watcher.onDidDelete(refresh);
      return watcher;
    });
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node?.kind === 'process') return node.snapshots.map((file) => ({ kind: 'snapshot', file }));
    if (node?.kind === 'snapshots') return node.files.map((file) => ({ kind: 'snapshot', file }));
    if (node) return [];
    this.processes.start();
    const dirs = this.snapshotDirs();
    const files = (await Promise.all(dirs.map((dir) => listSnapshotFiles(dir)))).flat();
    const unique = [...new Map(files.map((f) => [f.path, f])).values()].sort((a, b) => b.time.getTime() - a.time.getTime());
    const nodes: TreeNode[] = this.processes.all.map((process) => ({
      kind: 'process',
      process,
      snapshots: unique.filter((f) => f.pid === process.entry.pid),
    }));
    // With no process and no snapshot the welcome content shows instead.
    if (unique.length > 0) nodes.push({ kind: 'snapshots', dir: dirs[0] ?? '', files: unique });
    return nodes;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'process':
        return processItem(node);
      case 'snapshots': {
        const item = new vscode.TreeItem('Snapshots', vscode.TreeItemCollapsibleState.Expanded);
        item.description = `${node.files.length} in ${vscode.workspace.asRelativePath(node.dir)}`;
        item.iconPath = new vscode.ThemeIcon('history');
        item.contextValue = 'snapshots';
        item.id = 'snapshots';
        return item;
      }
      case 'snapshot':
        return snapshotItem(node.file);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const w of this.folderWatchers) w.dispose();
    this.changed.dispose();
  }
}

/** ` in fn file:line` where a blocked main thread was, when the recorder could tell, or ''. */
export function blockedIn(status: RecorderStatus): string {
  return status.mainLoopBlockedIn ? ` in ${shortFrameLabel(status.mainLoopBlockedIn)}` : '';
}

/** A block's length as the row shows it: tenths of a second under a minute. */
export function formatBlocked(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms);
}

function processItem(node: Extract<TreeNode, { kind: 'process' }>): vscode.TreeItem {
  const { entry, status, statusError } = node.process;
  const item = new vscode.TreeItem(entry.programName || path.basename(entry.argv[1] ?? 'node'), node.snapshots.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `process-${entry.pid}-${entry.startTime}`;
  const parts = [`pid ${entry.pid}`];
  if (status) {
    parts.push(`up ${formatDuration(status.uptimeMs)}`);
    parts.push(`buffer ${Math.round((100 * status.usedBytes) / Math.max(1, status.maxBytes))}%`);
    parts.push(status.state);
    // A hung program: what the user most needs to see in its row.
    if (status.mainLoopBlockedMs !== undefined) parts.push(`main thread blocked ${formatBlocked(status.mainLoopBlockedMs)}${blockedIn(status)}`);
  } else if (statusError) {
    parts.push('not answering');
  } else {
    parts.push(`up ${formatDuration(Date.now() - Date.parse(entry.startTime))}`);
  }
  item.description = parts.join(' · ');
  item.accessibilityInformation = { label: `${item.label as string}, ${parts.join(', ')}` };
  item.contextValue = 'process';
  item.iconPath = status?.mainLoopBlockedMs !== undefined
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
    : new vscode.ThemeIcon(status?.state === 'busy' ? 'loading~spin' : 'record', new vscode.ThemeColor(statusError ? 'disabledForeground' : 'debugIcon.breakpointForeground'));
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(entry.programName)}** — pid ${entry.pid}\n\n`);
  tooltip.appendCodeblock(entry.argv.join(' '), 'shellscript');
  tooltip.appendMarkdown(`\n\ncwd: \`${escapeMarkdown(entry.cwd)}\`  \nNode ${escapeMarkdown(entry.nodeVersion)} · recorder ${escapeMarkdown(entry.recorderVersion)}  \nstarted ${new Date(entry.startTime).toLocaleString()}`);
  if (status) {
    tooltip.appendMarkdown(`  \nbuffer ${formatBinaryBytes(status.usedBytes)} of ${formatBinaryBytes(status.maxBytes)} · ${status.eventCount} events · window ${formatDuration(status.windowMs)} · dropped ${status.droppedEvents}`);
    tooltip.appendMarkdown(`  \nsnapshots written ${status.snapshotsWritten}${status.hookErrors ? ` · hook errors ${status.hookErrors}` : ''}`);
  }
  if (statusError) tooltip.appendMarkdown(`  \n$(warning) ${escapeMarkdown(statusError)}`);
  item.tooltip = tooltip;
  return item;
}

function snapshotItem(file: SnapshotFile): vscode.TreeItem {
  const item = new vscode.TreeItem(file.time.toLocaleTimeString(), vscode.TreeItemCollapsibleState.None);
  item.description = [file.reason, file.pid ? `${file.programName} (${file.pid})` : file.programName, formatBinaryBytes(file.bytes)].filter(Boolean).join(' · ');
  item.accessibilityInformation = { label: `snapshot ${path.basename(file.path)}, ${file.reason}` };
  item.resourceUri = vscode.Uri.file(file.path);
  item.tooltip = `${file.path}\n${file.time.toLocaleString()} · ${file.reason}`;
  item.iconPath = new vscode.ThemeIcon('device-camera');
  item.contextValue = 'snapshot';
  item.command = { command: 'flightRecorder.openSnapshotItem', title: 'Open Snapshot', arguments: [{ kind: 'snapshot', file }] };
  return item;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
