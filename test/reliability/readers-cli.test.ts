// `node dist/cli.js summary` and `validate` on bad files: empty, whitespace, non-JSON, truncated,
// deeply nested, wrong shape, seeded mutations, a missing file and a directory. Each ends with
// exit 1 and one clear line on stderr (or exit 0 for a mutation that is still readable) — never
// a stack trace, a signal, a hang or exit 2 (usage errors only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deeplyNested, mutate, syntheticSnapshot } from './corpus';
import { CLI, plainEnv, run, seededRandom, tempDir, type RunResult } from './helpers';

const scratch = tempDir('readers-cli');
after(() => scratch.remove());

const valid = JSON.stringify(syntheticSnapshot({ requests: 30 }), null, 1);
const files: Record<string, { text: string; mustFail: boolean }> = {
  'empty': { text: '', mustFail: true },
  'whitespace': { text: '\n \n\t', mustFail: true },
  'not JSON (binary)': { text: String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 97 + 5) % 256)), mustFail: true },
  'not JSON (html)': { text: '<!doctype html><script>alert(1)</script>', mustFail: true },
  'truncated at 10%': { text: valid.slice(0, Math.floor(valid.length * 0.1)), mustFail: true },
  'truncated at 99%': { text: valid.slice(0, Math.floor(valid.length * 0.99)), mustFail: true },
  'JSON null': { text: 'null', mustFail: true },
  'wrong shape (object)': { text: '{"hello":"world"}', mustFail: true },
  'traceEvents not an array': { text: '{"traceEvents":"nope","metadata":{}}', mustFail: true },
  'nested 10^6 (top level)': { text: deeplyNested(1_000_000, 'top'), mustFail: false },
  'nested 10^6 (in args)': { text: deeplyNested(1_000_000, 'args'), mustFail: false },
  'nested 10^6 (in metadata)': { text: deeplyNested(1_000_000, 'metadata'), mustFail: false },
};
const random = seededRandom(7);
for (let i = 0; i < 6; i++) {
  const { text, how } = mutate(random, [valid]);
  files[`mutation ${i} (${how}, seed 7)`] = { text, mustFail: false };
}

const paths: Record<string, string> = {};
before(() => {
  let n = 0;
  for (const [name, { text }] of Object.entries(files)) {
    const path = join(scratch.path, `bad-${n++}.nodetrace.json`);
    writeFileSync(path, text);
    paths[name] = path;
  }
});

function assertClearEnd(result: RunResult, what: string, mustFail: boolean): void {
  assert.equal(result.timedOut, false, `${what}: hung (killed after the time bound)`);
  assert.equal(result.signal, null, `${what}: died of ${result.signal}`);
  assert.ok(result.code === 1 || (!mustFail && result.code === 0), `${what}: exit ${result.code} (expected 1${mustFail ? '' : ' or 0'}); stderr: ${result.stderr.slice(0, 500)}`);
  assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${what}: a stack trace on stderr:\n${result.stderr.slice(0, 800)}`);
  assert.doesNotMatch(result.stderr, /Cannot read propert|is not a function|Maximum call stack|heap out of memory|ERR_STRING_TOO_LONG/, `${what}: an internal error leaked: ${result.stderr.slice(0, 300)}`);
  if (result.code === 1) assert.ok(result.stderr.trim().length > 0, `${what}: exit 1 without a message on stderr`);
}

describe('summary and validate on bad files', { concurrency: 2 }, () => {
  test('dist/cli.js exists', () => assert.ok(existsSync(CLI), 'dist/cli.js is missing (build the cli)'));
  for (const [name, { mustFail }] of Object.entries(files)) {
    test(`summary: ${name}`, async () => {
      const result = await run(process.execPath, [CLI, 'summary', paths[name] as string], { env: plainEnv(), timeoutMs: 30_000 });
      assertClearEnd(result, `summary ${name}`, mustFail);
    });
  }
  for (const name of ['empty', 'truncated at 99%', 'nested 10^6 (in metadata)', Object.keys(files).find((k) => k.startsWith('mutation 0')) as string]) {
    test(`summary --json: ${name}`, async () => {
      const result = await run(process.execPath, [CLI, 'summary', paths[name] as string, '--json'], { env: plainEnv(), timeoutMs: 30_000 });
      assertClearEnd(result, `summary --json ${name}`, files[name]?.mustFail ?? false);
      if (result.code === 0) assert.doesNotThrow(() => JSON.parse(result.stdout), 'summary --json printed something that is not JSON');
    });
  }
  for (const name of ['empty', 'not JSON (binary)', 'truncated at 99%', 'nested 10^6 (in args)', 'nested 10^6 (in metadata)']) {
    test(`validate: ${name}`, async () => {
      const result = await run(process.execPath, [CLI, 'validate', paths[name] as string], { env: plainEnv(), timeoutMs: 30_000 });
      assertClearEnd(result, `validate ${name}`, files[name]?.mustFail ?? false);
    });
  }
  test('summary of a missing file and of a directory: exit 1 with a message', async () => {
    const missing = await run(process.execPath, [CLI, 'summary', join(scratch.path, 'missing.nodetrace.json')], { env: plainEnv(), timeoutMs: 30_000 });
    assertClearEnd(missing, 'summary missing', true);
    const dir = join(scratch.path, 'a-dir.nodetrace.json');
    mkdirSync(dir, { recursive: true });
    const directory = await run(process.execPath, [CLI, 'summary', dir], { env: plainEnv(), timeoutMs: 30_000 });
    assertClearEnd(directory, 'summary directory', true);
  });
  test('summary without a file is a usage error: exit 2 and one line', async () => {
    const result = await run(process.execPath, [CLI, 'summary'], { env: plainEnv(), timeoutMs: 30_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.trim().length > 0);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });
});
