// The viewer's two hosts behind one interface. In VS Code the webview talks to the extension
// through `acquireVsCodeApi()`; in a browser tab served by `cli view` the "host" is this file:
// it fetches the trace from the page's own server and keeps state in the URL hash. Messages
// follow src/format/viewer-protocol.ts; anything of another shape is logged and dropped.
import type { StackFrame } from '../format/stack';
import type { HostToViewer, ViewerState, ViewerToHost } from '../format/viewer-protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

export interface Host {
  readonly kind: 'vscode' | 'browser';
  post(message: ViewerToHost): void;
  /** Starts the handshake; `handler` receives every well-formed host message. */
  start(handler: (message: HostToViewer) => void): void;
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

  start(handler: (message: HostToViewer) => void): void {
    const traceUrl = document.body.dataset.traceUrl ?? 'trace';
    fetch(traceUrl, { cache: 'no-store' })
      .then(async (response) => {
        const fileName = decodeURIComponent(response.headers.get('x-trace-file-name') ?? traceUrl);
        if (!response.ok) {
          handler({ type: 'loadError', fileName, message: `${fileName}: the server answered ${response.status} ${(await response.text()).slice(0, 300)}` });
          return;
        }
        const text = await response.text();
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
