// Drives the real workbench from a test running in the extension host: each call is a request
// to the harness (test/e2e/run-code-server.mjs), which performs it with Playwright in Chromium
// and answers. Under @vscode/test-electron there is no harness (`available` is false): helpers
// that have an API equivalent fall back to it, the rest are skipped by the caller.
import * as http from 'node:http';

const endpoint = process.env.FLIGHT_RECORDER_E2E_UI;

export const available = Boolean(endpoint);

export type UiRequest =
  /** F1, `>title`, Enter on the row whose label matches. */
  | { op: 'command'; title: string }
  /** Types into the open quick input and accepts the first row containing `text`. */
  | { op: 'pick'; text: string }
  /** Labels of the rows of the open quick input. */
  | { op: 'pickItems' }
  /** Presses keys on the workbench (Playwright names, e.g. `Escape`, `Control+P`). */
  | { op: 'press'; keys: string[] }
  /** Texts (aria-labels) of the status bar items. */
  | { op: 'statusBar' }
  /** aria-labels of the rows of the view whose pane title contains `title`. */
  | { op: 'treeRows'; title: string }
  /** Hovers the row containing `row` in that view and clicks its inline action with this label. */
  | { op: 'treeAction'; title: string; row: string; action: string }
  /** Canvases in the webviews of this kind (see WebviewKind): size and painted pixels. */
  | { op: 'canvases'; purpose: string }
  /** In the visible webview of this purpose: texts of elements matching `selector`. */
  | { op: 'frameTexts'; purpose: string; selector: string }
  /** In the visible webview of this purpose: attribute `name` of elements matching `selector` (null where absent). */
  | { op: 'frameAttribute'; purpose: string; selector: string; name: string }
  /** In a webview of this purpose: clicks the first element matching `selector` (and containing `hasText`). */
  | { op: 'frameClick'; purpose: string; selector: string; hasText?: string }
  /** Tries an inline script, eval and a cross-origin image in that webview: what its CSP allowed. */
  | { op: 'cspProbe'; purpose: string }
  /** Every frame of the page (url, name, parent url): for diagnosing webview lookups. */
  | { op: 'frames' }
  /** Labels of the editor tabs. */
  | { op: 'tabs' }
  /** Saves a screenshot of the workbench into the results folder (for failures). */
  | { op: 'screenshot'; name: string };

/**
 * Which webview: 'customEditor' (a timeline: the page has #nfr-root), 'webviewView' (the live
 * view), or any CSS selector that only the wanted webview's page contains. Only visible
 * webviews of this extension are searched.
 */
export type WebviewKind = 'customEditor' | 'webviewView' | (string & {});

export interface CanvasInfo {
  widthPx: number;
  heightPx: number;
  /** Pixels that differ from the top-left pixel's colour (sampled). */
  paintedPixels: number;
}

/** Sends one request to the harness; rejects with the harness's error text. */
export function request<T = unknown>(body: UiRequest, timeoutMs = 90_000): Promise<T> {
  if (!endpoint) return Promise.reject(new Error('no UI harness (FLIGHT_RECORDER_E2E_UI unset)'));
  const payload = JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = http.request(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: { ok: boolean; value?: T; error?: string };
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          reject(new Error(`harness answered with non-JSON: ${text.slice(0, 200)}`));
          return;
        }
        if (parsed.ok) resolve(parsed.value as T);
        else reject(new Error(`UI ${body.op} failed: ${parsed.error ?? 'unknown error'}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`UI ${body.op} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export const ui = {
  available,
  command: (title: string) => request({ op: 'command', title }),
  pick: (text: string) => request({ op: 'pick', text }),
  pickItems: () => request<string[]>({ op: 'pickItems' }),
  press: (...keys: string[]) => request({ op: 'press', keys }),
  statusBar: () => request<string[]>({ op: 'statusBar' }),
  treeRows: (title: string) => request<string[]>({ op: 'treeRows', title }),
  treeAction: (title: string, row: string, action: string) => request({ op: 'treeAction', title, row, action }),
  canvases: (purpose: WebviewKind) => request<CanvasInfo[]>({ op: 'canvases', purpose }),
  frameTexts: (purpose: WebviewKind, selector: string) => request<string[]>({ op: 'frameTexts', purpose, selector }),
  frameAttribute: (purpose: WebviewKind, selector: string, name: string) => request<(string | null)[]>({ op: 'frameAttribute', purpose, selector, name }),
  frameClick: (purpose: WebviewKind, selector: string, hasText?: string) => request({ op: 'frameClick', purpose, selector, ...(hasText ? { hasText } : {}) }),
  tabs: () => request<string[]>({ op: 'tabs' }),
  cspProbe: (purpose: WebviewKind) => request<{ inlineRan: boolean; evalRan: boolean; violations: string[] }>({ op: 'cspProbe', purpose }),
  frames: () => request<Array<{ url: string; name: string; parent: string | null }>>({ op: 'frames' }),
  screenshot: (name: string) => request({ op: 'screenshot', name }),
};
