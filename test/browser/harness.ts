// Shared by the browser tests, the screenshot script and the viewer benchmark: starts
// `node dist/cli.js view <file> --port 0` (the real command), reads the URL it prints, and
// launches Debian's Chromium through playwright-core with a fresh profile.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export interface ViewServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `node dist/cli.js view`. While the CLI's dispatcher does not bundle the view command yet
 * (its bundle lacks the page template), the command module is run from source instead.
 */
export function viewCommand(): string[] {
  let bundled: boolean;
  try {
    bundled = readFileSync(CLI, 'utf8').includes('nfr-root');
  } catch {
    bundled = false;
  }
  if (bundled) return [CLI, 'view'];
  const entry = `require(${JSON.stringify(join(ROOT, 'src/cli/view/command.ts'))}).runView(process.argv.slice(1)).then((code) => { process.exitCode = code; })`;
  return ['--import', 'tsx', '-e', entry];
}

/**
 * Starts `cli view` on a free loopback port; resolves with the printed URL (bounded wait).
 * `command`: another build's `[cli.js, 'view']` (the viewer benchmark's A/B of two builds).
 */
export function startView(file: string, timeoutMs = 15_000, extraArgs: string[] = [], command = viewCommand()): Promise<ViewServer> {
  const child = spawn(process.execPath, [...command, file, '--port', '0', ...extraArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli view printed no URL within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[0], child, stop: () => stopChild(child) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cli view exited with ${code}: ${output}`));
    });
  });
}

export function stopChild(child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface BrowserHandle {
  browser: Browser;
  close(): Promise<void>;
}

/** Playwright gives every launch a fresh temporary profile (user-data-dir) and deletes it on close. */
export async function launchChromium(): Promise<BrowserHandle> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    timeout: 30_000,
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
    },
  };
}

/** What the viewer exposes for automation (src/viewer/ui/app.ts, exposeAutomation). */
export interface ViewerHook {
  visibleRange(): { startUs: number; endUs: number };
  findSpanPoint(text: string): { x: number; y: number } | undefined;
  drawnLabels(): string[];
  trackCount(): number;
  firstFrameAtMs(): number;
  drawTimesMs(): number[];
  loadMarks(): Record<string, number>;
}

interface PageElement {
  textContent: string | null;
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/**
 * The few browser globals tests touch inside `page.evaluate` (this tsconfig has no DOM types);
 * use as `(globalThis as unknown as PageGlobals)` in evaluated functions.
 */
export interface PageGlobals {
  flightRecorderViewer: ViewerHook;
  __pwned?: unknown;
  document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): { length: number } };
  requestAnimationFrame(callback: () => void): number;
}
