// "How did I get here": when a recorded program stops at a breakpoint, the timeline of the
// seconds before the stop opens beside the editor (focus stays in the code), with the stop
// marked and the request being served named in the mark. At the next stop the new snapshot
// replaces the previous one, so one panel follows the session instead of a tab per stop.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { Snapshot } from '../../format/snapshot';
import type { ExtensionServices } from '../services';
import type { BreakpointCapture } from './breakpoint-snapshot';
import { stopContext, stopLabel } from './stop-context';

/** Snapshots larger than this are opened without reading them here (no request highlight). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

function tabOf(uri: vscode.Uri): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const input = tab.input;
      if (input instanceof vscode.TabInputCustom && input.uri.toString() === uri.toString()) return tab;
    }
  }
  return undefined;
}

export class HowDidIGetHere implements vscode.Disposable {
  private previous: vscode.Uri | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly services: ExtensionServices,
    onDidCapture: vscode.Event<BreakpointCapture>,
  ) {
    this.subscription = onDidCapture((capture) => void this.show(capture));
  }

  private async show({ snapshot, location }: BreakpointCapture): Promise<void> {
    try {
      const uri = vscode.Uri.file(snapshot.path);
      let mark = { ts: 0, label: stopLabel(location, { ts: 0 }) };
      const stat = await fs.stat(snapshot.path);
      if (stat.size <= MAX_READ_BYTES) {
        const parsed = JSON.parse(await fs.readFile(snapshot.path, 'utf8')) as Snapshot;
        const context = stopContext(parsed);
        mark = { ts: context.ts, label: stopLabel(location, context) };
      }
      await this.services.openSnapshot(uri, { mark, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
      this.services.log.info(`debug: the timeline of the stop is open beside the editor (${mark.label})`);
      const stale = this.previous;
      this.previous = uri;
      if (stale && stale.toString() !== uri.toString()) {
        const tab = tabOf(stale);
        if (tab) await vscode.window.tabGroups.close(tab, true);
      }
    } catch (error) {
      this.services.log.warn(`debug: could not show the timeline of the stop: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
