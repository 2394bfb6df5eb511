// Entry of the end-to-end test module (VS Code's `extensionTestsPath`): runs inside the real
// extension host under code-server (test/e2e/run-code-server.mjs) or @vscode/test-electron
// (test/e2e/run-electron.mjs). Loads every bundled suite next to it (`<name>.js`, name order),
// runs their tests one at a time with a time bound each, and appends one JSON line per test to
// the file named by FLIGHT_RECORDER_E2E_RESULTS, which the harness prints. A filter regex in
// FLIGHT_RECORDER_E2E_FILTER (matched against "file: name") runs a subset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { registry, withTimeout } from '../lib/framework';
import { ui } from '../lib/ui';

interface ResultLine {
  file: string;
  name: string;
  ok: boolean;
  durationMs: number;
  error?: string;
  notes?: string[];
}

function record(line: ResultLine | { done: true; passed: number; failed: number } | { event: 'start'; tests: number }): void {
  const file = process.env.FLIGHT_RECORDER_E2E_RESULTS;
  if (file) fs.appendFileSync(file, JSON.stringify(line) + '\n');
  else console.log(JSON.stringify(line));
}

export async function run(): Promise<void> {
  const r = registry();
  const dir = __dirname;
  const files = fs.readdirSync(dir).filter((name) => name.endsWith('.js') && name !== 'index.js').sort();
  for (const name of files) {
    r.currentFile = name.replace(/\.js$/, '');
    try {
      // The suites are separate bundles; a plain require keeps them out of this bundle.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(dir, name));
    } catch (error) {
      record({ file: r.currentFile, name: '(load)', ok: false, durationMs: 0, error: describe(error) });
    }
  }
  record({ event: 'start', tests: r.tests.length });
  const filter = process.env.FLIGHT_RECORDER_E2E_FILTER ? new RegExp(process.env.FLIGHT_RECORDER_E2E_FILTER) : undefined;
  let passed = 0;
  let failed = 0;
  for (const t of r.tests) {
    if (filter && !filter.test(`${t.file}: ${t.name}`)) continue;
    const started = Date.now();
    r.notes = [];
    try {
      await withTimeout(t.run(), t.timeoutMs, `test "${t.name}"`);
      passed++;
      record({ file: t.file, name: t.name, ok: true, durationMs: Date.now() - started, notes: r.notes });
    } catch (error) {
      failed++;
      if (ui.available) await ui.screenshot(`${t.file}-${t.name}`).catch(() => undefined);
      record({ file: t.file, name: t.name, ok: false, durationMs: Date.now() - started, error: describe(error), notes: r.notes });
    }
  }
  for (const hook of r.afterHooks) {
    try {
      await withTimeout(Promise.resolve(hook()), 10_000, 'after hook');
    } catch {}
  }
  record({ done: true, passed, failed });
  if (failed > 0) throw new Error(`${failed} end-to-end test(s) failed`);
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error.stack ?? error.message).split('\n').slice(0, 6).join('\n');
  return String(error);
}
