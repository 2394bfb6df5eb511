// Messages between the viewer (webview or browser tab) and its host (VS Code extension or
// `cli view`). One union per direction, discriminated by `type`; a side that receives a
// message it does not know logs and drops it.
import type { StackFrame } from './stack';

/** What the viewer keeps across reloads (VS Code `setState`, or the URL hash in a browser). */
export interface ViewerState {
  /** Visible range, µs on the trace clock. */
  viewStartTs?: number;
  viewEndTs?: number;
  scrollTopPx?: number;
  /** Index into traceEvents of the selected event. */
  selectedEvent?: number;
  collapsedTracks?: string[];
  filter?: string;
  tab?: string;
}

/** How far loading is, for the loading screen: the browser downloading the file, or a host reading it for its summary. */
export type LoadProgress =
  | { kind: 'download'; receivedBytes: number; totalBytes: number | undefined }
  | { kind: 'summary'; readFraction: number; fileBytes: number };

/** Whether a host's progress report is one the loading screen can show (a share from 0 to 1 of a file's bytes). */
export function isReadProgress(readFraction: unknown, fileBytes: unknown): boolean {
  return typeof readFraction === 'number' && readFraction >= 0 && readFraction <= 1 && typeof fileBytes === 'number' && Number.isSafeInteger(fileBytes) && fileBytes >= 0;
}

/** Bytes [offset, offset + length) of the trace file. */
export interface ByteRange {
  offset: number;
  length: number;
}

export type ViewerToHost =
  | { type: 'ready' }
  /** The event summary could not be used (a sentence why): send the file's text (`init`) instead. */
  | { type: 'needText'; reason: string }
  /** Event lines by byte range, for args the summary left in the file; answered by `bytes`. */
  | { type: 'readBytes'; requestId: number; ranges: ByteRange[] }
  /** Which events with args still in the file match a search needle; answered by `searchResult`. */
  | { type: 'searchArgs'; requestId: number; needle: string }
  /** Open a source location (a stack frame, a span's origin) in the editor. */
  | { type: 'reveal'; frame: StackFrame }
  | { type: 'state'; state: ViewerState }
  | { type: 'error'; message: string }
  /** The viewer asks the host to take a new snapshot of the same process (live sessions). */
  | { type: 'capture' };

export type HostToViewer =
  /** The whole file's text: the viewer parses it (so a hostile file never runs on the host). */
  | { type: 'init'; fileName: string; text: string; state?: ViewerState; mark?: { ts: number; label: string } }
  /**
   * The event summary of the file (src/format/event-summary.ts) instead of its text: the viewer
   * draws from it and asks for args by range (`readBytes`). A viewer that cannot use it answers
   * `needText`.
   */
  | { type: 'summary'; fileName: string; summary: Uint8Array; state?: ViewerState; mark?: { ts: number; label: string } }
  /** The bytes of the ranges of a `readBytes`, in order, or why not. */
  | { type: 'bytes'; requestId: number; bytes?: Uint8Array; error?: string }
  /** Event indices (ascending) answering a `searchArgs`, or why not. */
  | { type: 'searchResult'; requestId: number; indices?: Int32Array; error?: string }
  /**
   * While the host still reads a large file for its summary: the share of the file read (0–1)
   * of its `fileBytes`, for the loading screen. Sent every few hundred ms until `summary`.
   */
  | { type: 'progress'; readFraction: number; fileBytes: number }
  /** Show a load error instead of a timeline. */
  | { type: 'loadError'; fileName: string; message: string }
  /** Select and reveal the event nearest this time (how-did-I-get-here, inline trace). */
  | { type: 'select'; ts: number; pid?: number; tid?: number };
