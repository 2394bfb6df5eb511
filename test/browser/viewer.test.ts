// The viewer in a real Chromium, served by the real `cli view` command.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { serializeSnapshot } from '../../src/format/write';
import { HOSTILE_NAMES, makeLargeSnapshot, makeSnapshot } from './fixture-trace';
import { CLI, launchChromium, ROOT, startView, viewCommand, type BrowserHandle, type PageGlobals, type ViewServer } from './harness';

const dir = mkdtempSync(join(tmpdir(), 'nfr-browser-'));
const files = {
  snapshot: join(dir, 'shop-api-48213-20261125T143207Z-slow_request.nodetrace.json'),
  hostile: join(dir, 'hostile.nodetrace.json'),
  truncated: join(dir, 'truncated.nodetrace.json'),
  cpuprofile: join(dir, 'app.cpuprofile'),
  chrome: join(dir, 'node-trace.json'),
  oneLine: join(dir, 'one-line.nodetrace.json'),
};
const servers: Record<string, ViewServer> = {};
let chromium: BrowserHandle;

before(async () => {
  // Snapshots as the recorder writes them (one event per line: the viewer reads these while
  // they download); the one-line JSON of the same snapshot takes the whole-text reader.
  const text = serializeSnapshot(makeSnapshot());
  writeFileSync(files.snapshot, text);
  writeFileSync(files.hostile, serializeSnapshot(makeSnapshot({ hostileNames: true, windowSeconds: 4 })));
  writeFileSync(files.truncated, text.slice(0, Math.floor(text.length / 2)));
  writeFileSync(files.oneLine, JSON.stringify(makeSnapshot()));
  writeFileSync(files.cpuprofile, JSON.stringify({
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1, scriptId: '0' }, children: [2, 3] },
      { id: 2, callFrame: { functionName: 'main', url: 'file:///app/main.js', lineNumber: 4, columnNumber: 2, scriptId: '1' }, children: [4] },
      { id: 3, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1, scriptId: '0' } },
      { id: 4, callFrame: { functionName: 'crunchNumbers', url: 'file:///app/math.js', lineNumber: 10, columnNumber: 0, scriptId: '2' } },
    ],
    startTime: 5_000_000, endTime: 5_300_000,
    samples: Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 2 : i % 7 === 0 ? 3 : 4)),
    timeDeltas: Array.from({ length: 300 }, () => 1000),
  }));
  writeFileSync(files.chrome, JSON.stringify([
    { name: 'thread_name', ph: 'M', pid: 1, tid: 1, ts: 0, args: { name: 'main' } },
    { name: 'RunMicrotasks', cat: 'v8', ph: 'X', pid: 1, tid: 1, ts: 100, dur: 500 },
    { name: 'V8.GCScavenger', cat: 'v8', ph: 'X', pid: 1, tid: 1, ts: 900, dur: 300 },
    { name: 'MarkCompact', cat: 'v8', ph: 'B', pid: 1, tid: 1, ts: 1500 },
    { name: 'MarkCompact', cat: 'v8', ph: 'E', pid: 1, tid: 1, ts: 2500 },
  ]));
  const started = await Promise.all((Object.keys(files) as (keyof typeof files)[]).map(async (key) => [key, await startView(files[key])] as const));
  for (const [key, server] of started) servers[key] = server;
  // The same snapshot without the server's summary: the page streams the whole file.
  servers.noSummary = await startView(files.snapshot, 15_000, ['--no-summary']);
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** `beforeLoad` runs before navigation (to watch the page's requests from the start). */
async function openPage(server: ViewServer, errors: string[] = [], beforeLoad?: (page: Page) => void): Promise<Page> {
  const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
  beforeLoad?.(page);
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(server.url);
  await page.waitForSelector('.nfr-canvas, .nfr-error', { timeout: 15_000 });
  return page;
}

const hook = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.visibleRange());

async function canvasColours(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = (globalThis as unknown as PageGlobals).document.querySelector('canvas')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size;
  });
}

async function clickSpan(page: Page, text: string): Promise<void> {
  const point = await page.evaluate((name) => (globalThis as unknown as PageGlobals).flightRecorderViewer.findSpanPoint(name), text);
  assert.ok(point, `a visible span named ${text}`);
  const box = await page.locator('.nfr-canvas').boundingBox();
  await page.mouse.click(box!.x + point.x, box!.y + point.y);
}

describe('viewer in Chromium via cli view', () => {
  test('renders the tracks of a snapshot without page errors', async () => {
    const errors: string[] = [];
    const page = await openPage(servers.snapshot!, errors);
    try {
      assert.ok(await canvasColours(page) > 20, 'the canvas draws many colours');
      const trackCount = await page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.trackCount());
      assert.ok(trackCount >= 8, `tracks: ${trackCount}`);
      assert.match(await page.locator('.nfr-trigger').innerText(), /slow request/);
      // The tab says "Loading …" until the timeline is drawn.
      assert.match(await page.title(), /^\S+\.nodetrace\.json — Flight Recorder$/);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('a snapshot comes as the server\'s summary; streamed whole (--no-summary) and one-line JSON show the same', async () => {
    const summarised = await openPage(servers.snapshot!);
    const streamed = await openPage(servers.noSummary!);
    const whole = await openPage(servers.oneLine!);
    try {
      const facts = async (page: Page) => ({
        tracks: await page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.trackCount()),
        toolbar: await page.locator('.nfr-facts-inline').innerText(),
        marks: Object.keys(await page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.loadMarks())).sort(),
      });
      const a = await facts(summarised);
      const b = await facts(streamed);
      const c = await facts(whole);
      assert.equal(a.tracks, c.tracks);
      assert.equal(b.tracks, c.tracks);
      assert.equal(a.toolbar, c.toolbar);
      assert.equal(b.toolbar, c.toolbar);
      assert.ok(a.marks.includes('nfr-summary-received') && !a.marks.includes('nfr-downloaded'), `the summary, not the file: ${a.marks.join(' ')}`);
      assert.ok(!b.marks.includes('nfr-text-received') && !b.marks.includes('nfr-summary-received'), `the writer's layout never becomes one string: ${b.marks.join(' ')}`);
      assert.ok(c.marks.includes('nfr-text-received'), `one-line JSON is decoded whole: ${c.marks.join(' ')}`);
    } finally {
      await summarised.close();
      await streamed.close();
      await whole.close();
    }
  });

  test('while cli view still reads a large file, the page says how far it has read', async () => {
    const large = join(dir, 'large.nodetrace.json');
    // Large enough that this machine reads it for about a second after `cli view` starts.
    writeFileSync(large, serializeSnapshot(makeLargeSnapshot(700_000)));
    // What the page heard from GET /trace/progress, as it polls (250 ms after it asks for the
    // summary): the share read so far, then that the whole file is read. `cli view` starts
    // reading at once, so a page that loads late (a loaded machine: its first poll came when
    // the read was done, once in CI) has nothing to show — the right page, and no test of it.
    // So the page is made before the server starts, and a load that saw no read under way is
    // tried again, up to three times; a page that never shows progress still fails. The shares
    // themselves are checked against the route in the integration tests, their words in
    // viewer-load-progress.test.ts.
    const attempts: string[][] = [];
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const texts = await loadingTextsOf(large);
        attempts.push(texts);
        const reading = texts.filter((text) => /^Reading the snapshot… \d+ % of \d+ MB \[bar\]$/.test(text));
        const read = texts.filter((text) => /^Read \d+ MB — laying out the timeline… \[bar\]$/.test(text));
        if (reading.length + read.length === 0) continue;
        const shares = reading.map((text) => Number(/(\d+) %/.exec(text)![1]));
        assert.deepEqual(shares, [...shares].sort((a, b) => a - b), 'the share read only grows');
        const lastReading = texts.reduce((last, text, index) => (reading.includes(text) ? index : last), -1);
        assert.ok(read.length === 0 || texts.indexOf(read[0]!) > lastReading, `"Read …" comes after the last share: ${texts.join(' | ')}`);
        return;
      }
      assert.fail(`no load of three showed how far the file was read; the loading screen said: ${attempts.map((texts) => texts.join(' | ')).join(' ;; ')}`);
    } finally {
      rmSync(large, { force: true });
    }
  });

  /** Every text the loading screen showed, as it changed, while `cli view` served `file` (with whether it had a progress bar). */
  async function loadingTextsOf(file: string): Promise<string[]> {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
    let server: ViewServer | undefined;
    try {
      await page.addInitScript(`(() => {
        const seen = (globalThis.__loadingTexts = []);
        new MutationObserver(() => {
          const label = document.querySelector('.nfr-loading p');
          const text = label && label.textContent;
          if (text && seen[seen.length - 1] !== text) seen.push(text + (document.querySelector('.nfr-loading progress') ? ' [bar]' : ''));
        }).observe(document, { subtree: true, childList: true, characterData: true });
      })()`);
      server = await startView(file, 30_000);
      await page.goto(server.url);
      await page.waitForSelector('.nfr-canvas', { timeout: 30_000 });
      return await page.evaluate(() => (globalThis as unknown as { __loadingTexts: string[] }).__loadingTexts);
    } finally {
      await page.close();
      await server?.stop();
    }
  }

  test('on the summary path a request\'s args are fetched by range when it is selected, and search asks the server', async () => {
    const errors: string[] = [];
    const rangeRequests: string[] = [];
    const page = await openPage(servers.snapshot!, errors, (opening) => {
      opening.on('request', (request) => {
        if (request.url().includes('/trace/bytes')) rangeRequests.push(request.url());
      });
    });
    try {
      assert.equal(rangeRequests.length, 0, 'nothing is fetched before someone looks');
      await clickSpan(page, 'GET /api/reports/:id');
      await page.waitForSelector('.nfr-details .nfr-args', { timeout: 10_000 });
      assert.equal(await page.locator('.nfr-details-title').innerText(), 'GET /api/reports/:id');
      const details = await page.locator('.nfr-details').innerText();
      assert.match(details, /\/api\/reports\/2024-q3\?format=pdf/, 'the URL from the begin event\'s args');
      assert.match(details, /200/, 'the status from the end event\'s args');
      assert.equal(await page.locator('.nfr-args-loading').count(), 0);
      assert.ok(rangeRequests.length >= 1 && rangeRequests.every((url) => /\/trace\/bytes\?ranges=\d+:\d+(,\d+:\d+)*$/.test(url)), rangeRequests.join(' '));
      // "format=pdf" is only in that request's URL: an arg the page has not fetched.
      await page.fill('.nfr-search-input', 'format=pdf');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.nfr-search-count')?.textContent === '1 found', undefined, { timeout: 10_000 });
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('zoom (keyboard, ctrl+wheel) and pan (drag, keyboard) change the visible range', async () => {
    const page = await openPage(servers.snapshot!);
    try {
      const canvas = page.locator('.nfr-canvas');
      const box = (await canvas.boundingBox())!;
      const initial = await hook(page);
      await canvas.focus();
      await page.keyboard.press('w');
      const zoomed = await hook(page);
      assert.ok(zoomed.endUs - zoomed.startUs < (initial.endUs - initial.startUs) * 0.9, 'W zooms in');

      await page.mouse.move(box.x + box.width * 0.6, box.y + 300);
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -400);
      await page.keyboard.up('Control');
      await page.waitForFunction((span) => {
        const r = (globalThis as unknown as PageGlobals).flightRecorderViewer.visibleRange();
        return r.endUs - r.startUs < span * 0.8;
      }, zoomed.endUs - zoomed.startUs, { timeout: 5_000 });
      const wheeled = await hook(page);

      await page.mouse.move(box.x + 700, box.y + 250);
      await page.mouse.down();
      await page.mouse.move(box.x + 500, box.y + 250, { steps: 5 });
      await page.mouse.up();
      const dragged = await hook(page);
      assert.ok(dragged.startUs > wheeled.startUs, 'dragging left moves the view later in time');
      assert.ok(Math.abs((dragged.endUs - dragged.startUs) - (wheeled.endUs - wheeled.startUs)) < 1, 'panning keeps the span');

      await page.keyboard.press('a');
      const panned = await hook(page);
      assert.ok(panned.startUs < dragged.startUs, 'A pans left');
      await page.keyboard.press('0');
      const fitted = await hook(page);
      assert.ok(fitted.endUs - fitted.startUs >= initial.endUs - initial.startUs - 1, '0 fits');
      const label = await page.locator('.nfr-range').getAttribute('data-start-us');
      assert.equal(Number(label), Math.round(fitted.startUs));
    } finally {
      await page.close();
    }
  });

  test('clicking an event shows its details, with stack frames as links', async () => {
    const page = await openPage(servers.snapshot!);
    try {
      // The timeline says where a probed block was spent without a click: the program's frame.
      const labels = await page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.drawnLabels());
      assert.ok(labels.includes('Blocked in renderRows'), JSON.stringify(labels));
      await clickSpan(page, 'Event loop blocked');
      await page.waitForSelector('.nfr-details-title', { timeout: 5_000 });
      assert.equal(await page.locator('.nfr-details-title').innerText(), 'Event loop blocked');
      // The watchdog's probe: how far into the block the stack was taken, the builtin on top as text.
      assert.match(await page.locator('.nfr-section h3', { hasText: 'Where the thread was' }).innerText(), /Where the thread was, 61(\.0)? ms into the block/i);
      assert.match(await page.locator('.nfr-stack').innerText(), /^push\b/);
      const frames = page.locator('.nfr-stack a.nfr-frame');
      assert.ok(await frames.count() >= 3);
      assert.match(await frames.first().innerText(), /render\.js:88:17/);
      await frames.first().click();
      await page.waitForSelector('.nfr-toast:not([hidden])', { timeout: 5_000 });
      assert.match(await page.locator('.nfr-toast').innerText(), /render\.js:88:17/);
    } finally {
      await page.close();
    }
  });

  test('a snapshot of a real hung process says where it hangs, and shows the block still under way', async () => {
    // A recorded program spinning forever, snapshotted with `cli snapshot <pid>` as a user would.
    const work = mkdtempSync(join(dir, 'spin-'));
    writeFileSync(join(work, 'spin.js'), `function spinForever() { while (true) {} }\nconsole.log('spinning');\nsetTimeout(spinForever, 50);\n`);
    const env = { ...process.env, FLIGHT_RECORDER_REGISTRY: join(work, 'registry'), FLIGHT_RECORDER: JSON.stringify({ out: work }) };
    const child = spawn(process.execPath, ['-r', join(ROOT, 'dist', 'recorder.js'), join(work, 'spin.js')], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let file: string;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the program did not start')), 15_000);
        child.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('spinning')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 800));
      const taken = spawnSync(process.execPath, [CLI, 'snapshot', String(child.pid)], { env, encoding: 'utf8', timeout: 30_000 });
      assert.equal(taken.status, 0, taken.stderr);
      file = /(\S+\.nodetrace\.json)/.exec(taken.stdout + taken.stderr)![1]!;
    } finally {
      child.kill('SIGKILL');
    }
    const server = await startView(file);
    const page = await openPage(server);
    try {
      // The overview says it first, with a link to the line.
      const stuck = page.locator('.nfr-stuck');
      assert.match(await stuck.innerText(), /^stuck in spinForever \S*spin\.js:1:\d+ — its event loop blocked for [\d.]+ (s|ms) so far$/);
      await stuck.locator('a.nfr-frame').click();
      await page.waitForSelector('.nfr-toast:not([hidden])', { timeout: 5_000 });
      assert.match(await page.locator('.nfr-toast').innerText(), /spin\.js:1/);
      // The block under way is the longest of the Loop blocks tab, where it was stuck.
      await page.click('.nfr-tab[data-tab="loop"]');
      const first = page.locator('.nfr-table tbody tr').first();
      assert.match(await first.innerText(), /spinForever \S*spin\.js:1 \(still blocked\)/);
      await first.click();
      assert.equal(await page.locator('.nfr-details-title').innerText(), 'Event loop blocked');
      await page.waitForSelector('.nfr-args-loading', { state: 'detached', timeout: 10_000 });
      assert.match(await page.locator('.nfr-details').innerText(), /ongoing\s+true/);
      assert.match(await page.locator('.nfr-stack a.nfr-frame').first().innerText(), /spin\.js:1:\d+/);
    } finally {
      await page.close();
      await server.stop();
    }
  });

  test('a loop block with no stack and no CPU samples says why, and how to get one', async () => {
    // As a block that starts an idle program's timer job is recorded: no probe (the prober was not looking), no CPU sampling.
    const snapshot = makeSnapshot({ cpuIntervalUs: 0 });
    for (const event of snapshot.traceEvents) if (event.name === 'Event loop blocked' && event.args) event.args = { thresholdMs: 50 };
    const file = join(dir, 'unprobed.nodetrace.json');
    writeFileSync(file, serializeSnapshot(snapshot));
    const server = await startView(file);
    const page = await openPage(server);
    try {
      await clickSpan(page, 'Event loop blocked');
      await page.waitForSelector('.nfr-details-title', { timeout: 5_000 });
      const where = page.locator('.nfr-section', { has: page.locator('h3', { hasText: 'Where the thread was' }) });
      assert.match(await where.innerText(), /Not recorded for this block: the recorder looks where .*HTTP request just arrived.*idle program.*cpuSamplingIntervalUs/s);
      assert.equal(await page.locator('.nfr-stack').count(), 0);
    } finally {
      await page.close();
      await server.stop();
    }
  });

  test('recorded request headers: a request id finds its request, shown in a table of its own, as text', async () => {
    const snapshot = makeSnapshot();
    const begin = snapshot.traceEvents.find((e) => e.cat === 'http.server' && e.ph === 'b' && String(e.args?.url).startsWith('/api/checkout'))!;
    begin.args = { ...begin.args, headers: { 'x-request-id': 'Req-7f3a9c', 'x-note': '<img src=x onerror="window.__pwned=1">' } };
    const file = join(dir, 'headers.nodetrace.json');
    writeFileSync(file, serializeSnapshot(snapshot));
    const server = await startView(file);
    const page = await openPage(server);
    try {
      await page.fill('.nfr-search-input', 'req-7F3A9C');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.nfr-search-count')?.textContent === '1 found', undefined, { timeout: 5_000 });
      await page.press('.nfr-search-input', 'Enter');
      await page.waitForSelector('.nfr-details-title', { timeout: 5_000 });
      assert.equal(await page.locator('.nfr-details-title').innerText(), begin.name);
      // The arguments, headers among them, come from the file after the panel opens (a range
      // request to cli view): read the panel once they are in (a loaded machine once read it before).
      await page.waitForSelector('.nfr-args-loading', { state: 'detached', timeout: 10_000 });
      const details = await page.locator('.nfr-details').innerText();
      assert.match(details, /REQUEST HEADERS\s+x-request-id\s+Req-7f3a9c\s+x-note\s+<img src=x onerror="window.__pwned=1">/i);
      // Start and end of a span told apart to a twentieth of its length.
      assert.match(details, /Start\s+[−+][\d.]+ m?s\s+\(from trigger\)/);
      assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
    } finally {
      await page.close();
      await server.stop();
    }
  });

  test('search finds events and Enter selects the next match', async () => {
    const page = await openPage(servers.snapshot!);
    try {
      await page.fill('.nfr-search-input', 'checkout');
      await page.waitForFunction(() => /found/.test((globalThis as unknown as PageGlobals).document.querySelector('.nfr-search-count')?.textContent ?? ''), undefined, { timeout: 5_000 });
      const count = Number((await page.locator('.nfr-search-count').innerText()).replace(/\D/g, ''));
      assert.ok(count > 5, `matches: ${count}`);
      await page.press('.nfr-search-input', 'Enter');
      await page.waitForSelector('.nfr-details-title', { timeout: 5_000 });
      assert.match(await page.locator('.nfr-details-title').innerText(), /checkout/);
      await page.fill('.nfr-search-input', 'no-such-event-anywhere');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.nfr-search-count')?.textContent === 'no match', undefined, { timeout: 5_000 });
    } finally {
      await page.close();
    }
  });

  test('summary tabs list the slowest requests and selecting a row reveals it', async () => {
    const page = await openPage(servers.snapshot!);
    try {
      await page.click('.nfr-tab[data-tab="requests"]');
      const first = page.locator('.nfr-table tbody tr').first();
      assert.match(await first.innerText(), /GET \/api\/reports\/:id/);
      assert.match(await first.innerText(), /842 ms/, 'its loop-blocked column');
      await first.click();
      assert.equal(await page.locator('.nfr-details-title').innerText(), 'GET /api/reports/:id');
      const range = await hook(page);
      assert.ok(range.endUs - range.startUs < 5_000_000, 'revealing zooms to the request');
      // What held it up: the loop block inside it (a link to the block, with where it was spent).
      const during = page.locator('.nfr-section', { has: page.locator('h3', { hasText: 'While it was open' }) });
      assert.match(await during.innerText(), /Loop blocked\s+842 ms of it \(\d+ %\), 1 block — longest: Event loop blocked \(842 ms at [^)]+\) in renderRows reports\/render\.js:88:17/);
      await during.locator('a.nfr-frame').click();
      await page.waitForSelector('.nfr-toast:not([hidden])', { timeout: 5_000 });
      assert.match(await page.locator('.nfr-toast').innerText(), /render\.js:88:17/, 'the location opens the source');
      await during.locator('a.nfr-link').click();
      assert.equal(await page.locator('.nfr-details-title').innerText(), 'Event loop blocked');
      await page.click('.nfr-tab[data-tab="requests"]');
      await page.click('.nfr-tab[data-tab="cpu"]');
      assert.match(await page.locator('.nfr-table').innerText(), /renderRows|formatCurrency|formatCell/);
      // Loop blocks of two threads: the table says whose loop each was.
      await page.click('.nfr-tab[data-tab="loop"]');
      assert.deepEqual(await page.locator('.nfr-table thead th').allInnerTexts(), ['Blocked for', '', 'Thread', 'Where', 'Start']);
      const rows = await page.locator('.nfr-table tbody tr').allInnerTexts();
      assert.match(rows[0]!, /842 ms\s+Main thread\s+renderRows/);
      assert.ok(rows.some((row) => /264 ms\s+Worker 1 — image-resize\.js\s+resizeImage \S*image-resize\.js:27/.test(row)), rows.join('\n'));
    } finally {
      await page.close();
    }
  });

  test('the Errors tab\'s count is what it lists: failed requests and console errors as well as exceptions', async () => {
    const page = await openPage(servers.snapshot!);
    try {
      const badge = page.locator('.nfr-tab[data-tab="errors"] .nfr-tab-count');
      await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).document.querySelector('.nfr-tab[data-tab="errors"] .nfr-tab-count')?.textContent ?? '') !== '', undefined, { timeout: 5_000 });
      await page.click('.nfr-tab[data-tab="errors"]');
      const rows = await page.locator('.nfr-table tbody tr').allInnerTexts();
      assert.equal(await badge.innerText(), String(rows.length));
      assert.ok(rows.some((row) => /Unhandled rejection/.test(row)), rows.join('\n'));
      assert.ok(rows.some((row) => /ECONNRESET: upstream closed the connection/.test(row)), 'a failed request is counted and listed');
    } finally {
      await page.close();
    }
  });

  test('shift-drag selects a range and the Range tab aggregates it', async () => {
    const page = await openPage(servers.snapshot!);
    try {
      const box = (await page.locator('.nfr-canvas').boundingBox())!;
      await page.keyboard.down('Shift');
      await page.mouse.move(box.x + 400, box.y + 100);
      await page.mouse.down();
      await page.mouse.move(box.x + 900, box.y + box.height - 20, { steps: 6 });
      await page.mouse.up();
      await page.keyboard.up('Shift');
      await page.waitForSelector('.nfr-tab-active[data-tab="selection"]', { timeout: 5_000 });
      const text = await page.locator('.nfr-panel-body').innerText();
      assert.match(text, /selected/);
      assert.match(text, /spans in \d+ tracks/);
      assert.ok(await page.locator('.nfr-panel-body .nfr-table tbody tr').count() > 0);
    } finally {
      await page.close();
    }
  });

  test('the view state in the URL hash is restored on reload', async () => {
    const page = await openPage(servers.snapshot!);
    try {
      const initial = await hook(page);
      const start = initial.startUs + (initial.endUs - initial.startUs) * 0.4;
      const end = start + 250_000;
      const state = encodeURIComponent(JSON.stringify({ viewStartTs: start, viewEndTs: end, tab: 'gc' }));
      await page.goto(`${servers.snapshot!.url}#state=${state}`);
      await page.waitForSelector('.nfr-canvas', { timeout: 15_000 });
      await page.reload();
      await page.waitForSelector('.nfr-tab-active[data-tab="gc"]', { timeout: 15_000 });
      const restored = await hook(page);
      assert.ok(Math.abs(restored.startUs - start) < 1 && Math.abs(restored.endUs - end) < 1, JSON.stringify(restored));
    } finally {
      await page.close();
    }
  });

  test('a truncated file shows an error message, not a blank page', async () => {
    const page = await openPage(servers.truncated!);
    try {
      await page.waitForSelector('.nfr-error', { timeout: 5_000 });
      const text = await page.locator('.nfr-error').innerText();
      assert.match(text, /cannot be shown/);
      assert.match(text, /truncated\.nodetrace\.json/);
      assert.match(text, /ends early|cut off|truncated/i);
      assert.equal(await page.title(), 'truncated.nodetrace.json — Flight Recorder');
    } finally {
      await page.close();
    }
  });

  test('hostile names are shown as text and never run', async () => {
    const errors: string[] = [];
    const page = await openPage(servers.hostile!, errors);
    try {
      await page.fill('.nfr-search-input', '<img');
      await page.press('.nfr-search-input', 'Enter');
      await page.waitForSelector('.nfr-details-title', { timeout: 5_000 });
      assert.equal(await page.locator('.nfr-details-title').innerText(), HOSTILE_NAMES[0]);
      await page.fill('.nfr-search-input', '</script>');
      await page.press('.nfr-search-input', 'Enter');
      await page.waitForFunction((name) => (globalThis as unknown as PageGlobals).document.querySelector('.nfr-details-title')?.textContent === name, HOSTILE_NAMES[1], { timeout: 5_000 });
      await page.click('.nfr-tab[data-tab="requests"]');
      assert.ok((await page.locator('.nfr-table').innerText()).includes(HOSTILE_NAMES[0]!));
      // Hover everything once: tooltips are built from the same strings.
      const box = (await page.locator('.nfr-canvas').boundingBox())!;
      for (let x = 220; x < box.width; x += 40) await page.mouse.move(box.x + x, box.y + 250);
      const pwned = await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned);
      assert.equal(pwned, undefined);
      // The CSP itself: an inline script without the nonce does not run.
      await page.addScriptTag({ content: 'window.__pwned = 3;' }).catch(() => undefined);
      assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined);
      errors.splice(0, errors.length, ...errors.filter((e) => !/Content Security Policy/.test(e)));
      assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('img, iframe, object').length), 0);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('opens .cpuprofile files and plain Chrome traces', async () => {
    for (const key of ['cpuprofile', 'chrome'] as const) {
      const errors: string[] = [];
      const page = await openPage(servers[key]!, errors);
      try {
        assert.equal(await page.locator('.nfr-error').count(), 0, `${key} opens`);
        assert.ok(await canvasColours(page) > 8);
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    }
    const page = await openPage(servers.cpuprofile!);
    try {
      await page.click('.nfr-tab[data-tab="cpu"]');
      assert.match(await page.locator('.nfr-table').innerText(), /crunchNumbers/);
    } finally {
      await page.close();
    }
  });

  test('the server answers only its own loopback origin, with a nonce CSP', async () => {
    const url = new URL(servers.snapshot!.url);
    const get = (path: string, host: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: url.port, path, headers: { host }, timeout: 5_000 }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
      });
    const page = await get('/', url.host);
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    assert.match(csp, /default-src 'none'/);
    assert.ok(page.body.includes(`<script nonce="${nonce}" src="/viewer.js">`));
    const trace = await get('/trace', url.host);
    assert.equal(trace.status, 200);
    assert.equal(Number(trace.headers['content-length']), Buffer.byteLength(trace.body), 'Content-Length drives the download progress');
    assert.equal((await get('/', 'evil.example:80')).status, 421);
    assert.equal((await get('/../../etc/passwd', url.host)).status, 404);
  });

  test('cli view exits 1 with a message for a missing file', async () => {
    const { code, stderr } = await runViewUntilExit(join(dir, 'missing.json'));
    assert.equal(code, 1);
    assert.match(stderr, /missing\.json/);
  });

  test('cli view refuses a file larger than the viewer can open, saying why', async () => {
    // Sparse: 1 GiB on paper, no blocks on disk.
    const huge = join(dir, 'huge.nodetrace.json');
    const handle = openSync(huge, 'w');
    try {
      ftruncateSync(handle, 1024 * 1024 * 1024);
    } finally {
      closeSync(handle);
    }
    try {
      const { code, stderr } = await runViewUntilExit(huge);
      assert.equal(code, 1);
      assert.match(stderr, /huge\.nodetrace\.json: This file is 1024 MiB; the viewer opens traces up to \d+ MiB/);
    } finally {
      rmSync(huge, { force: true });
    }
  });
});

async function runViewUntilExit(file: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...viewCommand(), file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, stderr };
}
