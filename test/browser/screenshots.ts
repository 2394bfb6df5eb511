// Takes screenshots of the viewer on a generated snapshot (or a given file), dark and light:
//   node --import tsx test/browser/screenshots.ts [file] [outDir]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSnapshot } from './fixture-trace';
import { launchChromium, startView, type PageGlobals } from './harness';

async function main(): Promise<void> {
  let file = process.argv[2];
  const outDir = process.argv[3] ?? '/tmp/nfr-shots';
  if (!file) {
    const dir = mkdtempSync(join(tmpdir(), 'nfr-shot-'));
    file = join(dir, 'shop-api-48213-20261125T143207Z-slow_request.nodetrace.json');
    writeFileSync(file, JSON.stringify(makeSnapshot()));
  }
  const server = await startView(file);
  const handle = await launchChromium();
  try {
    for (const scheme of ['dark', 'light'] as const) {
      const page = await handle.browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: scheme });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(server.url);
      await page.waitForSelector('.nfr-canvas', { timeout: 15_000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(outDir, `${scheme}-overview.png`) });
      // Click the slow request / loop block.
      const point = await page.evaluate(() => (globalThis as unknown as PageGlobals).flightRecorderViewer.findSpanPoint('Event loop blocked'));
      const box = await page.locator('.nfr-canvas').boundingBox();
      if (point && box) await page.mouse.click(box.x + point.x, box.y + point.y);
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(outDir, `${scheme}-selected.png`) });
      await page.keyboard.press('f');
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(outDir, `${scheme}-zoomed.png`) });
      await page.click('.nfr-tab[data-tab="cpu"]');
      await page.keyboard.press('0');
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(outDir, `${scheme}-hot.png`) });
      await page.click('.nfr-tab[data-tab="requests"]');
      await page.locator('.nfr-table tbody tr').nth(0).click();
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(outDir, `${scheme}-slowest.png`) });
      await page.click('.nfr-tab[data-tab="requests"]');
      await page.locator('.nfr-table tbody tr').nth(3).click();
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(outDir, `${scheme}-request.png`) });
      await page.fill('.nfr-search-input', 'checkout');
      await page.press('.nfr-search-input', 'Enter');
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(outDir, `${scheme}-search.png`) });
      if (errors.length) console.log(scheme, 'page errors:', errors);
      await page.close();
    }
  } finally {
    await handle.close();
    await server.stop();
  }
  console.log(`screenshots in ${outDir}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
