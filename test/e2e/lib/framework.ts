// The tiny test framework the end-to-end suites use inside the VS Code extension host.
//
// A suite is any `test/e2e/suite/<name>.ts` (except index.ts). Each is bundled on its own by the
// harness into `.e2e/out/suite/<name>.js` and loaded by the suite's index, so the registry lives
// on `globalThis` (every bundle has its own copy of this file). Usage:
//
//   import { test, after } from '../lib/framework';
//   test('captures from the palette', async () => { ... }, { timeoutMs: 60_000 });
//   after(async () => { /* kill what the suite started */ });
//
// Tests of one file run in order; files run in name order. A test fails by throwing.
// `ui` (../lib/ui) asks the harness to drive the real workbench through Playwright.

export interface E2ETest {
  file: string;
  name: string;
  timeoutMs: number;
  run: () => Promise<void>;
}

interface Registry {
  tests: E2ETest[];
  afterHooks: Array<() => Promise<void> | void>;
  currentFile: string;
  /** Lines the running test wants printed with its result (figures, not assertions). */
  notes: string[];
}

const KEY = '__flightRecorderE2E';

export function registry(): Registry {
  const holder = globalThis as unknown as Record<string, Registry | undefined>;
  holder[KEY] ??= { tests: [], afterHooks: [], currentFile: '', notes: [] };
  return holder[KEY];
}

export function test(name: string, run: () => Promise<void>, options: { timeoutMs?: number } = {}): void {
  const r = registry();
  r.tests.push({ file: r.currentFile, name, run, timeoutMs: options.timeoutMs ?? 60_000 });
}

/** Prints a line with the running test's result (a measured figure, say); never fails a test. */
export function note(text: string): void {
  registry().notes.push(text);
}

/** Runs after every test of every file, whatever happened (kill processes, remove files). */
export function after(hook: () => Promise<void> | void): void {
  registry().afterHooks.push(hook);
}

export { waitFor } from '../../lib/wait-for';

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (actual !== expected) throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Rejects when `promise` takes longer than `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
