// The live webview view (`flightRecorder.live`, in the panel): event-loop delay, heap and
// request rate of the selected recorded process, about once a second from the control
// channel's `live` request, with a capture button. Polls only while the view is visible. Its
// page (and `node:crypto` for the nonce) is loaded when the view is first shown.
import * as vscode from 'vscode';
import type { ControlPort } from '../control';
import type { RecordedProcesses } from '../recorded-processes';
import type { ExtensionServices } from '../services';
import { parseLiveMessage } from './live-message';

export const LIVE_VIEW_ID = 'flightRecorder.live';
const INTERVAL_MS = 1000;

export class LiveViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private timer: NodeJS.Timeout | undefined;
  private selectedPid: number | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private inFlight = false;

  constructor(
    private readonly services: ExtensionServices,
    private readonly control: ControlPort,
    private readonly processes: RecordedProcesses,
    private readonly capture: (pid: number) => void,
  ) {
    this.disposables.push(processes.onDidChange(() => this.sendProcesses()));
  }

  /** Shows the view, optionally for a given process. */
  async show(pid?: number): Promise<void> {
    if (pid !== undefined) this.selectedPid = pid;
    await vscode.commands.executeCommand(`${LIVE_VIEW_ID}.focus`);
    this.sendProcesses();
  }

  resolveWebviewView(view: vscode.WebviewView): Promise<void> {
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [] };
    const page = import('./live-html').then(({ liveHtml }) => {
      view.webview.html = liveHtml(view.webview.cspSource);
    });
    this.processes.start();
    const subscriptions = [
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseLiveMessage(raw);
        if (!message) return;
        if (message.type === 'ready') {
          if (this.selectedPid === undefined && message.pid !== undefined) this.selectedPid = message.pid;
          this.sendProcesses();
          this.tick();
        } else if (message.type === 'select') {
          this.selectedPid = message.pid;
          this.sendProcesses();
          this.tick();
        } else if (this.selectedPid !== undefined) {
          this.capture(this.selectedPid);
        }
      }),
      view.onDidChangeVisibility(() => this.schedule()),
    ];
    view.onDidDispose(() => {
      for (const s of subscriptions) s.dispose();
      this.view = undefined;
      this.schedule();
    });
    this.schedule();
    return page;
  }

  private schedule(): void {
    const wanted = Boolean(this.view?.visible);
    if (wanted && !this.timer) {
      this.timer = setInterval(() => this.tick(), INTERVAL_MS);
      void this.processes.refresh();
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private sendProcesses(): void {
    if (!this.view) return;
    const all = this.processes.all;
    if (this.selectedPid === undefined || !all.some((p) => p.entry.pid === this.selectedPid)) this.selectedPid = all.at(-1)?.entry.pid;
    void this.view.webview.postMessage({
      type: 'processes',
      processes: all.map((p) => ({ pid: p.entry.pid, label: `${p.entry.programName} (pid ${p.entry.pid})` })),
      selectedPid: this.selectedPid,
    });
  }

  private tick(): void {
    const view = this.view;
    const pid = this.selectedPid;
    if (!view || pid === undefined || this.inFlight) return;
    this.inFlight = true;
    this.control.live(pid).then(
      (metrics) => void view.webview.postMessage({ type: 'metrics', pid, metrics }),
      (error: unknown) => {
        this.services.log.debug(`live: ${pid}: ${error instanceof Error ? error.message : String(error)}`);
        void view.webview.postMessage({ type: 'error', pid, message: error instanceof Error ? error.message : String(error) });
      },
    ).finally(() => {
      this.inFlight = false;
    });
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
