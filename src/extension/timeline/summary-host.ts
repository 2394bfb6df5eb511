// The timeline editor's side of the summary path (the same as `cli view`'s): instead of posting
// a snapshot's whole text to the webview, post its event summary (src/format/event-summary.ts)
// and answer the webview's requests for byte ranges and args searches from the file. One cache
// per open file, dropped when its last panel closes. Files that have no summary (not our
// writer's layout, damaged, not on disk) take the text path as before.
import type * as vscode from 'vscode';
import { FileChangedError, TraceSummaryCache } from '../../client/trace-summary';
import { concatBytes } from '../../format/snapshot-lines';
import type { ByteRange, HostToViewer } from '../../format/viewer-protocol';

export class TimelineSummaries {
  private readonly caches = new Map<string, TraceSummaryCache>();

  /** The summary of a file on disk as one buffer, or undefined (post the text instead). */
  async summaryOf(uri: vscode.Uri): Promise<Uint8Array | undefined> {
    if (uri.scheme !== 'file') return undefined;
    const outcome = await this.cacheOf(uri).get();
    if (!('summary' in outcome)) return undefined;
    // A summary is always several pieces (header, sections), so this is a buffer of its own.
    return concatBytes(outcome.summary.pieces, outcome.summary.byteLength);
  }

  /** How far the summary of `uri` being built has read the file (undefined: none under way). */
  readProgress(uri: vscode.Uri): { readFraction: number; fileBytes: number } | undefined {
    return this.caches.get(uri.toString())?.readProgress();
  }

  async readBytes(uri: vscode.Uri, requestId: number, ranges: ByteRange[]): Promise<HostToViewer> {
    try {
      return { type: 'bytes', requestId, bytes: await this.cacheOf(uri).readRanges(ranges) };
    } catch (error) {
      return { type: 'bytes', requestId, error: describe(error) };
    }
  }

  async searchArgs(uri: vscode.Uri, requestId: number, needle: string): Promise<HostToViewer> {
    try {
      return { type: 'searchResult', requestId, indices: await this.cacheOf(uri).searchArgs(needle) };
    } catch (error) {
      return { type: 'searchResult', requestId, error: describe(error) };
    }
  }

  /** The file's last panel closed: its summary is not needed any more. */
  release(uri: vscode.Uri): void {
    this.caches.delete(uri.toString());
  }

  private cacheOf(uri: vscode.Uri): TraceSummaryCache {
    let cache = this.caches.get(uri.toString());
    if (!cache) this.caches.set(uri.toString(), (cache = new TraceSummaryCache(uri.fsPath)));
    return cache;
  }
}

function describe(error: unknown): string {
  if (error instanceof FileChangedError) return error.message;
  return `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
}
