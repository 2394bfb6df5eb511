// Source maps for "reveal": a generated location maps back to the original file and line, for
// linked and inline maps; files without a map, or whose original is missing, map to nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { mapToOriginal } from '../../src/extension/timeline/source-map';

const ORIGINAL = [
  'export function first(): number {',
  '  return 1;',
  '}',
  '',
  'export function hot(n: number): number {',
  '  let total = 0;',
  '  for (let i = 0; i < n; i++) total += i;',
  '  return total;',
  '}',
  '',
].join('\n');

function build(sourcemap: 'linked' | 'inline'): { dir: string; out: string; source: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-sourcemap-'));
  const source = path.join(dir, 'src', 'app.ts');
  fs.mkdirSync(path.dirname(source));
  fs.writeFileSync(source, ORIGINAL);
  const out = path.join(dir, 'dist', 'app.js');
  buildSync({ entryPoints: [source], outfile: out, bundle: true, format: 'cjs', platform: 'node', sourcemap, logLevel: 'silent' });
  return { dir, out, source };
}

function generatedLineOf(file: string, text: string): number {
  return fs.readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(text)) + 1;
}

for (const kind of ['linked', 'inline'] as const) {
  test(`a ${kind} source map maps the bundle's line back to the TypeScript source`, async () => {
    const { dir, out, source } = build(kind);
    try {
      const line = generatedLineOf(out, 'total += i');
      assert.ok(line > 0);
      const mapped = await mapToOriginal({ file: out, lineNumber: line, columnNumber: 5 });
      assert.equal(mapped?.file, source);
      assert.equal(mapped?.lineNumber, 7);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('no map, a broken map, or a missing original give undefined', async () => {
  const { dir, out, source } = build('linked');
  try {
    const plain = path.join(dir, 'plain.js');
    fs.writeFileSync(plain, 'console.log(1);\n');
    assert.equal(await mapToOriginal({ file: plain, lineNumber: 1, columnNumber: 1 }), undefined);
    fs.rmSync(source);
    assert.equal(await mapToOriginal({ file: out, lineNumber: generatedLineOf(out, 'total += i'), columnNumber: 5 }), undefined);
    fs.writeFileSync(`${out}.map`, '{ not json');
    assert.equal(await mapToOriginal({ file: out, lineNumber: 2, columnNumber: 1 }), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
