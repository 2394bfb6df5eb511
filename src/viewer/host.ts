// The viewer's two hosts behind one interface. In VS Code the webview talks to the extension
// through `acquireVsCodeApi()`; in a browser tab served by `cli view` the "host" is this file:
// it fetches the trace from the page's own server and keeps state in the URL hash. Messages
// follow src/format/viewer-protocol.ts; anything of another shape is logged and dropped.
import type { StackFrame } from '../format/stack';
import type { HostToViewer, ViewerState, ViewerToHost } from '../format/viewer-protocol';
import type { LoadedTrace } from './model/load';
import { concatBytes, StreamingTraceLoader } from './model/stream-load';

/**
 * What a host hands the app: a protocol message, or (browser host only) a trace it already
 * read while downloading, so the file never becomes one string.
 */
export type HostMessage = HostToViewer | { type: 'loaded'; fileName: string; trace: LoadedTrace; state?: ViewerState };

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

export interface Host {
  readonly kind: 'vscode' | 'browser';
  post(message: ViewerToHost): void;
  /**
   * Starts the handshake; `handler` receives every well-formed host message. `onProgress`
   * hears download progress where the viewer fetches the trace itself (the browser).
   */
  start(handler: (message: HostMessage) => void, onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void): void;
  saveState(state: ViewerState): void;
}

export function createHost(onReveal: (frame: StackFrame) => void): Host {
  if (typeof acquireVsCodeApi === 'function') return new VsCodeHost(acquireVsCodeApi());
  return new BrowserHost(onReveal);
}

class VsCodeHost implements Host {
  readonly kind = 'vscode';
  constructor(private readonly api: VsCodeApi) {}

  post(message: ViewerToHost): void {
    this.api.postMessage(message);
  }

  start(handler: (message: HostToViewer) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const message = checkHostMessage(event.data);
      if (!message) return;
      if (message.type === 'init') performance.mark('nfr-text-received');
      if (message.type === 'init' && !message.state) {
        const saved = this.api.getState();
        if (saved && typeof saved === 'object') message.state = saved as ViewerState;
      }
      handler(message);
    });
    this.post({ type: 'ready' });
  }

  saveState(state: ViewerState): void {
    this.api.setState(state);
    this.post({ type: 'state', state });
  }
}

class BrowserHost implements Host {
  readonly kind = 'browser';
  constructor(private readonly onReveal: (frame: StackFrame) => void) {}

  post(message: ViewerToHost): void {
    if (message.type === 'reveal') this.onReveal(message.frame);
    else if (message.type === 'error') console.error(message.message);
  }

  start(handler: (message: HostMessage) => void, onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void): void {
    const traceUrl = document.body.dataset.traceUrl ?? 'trace';
    fetch(traceUrl, { cache: 'no-store' })
      .then(async (response) => {
        const fileName = decodeURIComponent(response.headers.get('x-trace-file-name') ?? traceUrl);
        if (!response.ok) {
          handler({ type: 'loadError', fileName, message: `${fileName}: the server answered ${response.status} ${(await response.text()).slice(0, 300)}` });
          return;
        }
        // Our snapshots are read line by line while they download (stream-load.ts).
        const loader = new StreamingTraceLoader();
        const chunks = await readBody(response, onProgress, (chunk) => loader.feed(chunk));
        performance.mark('nfr-downloaded');
        const trace = loader.active ? loader.finish() : undefined;
        if (trace) {
          performance.mark('nfr-parsed');
          handler({ type: 'loaded', fileName, trace, state: readHashState() });
          return;
        }
        // Not our layout (or damaged): the shared reader reads the whole text and says what is wrong.
        const bytes = concatBytes(chunks);
        // Say "Parsing" and give the browser a task boundary to paint it before the long decode + parse.
        onProgress?.(bytes.length, bytes.length);
        await new Promise((resume) => setTimeout(resume, 0));
        // One decode of one buffer: response.text() took ~10 s for 176 MB in Chromium.
        const text = new TextDecoder().decode(bytes);
        performance.mark('nfr-text-received');
        handler({ type: 'init', fileName, text, state: readHashState() });
      })
      .catch((error: unknown) => {
        handler({ type: 'loadError', fileName: traceUrl, message: `Could not load the trace: ${error instanceof Error ? error.message : String(error)}` });
      });
  }

  saveState(state: ViewerState): void {
    const encoded = encodeURIComponent(JSON.stringify(state));
    history.replaceState(null, '', `#state=${encoded}`);
  }
}

/**
 * Reads the body chunk by chunk into one buffer sized from Content-Length (the `cli view`
 * server always sends it), reporting progress; grows the buffer when the length is unknown.
 */
async function readBody(
  response: Response,
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<Uint8Array[]> {
  const declared = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(declared) && declared > 0 ? declared : undefined;
  if (!response.body) {
    const whole = new Uint8Array(await response.arrayBuffer());
    onChunk?.(whole);
    return [whole];
  }
  // The chunks are kept as the stream hands them over: copying 176 MB into one fresh buffer
  // cost ~1 s of page faults, and the streaming reader works on chunks anyway.
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  let lastReportMs = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    receivedBytes += value.length;
    onChunk?.(value);
    const nowMs = performance.now();
    if (onProgress && nowMs - lastReportMs > 100) {
      lastReportMs = nowMs;
      onProgress(receivedBytes, totalBytes);
    }
  }
  if (totalBytes !== undefined && receivedBytes < totalBytes) {
    throw new Error(`the connection closed after ${receivedBytes} of ${totalBytes} bytes`);
  }
  return chunks;
}

function readHashState(): ViewerState | undefined {
  const match = /#state=(.*)$/.exec(location.hash);
  if (!match) return undefined;
  try {
    const value: unknown = JSON.parse(decodeURIComponent(match[1]!));
    return value && typeof value === 'object' ? (value as ViewerState) : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the message if it has the shape of a HostToViewer message, else logs and drops it. */
export function checkHostMessage(data: unknown): HostToViewer | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'init':
      if (typeof message.text === 'string' && typeof message.fileName === 'string') return message as unknown as HostToViewer;
      break;
    case 'loadError':
      if (typeof message.message === 'string' && typeof message.fileName === 'string') return message as unknown as HostToViewer;
      break;
    case 'select':
      if (typeof message.ts === 'number') return message as unknown as HostToViewer;
      break;
    default:
      break;
  }
  console.warn('Flight Recorder viewer: dropped a host message of unknown shape', typeof message.type === 'string' ? message.type : typeof message.type);
  return undefined;
}
