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

export type ViewerToHost =
  | { type: 'ready' }
  /** Open a source location (a stack frame, a span's origin) in the editor. */
  | { type: 'reveal'; frame: StackFrame }
  | { type: 'state'; state: ViewerState }
  | { type: 'error'; message: string }
  /** The viewer asks the host to take a new snapshot of the same process (live sessions). */
  | { type: 'capture' };

export type HostToViewer =
  /** The whole file's text: the viewer parses it (so a hostile file never runs on the host). */
  | { type: 'init'; fileName: string; text: string; state?: ViewerState; mark?: { ts: number; label: string } }
  /** Show a load error instead of a timeline. */
  | { type: 'loadError'; fileName: string; message: string }
  /** Select and reveal the event nearest this time (how-did-I-get-here, inline trace). */
  | { type: 'select'; ts: number; pid?: number; tid?: number };
