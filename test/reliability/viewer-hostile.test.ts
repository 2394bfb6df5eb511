// The viewer (`cli view` in Debian's Chromium, driven by playwright-core) on hostile and broken
// files: hostile strings in every field — names, categories, args keys and values, metadata,
// stack frames, thread names, the file name — render as text (`window.__pwned` stays
// undefined, no injected element, no dialog); the page's CSP forbids inline scripts without the
// nonce and loads from any other origin; truncated, empty, non-JSON, deeply nested and mutated
// files show an error (or a timeline) without a page error or a crash.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { deeplyNested, mutate, syntheticSnapshot } from './corpus';
import { CLI, plainEnv, seededRandom, start, tempDir, waitFor, type Running } from './helpers';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const scratch = tempDir('viewer');
let browser: Browser | undefined;
const views: Running[] = [];

before(async () => {
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});
after(async () => {
  for (const view of views) view.kill();
  await browser?.close();
  scratch.remove();
});

/** Starts `cli view <file> --port 0`; resolves with the URL it prints, or with its exit. */
async function serve(file: string): Promise<{ url?: string; exit?: { code: number | null; stderr: string } }> {
  const view = start(process.execPath, [CLI, 'view', file, '--port', '0'], { env: plainEnv(), timeoutMs: 120_000 });
  views.push(view);
  return waitFor('cli view to print its URL or exit', () => {
    const url = /http:\/\/(?:127\.0\.0\.1|localhost):\d+\/\S*/.exec(view.stdout())?.[0];
    if (url) return { url };
    if (view.child.exitCode !== null) return { exit: { code: view.child.exitCode, stderr: view.stderr() } };
    return undefined;
  }, 15_000);
}

interface Watch {
  page: Page;
  pageErrors: string[];
  dialogs: string[];
  foreignRequests: string[];
  crashed: () => boolean;
}

async function open(url: string): Promise<Watch> {
  assert.ok(browser, `Chromium not found at ${CHROMIUM} (run scripts/setup-chromium.sh)`);
  const page = await browser.newPage();
  const origin = new URL(url).origin;
  const watch: Watch = { page, pageErrors: [], dialogs: [], foreignRequests: [], crashed: () => crashed };
  let crashed = false;
  page.on('pageerror', (error) => watch.pageErrors.push(String(error)));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) watch.foreignRequests.push(request.url());
  });
  page.on('crash', () => (crashed = true));
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return watch;
}

/** The page settled: a drawn (non-blank) canvas or a visible error text. */
async function settled(page: Page): Promise<'timeline' | 'error'> {
  return waitFor('the viewer to draw or show an error', async () => (await page.evaluate<string | null>(SETTLED_PROBE)) as 'timeline' | 'error' | null ?? undefined, 30_000, 250);
}

// Page-side code is kept as strings: the suite's TypeScript has no DOM types (tsconfig lib ES2022).
const SETTLED_PROBE = `(() => {
  const small = document.createElement('canvas');
  small.width = 64;
  small.height = 32;
  const sctx = small.getContext('2d');
  for (const canvas of Array.from(document.querySelectorAll('canvas'))) {
    if (canvas.width === 0 || canvas.height === 0 || !sctx) continue;
    sctx.clearRect(0, 0, 64, 32);
    sctx.drawImage(canvas, 0, 0, 64, 32);
    const data = sctx.getImageData(0, 0, 64, 32).data;
    const first = data.slice(0, 4).join(',');
    for (let i = 4; i < data.length; i += 4) if (data.slice(i, i + 4).join(',') !== first) return 'timeline';
  }
  // Phrases of a load error (not tab labels such as "Errors").
  const text = (document.body && document.body.innerText) || '';
  if (/cannot be (shown|read)|could not|not valid|truncated|is empty|not a trace|too deeply|too large|larger than|not JSON/i.test(text)) return 'error';
  return null;
})()`;

/** Moves over, clicks and keys through the page so that tooltips, details and tables render. */
async function exercise(page: Page): Promise<void> {
  const box = await page.evaluate<{ x: number; y: number; w: number; h: number } | null>(`(() => {
    const canvas = Array.from(document.querySelectorAll('canvas')).sort((a, b) => b.width * b.height - a.width * a.height)[0];
    const r = canvas && canvas.getBoundingClientRect();
    return r ? { x: r.x, y: r.y, w: r.width, h: r.height } : null;
  })()`);
  if (box) {
    for (let yi = 1; yi < 6; yi++) {
      for (let xi = 1; xi < 6; xi++) {
        const x = box.x + (box.w * xi) / 6;
        const y = box.y + (box.h * yi) / 6;
        await page.mouse.move(x, y);
        if ((xi + yi) % 3 === 0) await page.mouse.click(x, y);
      }
    }
  }
  for (const key of ['w', 'w', 's', 'a', 'd', '0']) await page.keyboard.press(key).catch(() => {});
  // Every tab-like control and a search for a hostile string.
  const buttons = await page.$$('button, [role="tab"]');
  for (const button of buttons.slice(0, 30)) await button.click({ timeout: 1000 }).catch(() => {});
  const search = await page.$('input[type="search"], input[type="text"], input:not([type])');
  if (search) await search.fill('<img src=x onerror="window.__pwned=1">').catch(() => {});
  await page.mouse.click(box ? box.x + box.w / 2 : 10, box ? box.y + box.h / 3 : 10).catch(() => {});
}

async function assertNothingRan(watch: Watch): Promise<void> {
  const state = await watch.page.evaluate<{ pwned: unknown; injected: number; scriptsWithoutNonce: number; links: string[] }>(`({
    pwned: window.__pwned,
    injected: document.querySelectorAll('img[src="x"], svg[onload], iframe, [onerror], [onload], [onmouseover]').length,
    scriptsWithoutNonce: Array.from(document.querySelectorAll('script')).filter((s) => !s.nonce && !s.src).length,
    links: Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href') || '').filter((h) => /^\\s*javascript:/i.test(h)),
  })`);
  assert.equal(state.pwned, undefined, 'a hostile string ran as script');
  assert.equal(state.injected, 0, 'a hostile string became markup');
  assert.deepEqual(state.links, [], 'a javascript: link was rendered');
  assert.equal(state.scriptsWithoutNonce, 0, 'an inline script without the nonce is in the page');
  assert.deepEqual(watch.dialogs, []);
  assert.deepEqual(watch.foreignRequests, [], 'the page loaded something from another origin');
  assert.equal(watch.crashed(), false, 'the page crashed');
}

describe('viewer: hostile strings', () => {
  test('every field hostile, file name too: rendered as text, nothing runs', { timeout: 120_000 }, async () => {
    const file = join(scratch.path, '<img src=x onerror=window.__pwned=9>.nodetrace.json');
    writeFileSync(file, JSON.stringify(syntheticSnapshot({ requests: 30, hostile: true })));
    const served = await serve(file);
    assert.ok(served.url, `cli view did not serve the hostile file: ${JSON.stringify(served.exit)}`);
    const watch = await open(served.url);
    try {
      assert.equal(await settled(watch.page), 'timeline', 'the hostile (but valid) snapshot was not drawn');
      await exercise(watch.page);
      await assertNothingRan(watch);
      assert.deepEqual(watch.pageErrors, []);
      const text = await watch.page.evaluate<string>('document.body.innerText');
      assert.ok(text.includes('<img src=x') || text.includes('</script>') || text.includes('<svg'), 'no hostile string is visible as text anywhere (after hover, click and search)');
    } finally {
      await watch.page.close();
    }
  });
});

describe('viewer: content security policy', () => {
  let probe: Server;
  let probeHits = 0;
  before(async () => {
    probe = createServer((_req, res) => {
      probeHits++;
      res.end('probe');
    });
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  });
  after(() => probe.close());

  test('the CSP forbids inline scripts without the nonce, eval, and loads from other origins', { timeout: 60_000 }, async (t) => {
    const file = join(scratch.path, 'csp.nodetrace.json');
    writeFileSync(file, JSON.stringify(syntheticSnapshot({ requests: 5 })));
    const served = await serve(file);
    assert.ok(served.url, JSON.stringify(served.exit));
    const response = await fetch(served.url);
    const html = await response.text();
    const header = response.headers.get('content-security-policy');
    const meta = /<meta[^>]+http-equiv=["']?content-security-policy["']?[^>]*content=["']([^"']+)["']/i.exec(html)?.[1];
    const csp = header ?? meta;
    assert.ok(csp, 'the page has no Content-Security-Policy (header or meta)');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map((d) => [d[0]!.toLowerCase(), d.slice(1)]));
    const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
    assert.ok(scriptSrc, `no script-src or default-src in ${csp}`);
    assert.ok(!scriptSrc.includes("'unsafe-inline'"), `script-src allows 'unsafe-inline': ${csp}`);
    assert.ok(!scriptSrc.includes("'unsafe-eval'"), `script-src allows 'unsafe-eval': ${csp}`);
    assert.ok(scriptSrc.some((s) => s.startsWith("'nonce-")), `script-src has no nonce: ${csp}`);
    const defaultSrc = directives.get('default-src');
    assert.ok(defaultSrc && (defaultSrc.includes("'none'") || defaultSrc.join(' ') === "'self'"), `default-src is not 'none' or 'self': ${csp}`);
    for (const [name, sources] of directives) {
      for (const source of sources) assert.ok(!/^(\*|https?:|wss?:|[a-z0-9.-]+\.[a-z]{2,})/i.test(source) || /127\.0\.0\.1|localhost/.test(source), `${name} allows a remote source ${source}: ${csp}`);
    }
    // Every inline script of the page carries the nonce.
    const nonce = scriptSrc.find((s) => s.startsWith("'nonce-"))?.slice(7, -1);
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) assert.ok(/\bsrc=/.test(tag) || tag.includes(`nonce="${nonce}"`), `a script tag without the nonce: ${tag}`);

    const watch = await open(served.url);
    try {
      await settled(watch.page);
      const probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/probe`;
      const violations = await watch.page.evaluate<string[]>(`(async (remote) => {
        const seen = [];
        document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
        const script = document.createElement('script');
        script.textContent = 'window.__pwned = "inline"';
        document.body.appendChild(script);
        const handler = document.createElement('div');
        handler.innerHTML = '<img src="data:," onerror="window.__pwned=1">';
        document.body.appendChild(handler);
        // eval from a task of the page's own (CDP's Runtime.evaluate itself may bypass CSP for eval).
        setTimeout(() => { try { (0, eval)('window.__pwned = "eval"'); } catch {} }, 0);
        try { setTimeout('window.__pwned = "timer string"', 0); } catch {}
        const img = document.createElement('img');
        img.src = remote;
        document.body.appendChild(img);
        const external = document.createElement('script');
        external.src = remote + '.js';
        document.body.appendChild(external);
        await new Promise((r) => setTimeout(r, 500));
        return seen;
      })(${JSON.stringify(probeUrl)})`);
      const pwned = await watch.page.evaluate<unknown>('window.__pwned');
      assert.equal(pwned, undefined, 'an injected inline script, handler or eval ran');
      assert.equal(probeHits, 0, 'the page loaded from another origin');
      t.diagnostic(`CSP: ${csp}; violations reported: ${violations.join(', ')}`);
    } finally {
      await watch.page.close();
    }
  });
});

describe('viewer: broken files', { concurrency: 2 }, () => {
  const valid = JSON.stringify(syntheticSnapshot({ requests: 20 }));
  const random = seededRandom(11);
  const cases: Record<string, string> = {
    empty: '',
    'not JSON': 'this is not json {',
    truncated: valid.slice(0, Math.floor(valid.length / 2)),
    'wrong shape': '{"hello":1}',
    'nested 10^5 in args': deeplyNested(100_000, 'args'),
    'nested 10^5 in metadata': deeplyNested(100_000, 'metadata'),
  };
  for (let i = 0; i < 1; i++) cases[`mutation ${i} (seed 11)`] = mutate(random, [valid]).text;
  let n = 0;
  for (const [name, text] of Object.entries(cases)) {
    test(`${name}: an error message or a timeline, never a page error or a blank page`, { timeout: 60_000 }, async () => {
      const file = join(scratch.path, `broken-${n++}.nodetrace.json`);
      writeFileSync(file, text);
      const served = await serve(file);
      if (!served.url) {
        assert.equal(served.exit?.code, 1, `cli view exited ${served.exit?.code}: ${served.exit?.stderr}`);
        assert.ok(served.exit?.stderr.trim(), 'cli view exited without a message');
        return;
      }
      const watch = await open(served.url);
      try {
        const outcome = await settled(watch.page);
        if (outcome === 'timeline') await exercise(watch.page);
        await assertNothingRan(watch);
        assert.deepEqual(watch.pageErrors, [], `page errors on ${name}`);
        if (['empty', 'not JSON', 'truncated', 'wrong shape'].includes(name)) assert.equal(outcome, 'error', `${name} shows no error message`);
      } finally {
        await watch.page.close();
      }
    });
  }
});
