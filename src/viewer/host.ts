// The viewer's two hosts behind one interface. In VS Code the webview talks to the extension
// through `acquireVsCodeApi()`; in a browser tab served by `cli view` the "host" is this file:
// it fetches the trace from the page's own server and keeps state in the URL hash. Messages
// follow src/format/viewer-protocol.ts; anything of another shape is logged and dropped.
import type { StackFrame } from '../format/stack';
import { isReadProgress, type ByteRange, type HostToViewer, type LoadProgress, type ViewerState, type ViewerToHost } from '../format/viewer-protocol';
import { checkHostMessage } from './host-messages';
import type { LoadedTrace } from './model/load';
import { concatBytes, StreamingTraceLoader } from './model/stream-load';
import { loadSummary, loadSummaryColumns } from './model/summary-load';
import { MemoryArena } from '../format/memory-arena';
import { align8 } from '../format/event-summary';

/** The global the `cli view` page's head puts its early summary request in (src/cli/view/page.ts, EARLY_SUMMARY_GLOBAL). */
const EARLY_SUMMARY_GLOBAL = 'flightRecorderEarlySummary';

/** What that request resolves to: the answer and, for a summary, its bytes — or the part before the span layout, and `rest`. */
interface EarlySummary {
  response: Response;
  bytes?: ArrayBuffer;
  length?: number;
  rest?: Promise<{ bytes: ArrayBuffer; length: number }>;
}

/**
 * What a host hands the app: a protocol message, or (browser host only) a trace it already
 * read while downloading, so the file never becomes one string.
 */
export type HostMessage = HostToViewer | { type: 'loaded'; fileName: string; trace: LoadedTrace; state?: ViewerState; mark?: { ts: number; label: string } };

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
   * hears how loading goes: the host reading a large file for its summary (both hosts), the
   * browser downloading the whole file (the browser host).
   */
  start(handler: (message: HostMessage) => void, onProgress?: (progress: LoadProgress) => void): void;
  saveState(state: ViewerState): void;
}

export function createHost(onReveal: (frame: StackFrame) => void): Host {
  if (typeof acquireVsCodeApi === 'function') return new VsCodeHost(acquireVsCodeApi());
  return new BrowserHost(onReveal);
}

/** How long the extension may take to answer a request for bytes or a search. */
const HOST_ANSWER_TIMEOUT_MS = 60_000;

class VsCodeHost implements Host {
  readonly kind = 'vscode';
  private nextRequestId = 1;
  /** Requests to the extension (bytes, searches) waiting for their answer, by id. */
  private readonly pending = new Map<number, (answer: Extract<HostToViewer, { type: 'bytes' | 'searchResult' }>) => void>();

  constructor(private readonly api: VsCodeApi) {}

  post(message: ViewerToHost): void {
    this.api.postMessage(message);
  }

  start(handler: (message: HostMessage) => void, onProgress?: (progress: LoadProgress) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const message = checkHostMessage(event.data);
      if (!message) return;
      if (message.type === 'progress') {
        onProgress?.({ kind: 'summary', readFraction: message.readFraction, fileBytes: message.fileBytes });
        return;
      }
      if (message.type === 'bytes' || message.type === 'searchResult') {
        const answer = this.pending.get(message.requestId);
        this.pending.delete(message.requestId);
        answer?.(message);
        return;
      }
      if (message.type === 'init') performance.mark('nfr-text-received');
      if ((message.type === 'init' || message.type === 'summary') && !message.state) {
        const saved = this.api.getState();
        if (saved && typeof saved === 'object') message.state = saved as ViewerState;
      }
      if (message.type === 'summary') {
        this.openSummary(message, handler);
        return;
      }
      handler(message);
    });
    this.post({ type: 'ready' });
  }

  /** The extension sent the event summary: draw from it, or ask for the text if it is unusable. */
  private openSummary(message: Extract<HostToViewer, { type: 'summary' }>, handler: (message: HostMessage) => void): void {
    performance.mark('nfr-summary-received');
    let trace: LoadedTrace;
    try {
      trace = loadSummary(message.summary, (ranges) => this.readBytes(ranges), (needle) => this.searchArgs(needle));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.warn(`Flight Recorder viewer: the event summary is not usable (${reason}); asking for the whole file`);
      this.post({ type: 'needText', reason });
      return;
    }
    performance.mark('nfr-parsed');
    handler({ type: 'loaded', fileName: message.fileName, trace, ...(message.state ? { state: message.state } : {}), ...(message.mark ? { mark: message.mark } : {}) });
  }

  private request(message: (requestId: number) => ViewerToHost): Promise<Extract<HostToViewer, { type: 'bytes' | 'searchResult' }>> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`VS Code did not answer within ${HOST_ANSWER_TIMEOUT_MS / 1000} s`));
      }, HOST_ANSWER_TIMEOUT_MS);
      this.pending.set(requestId, (answer) => {
        window.clearTimeout(timer);
        resolve(answer);
      });
      this.post(message(requestId));
    });
  }

  private async readBytes(ranges: ByteRange[]): Promise<Uint8Array> {
    const answer = await this.request((requestId) => ({ type: 'readBytes', requestId, ranges }));
    if (answer.type !== 'bytes' || !answer.bytes) throw new Error(answer.error ?? 'VS Code sent no bytes');
    return answer.bytes;
  }

  private async searchArgs(needle: string): Promise<Int32Array> {
    const answer = await this.request((requestId) => ({ type: 'searchArgs', requestId, needle }));
    if (answer.type !== 'searchResult' || !answer.indices) throw new Error(answer.error ?? 'VS Code sent no search result');
    return answer.indices;
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

  start(handler: (message: HostMessage) => void, onProgress?: (progress: LoadProgress) => void): void {
    const { summaryUrl, bytesUrl } = document.body.dataset;
    if (!summaryUrl || !bytesUrl) {
      this.loadWholeFile(handler, onProgress);
      return;
    }
    // The fast path: the server's summary of the file, args fetched by range when looked at.
    // Whatever it cannot do (not our layout, a damaged file, an old server) the whole file does.
    this.loadSummary(summaryUrl, bytesUrl, handler, onProgress)
      .catch((error: unknown) => {
        console.warn(`Flight Recorder viewer: the event summary is not usable (${error instanceof Error ? error.message : String(error)}); reading the whole file`);
        return false;
      })
      .then((loaded) => {
        if (!loaded) this.loadWholeFile(handler, onProgress);
      });
  }

  /** Answers false when the server has no summary of this file (the caller reads the whole file). */
  private async loadSummary(summaryUrl: string, bytesUrl: string, handler: (message: HostMessage) => void, onProgress?: (progress: LoadProgress) => void): Promise<boolean> {
    performance.mark('nfr-summary-requested');
    // The page's head started the request (and reads the body) while this script loaded
    // (src/cli/view/page.ts); a page without that asks now.
    const early = (window as unknown as Record<string, unknown>)[EARLY_SUMMARY_GLOBAL] as Promise<EarlySummary> | undefined;
    const answer = early ?? fetch(summaryUrl, { cache: 'no-store' }).then((response): EarlySummary => ({ response }));
    const progressUrl = document.body.dataset.progressUrl;
    const stopPolling = progressUrl && onProgress ? pollReadProgress(progressUrl, onProgress) : () => undefined;
    const { response, bytes: earlyBytes, length: earlyLength, rest } = await answer.finally(stopPolling);
    if (response.status !== 200) {
      // 204: the server has no summary of this file (not our layout, damaged): read it whole.
      const reason = response.headers.get('x-summary-unavailable');
      console.info(`Flight Recorder viewer: ${reason ? decodeURIComponent(reason) : `the summary request answered ${response.status}`}; reading the whole file`);
      return false;
    }
    const fileName = decodeURIComponent(response.headers.get('x-trace-file-name') ?? 'trace');
    // The head's request read the body into one buffer as it arrived (page.ts); a page without
    // it takes one native read (the summary is a tenth of the file: no progress to show).
    const bytes = earlyBytes ? new Uint8Array(earlyBytes, 0, earlyLength ?? earlyBytes.byteLength) : new Uint8Array(await response.arrayBuffer());
    if (!rest) performance.mark('nfr-summary-received');
    const fetchRanges = async (ranges: ByteRange[]): Promise<Uint8Array> => {
      const list = ranges.map((range) => `${range.offset}:${range.length}`).join(',');
      const answer = await fetch(`${bytesUrl}?ranges=${list}`, { cache: 'no-store' });
      if (!answer.ok) throw new Error(`the server answered ${answer.status}: ${(await answer.text()).slice(0, 300).trim()}`);
      return new Uint8Array(await answer.arrayBuffer());
    };
    const searchUrl = document.body.dataset.searchUrl;
    const searchRemote = searchUrl
      ? async (needle: string): Promise<Int32Array> => {
          const answer = await fetch(`${searchUrl}?q=${encodeURIComponent(needle)}`, { cache: 'no-store' });
          if (!answer.ok) throw new Error(`the server answered ${answer.status}: ${(await answer.text()).slice(0, 300).trim()}`);
          const body = await answer.arrayBuffer();
          if (body.byteLength % 4 !== 0) throw new Error('the server sent a malformed search answer');
          return new Int32Array(body);
        }
      : undefined;
    let trace: LoadedTrace;
    if (rest) {
      // The part before the span layout came first: read it while the rest is on the way.
      performance.mark('nfr-columns-received');
      // The rest of the buffer the columns came in: made resident while the page waited (page.ts).
      const memory = earlyBytes ? new MemoryArena(earlyBytes, align8(bytes.byteLength)) : undefined;
      const columns = loadSummaryColumns(bytes, fetchRanges, searchRemote, memory);
      performance.mark('nfr-columns-parsed');
      const spanBlock = await rest;
      performance.mark('nfr-summary-received');
      columns.addSpans(new Uint8Array(spanBlock.bytes, 0, spanBlock.length));
      trace = columns.trace;
    } else {
      trace = loadSummary(bytes, fetchRanges, searchRemote);
    }
    performance.mark('nfr-parsed');
    handler({ type: 'loaded', fileName, trace, state: readHashState() });
    return true;
  }

  private loadWholeFile(handler: (message: HostMessage) => void, onProgress?: (progress: LoadProgress) => void): void {
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
        const chunks = await readBody(response, onProgress && ((receivedBytes, totalBytes) => onProgress({ kind: 'download', receivedBytes, totalBytes })), (chunk) => loader.feed(chunk));
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
        onProgress?.({ kind: 'download', receivedBytes: bytes.length, totalBytes: bytes.length });
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

/** How often the browser host asks `cli view` how far its summary build has read. */
const PROGRESS_POLL_MS = 250;

/**
 * Asks the server how far it has read the file for its summary, every PROGRESS_POLL_MS until
 * stopped (the summary came), and reports what it says; a 204 (nothing read yet, or no build
 * under way) reports nothing. Returns the function that stops it. A failed request, or any
 * other answer, ends the polling: the loading screen then just says it is loading.
 */
function pollReadProgress(progressUrl: string, onProgress: (progress: LoadProgress) => void): () => void {
  let stopped = false;
  let timer: number | undefined;
  const ask = async (): Promise<void> => {
    timer = undefined;
    const response = await fetch(progressUrl, { cache: 'no-store' });
    if (stopped || (response.status !== 200 && response.status !== 204)) return;
    if (response.status === 200) {
      const body = (await response.json()) as { readFraction?: unknown; fileBytes?: unknown };
      if (stopped) return;
      if (isReadProgress(body.readFraction, body.fileBytes)) onProgress({ kind: 'summary', readFraction: body.readFraction as number, fileBytes: body.fileBytes as number });
    }
    timer = window.setTimeout(() => void ask().catch(() => undefined), PROGRESS_POLL_MS);
  };
  timer = window.setTimeout(() => void ask().catch(() => undefined), PROGRESS_POLL_MS);
  return () => {
    stopped = true;
    if (timer !== undefined) window.clearTimeout(timer);
  };
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

