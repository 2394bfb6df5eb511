// The viewer's VS Code host (src/viewer/host.ts, VsCodeHost) in a real Chromium, talking to the
// extension's real summary code (src/extension/timeline/summary-host.ts) through a stand-in for
// the webview channel: `acquireVsCodeApi` posts to Node, Node answers with window.postMessage
// (structured clone, as VS Code delivers typed arrays). The summary is drawn, args arrive by
// range, the search asks the host, and a summary the viewer cannot use falls back to the text.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type * as vscode from 'vscode';
import { TimelineSummaries } from '../../src/extension/timeline/summary-host';
import { parseViewerMessage } from '../../src/extension/timeline/messages';
import type { HostToViewer } from '../../src/format/viewer-protocol';
import { serializeSnapshot } from '../../src/format/write';
import { makeSnapshot } from './fixture-trace';
import { launchChromium, startView, type BrowserHandle, type PageGlobals, type ViewServer } from './harness';

const dir = mkdtempSync(join(tmpdir(), 'nfr-vscode-host-'));
const file = join(dir, 'shop-api.nodetrace.json');
let server: ViewServer;
let chromium: BrowserHandle;

before(async () => {
  writeFileSync(file, serializeSnapshot(makeSnapshot({ windowSeconds: 4 })));
  // Only for the page and viewer.js; the stand-in VS Code API makes the viewer pick its VS Code host.
  server = await startView(file);
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Conversation {
  page: Page;
  /** Message types the viewer posted, in order. */
  received: string[];
}

/**
 * Opens the viewer with a stand-in `acquireVsCodeApi` whose messages the extension's summary
 * code answers. `damage` changes the summary before it is posted.
 */
async function openAsWebview(damage?: (summary: Uint8Array) => void, beforeSummary?: (page: Page, post: (message: HostToViewer) => Promise<unknown>) => Promise<void>): Promise<Conversation> {
  const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const received: string[] = [];
  const summaries = new TimelineSummaries();
  const uri = { scheme: 'file', fsPath: file, path: file, toString: () => `file://${file}` } as unknown as vscode.Uri;
  // Typed arrays travel as number arrays through evaluate; the webview gets real ones, as from VS Code.
  const postToViewer = (message: HostToViewer) =>
    page.evaluate(`(() => {
      const value = ${JSON.stringify(toPlain(message))};
      if (Array.isArray(value.summary)) value.summary = new Uint8Array(value.summary);
      if (Array.isArray(value.bytes)) value.bytes = new Uint8Array(value.bytes);
      if (Array.isArray(value.indices)) value.indices = new Int32Array(value.indices);
      globalThis.postMessage(value, '*');
    })()`);
  await page.exposeFunction('__nfrToHost', async (raw: unknown) => {
    const message = parseViewerMessage(raw);
    assert.ok(message, `a well-formed message: ${JSON.stringify(raw).slice(0, 200)}`);
    received.push(message.type);
    switch (message.type) {
      case 'ready': {
        await beforeSummary?.(page, postToViewer);
        const summary = (await summaries.summaryOf(uri))!;
        damage?.(summary);
        await postToViewer({ type: 'summary', fileName: 'shop-api.nodetrace.json', summary });
        break;
      }
      case 'needText':
        await postToViewer({ type: 'init', fileName: 'shop-api.nodetrace.json', text: readFileSync(file, 'utf8') });
        break;
      case 'readBytes':
        await postToViewer(await summaries.readBytes(uri, message.requestId, message.ranges));
        break;
      case 'searchArgs':
        await postToViewer(await summaries.searchArgs(uri, message.requestId, message.needle));
        break;
      default:
        break;
    }
  });
  // A string, not a function: tsx's name helpers do not exist in the page.
  await page.addInitScript(`globalThis.acquireVsCodeApi = () => ({
    postMessage: (message) => globalThis.__nfrToHost(message),
    getState: () => undefined,
    setState: () => undefined,
  });`);
  await page.goto(server.url);
  await page.waitForSelector('.nfr-canvas, .nfr-error', { timeout: 15_000 });
  return { page, received };
}

function toPlain(message: HostToViewer): unknown {
  return JSON.parse(JSON.stringify(message, (_key, value: unknown) => (ArrayBuffer.isView(value) ? Array.from(value as Uint8Array) : value)));
}

async function clickSpan(page: Page, text: string): Promise<void> {
  const point = await page.evaluate((name) => (globalThis as unknown as PageGlobals).flightRecorderViewer.findSpanPoint(name), text);
  assert.ok(point, `a visible span named ${text}`);
  const box = await page.locator('.nfr-canvas').boundingBox();
  await page.mouse.click(box!.x + point.x, box!.y + point.y);
}

describe('viewer in a VS Code webview (stand-in channel, real extension code)', () => {
  test('draws from the summary; a request\'s args come by range; search asks the host', async () => {
    const { page, received } = await openAsWebview();
    try {
      const marks = Object.keys(await page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.loadMarks()));
      assert.ok(marks.includes('nfr-summary-received') && !marks.includes('nfr-text-received'), marks.join(' '));
      await clickSpan(page, 'GET /api/reports/:id');
      await page.waitForSelector('.nfr-details .nfr-args', { timeout: 10_000 });
      assert.match(await page.locator('.nfr-details').innerText(), /\/api\/reports\/2024-q3\?format=pdf/);
      assert.ok(received.includes('readBytes'), received.join(' '));
      await page.fill('.nfr-search-input', 'format=pdf');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.nfr-search-count')?.textContent === '1 found', undefined, { timeout: 10_000 });
      assert.ok(received.includes('searchArgs'), received.join(' '));
      assert.ok(!received.includes('needText'));
    } finally {
      await page.close();
    }
  });

  test('while the extension reads the file, the loading screen shows how far it is; a progress report of another shape is dropped', async () => {
    const seen: { text: string | null; value: number | null }[] = [];
    const { page } = await openAsWebview(undefined, async (viewerPage, post) => {
      const loadingScreen = () => viewerPage.evaluate(() => {
        const doc = (globalThis as unknown as PageGlobals).document;
        const bar = doc.querySelector('.nfr-loading progress') as { value: number } | null;
        return { text: doc.querySelector('.nfr-loading p')?.textContent ?? null, value: bar ? bar.value : null };
      });
      await post({ type: 'progress', readFraction: 0.4, fileBytes: 177 * 1048576 });
      await viewerPage.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.nfr-loading p')?.textContent?.includes('%'), undefined, { timeout: 10_000 });
      seen.push(await loadingScreen());
      await post({ type: 'progress', readFraction: 7, fileBytes: 1 } as HostToViewer);
      await post({ type: 'progress', readFraction: 0.85, fileBytes: 177 * 1048576 });
      await viewerPage.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.nfr-loading p')?.textContent?.includes('85 %'), undefined, { timeout: 10_000 });
      seen.push(await loadingScreen());
    });
    try {
      assert.deepEqual(seen, [
        { text: 'Reading the snapshot… 40 % of 177 MB', value: 0.4 },
        { text: 'Reading the snapshot… 85 % of 177 MB', value: 0.85 },
      ]);
      assert.equal(await page.locator('.nfr-loading').count(), 0, 'the timeline replaced the loading screen');
      assert.equal(await page.locator('.nfr-error').count(), 0);
    } finally {
      await page.close();
    }
  });

  test('a summary the viewer cannot use: it asks for the text and draws from that', async () => {
    const { page, received } = await openAsWebview((summary) => {
      summary[0] = 0; // not the magic any more
    });
    try {
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).flightRecorderViewer?.firstFrameAtMs() > 0, undefined, { timeout: 15_000 });
      assert.deepEqual(received.slice(0, 2), ['ready', 'needText']);
      const marks = Object.keys(await page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.loadMarks()));
      assert.ok(marks.includes('nfr-text-received'), marks.join(' '));
      assert.equal(await page.locator('.nfr-error').count(), 0);
    } finally {
      await page.close();
    }
  });
});
