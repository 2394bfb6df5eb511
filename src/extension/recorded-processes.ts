// The recorded processes of this user, kept current for the tree, the status bar, the live
// view and the capture command. Cheap by construction: the registry directory is watched
// (inotify, no polling) and a light re-list runs every few seconds only while a process is
// listed (to notice ones killed with -9); per-process status is fetched only while the tree is
// visible (`setDetailed`).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RecorderStatus, RegistryEntry } from '../format/control';
import type { ControlPort } from './control';
import { withDeadline } from './deadline';

export interface RecordedProcess {
  entry: RegistryEntry;
  /** Undefined until fetched (only while details are wanted), or when the process did not answer. */
  status?: RecorderStatus;
  statusError?: string;
}

const RELIST_INTERVAL_MS = 5_000;
const DETAILED_INTERVAL_MS = 2_000;
const STATUS_TIMEOUT_MS = 1_500;

export class RecordedProcesses implements vscode.Disposable {
  private processes: RecordedProcess[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private detailedUsers = 0;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private started = false;
  private disposed = false;

  constructor(private readonly control: ControlPort, private readonly log: vscode.LogOutputChannel) {}

  get all(): readonly RecordedProcess[] {
    return this.processes;
  }

  /** Starts watching (idempotent). Called on first use, never during activation itself. */
  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.watchRegistry();
    void this.refresh();
  }

  /** While at least one caller wants details (the tree is visible), statuses are polled. */
  setDetailed(wanted: boolean): void {
    this.detailedUsers = Math.max(0, this.detailedUsers + (wanted ? 1 : -1));
    this.start();
    void this.refresh();
  }

  /** Re-lists now; concurrent calls coalesce into one extra run. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.load();
      } while (this.refreshAgain && !this.disposed);
    })().finally(() => {
      this.refreshing = undefined;
      this.schedule();
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    let entries: RegistryEntry[];
    try {
      entries = await this.control.list();
    } catch (error) {
      this.log.warn(`processes: listing failed: ${error instanceof Error ? error.message : String(error)}`);
      entries = [];
    }
    entries.sort((a, b) => a.startTime.localeCompare(b.startTime) || a.pid - b.pid);
    const previous = new Map(this.processes.map((p) => [p.entry.pid, p]));
    const next: RecordedProcess[] = await Promise.all(
      entries.map(async (entry): Promise<RecordedProcess> => {
        if (this.detailedUsers === 0) return { entry, status: previous.get(entry.pid)?.status };
        try {
          return { entry, status: await withDeadline(this.control.status(entry.pid), STATUS_TIMEOUT_MS, `no answer within ${STATUS_TIMEOUT_MS} ms`) };
        } catch (error) {
          return { entry, statusError: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    if (this.disposed) return;
    const before = JSON.stringify(this.processes);
    this.processes = next;
    if (JSON.stringify(next) !== before) this.changed.fire();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    const interval = this.detailedUsers > 0 ? DETAILED_INTERVAL_MS : this.processes.length > 0 ? RELIST_INTERVAL_MS : undefined;
    if (interval === undefined) return;
    this.timer = setTimeout(() => void this.refresh(), interval);
    this.timer.unref?.();
  }

  private watchRegistry(): void {
    let dir: string;
    try {
      dir = this.control.registryDirectory();
      this.watcher = fs.watch(dir, { persistent: false }, () => {
        // Bursts (json + sock written together) coalesce in refresh().
        void this.refresh();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch (error) {
      this.log.warn(`processes: cannot watch the registry: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    this.changed.dispose();
  }
}
