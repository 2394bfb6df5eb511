// The benchmark's repair of V8's perf map (test/bench/lib/perf-map.mjs): attribution's numbers
// depend on samples at a reused code address being named by the code that lives there now.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { keepNewestPerfMapLines } from '../bench/lib/perf-map.mjs';

function withMap(lines, check) {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-perf-map-'));
  try {
    const path = join(dir, 'perf-1.map');
    writeFileSync(path, lines.join('\n') + '\n');
    const dropped = keepNewestPerfMapLines(path);
    check(dropped, readFileSync(path, 'utf8').split('\n').filter((line) => line !== ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a reused address keeps only its newest line; untouched lines stay in order', () => {
  withMap([
    '1000 100 JS:*old recorder.js:1:1',
    '2000 40 JS:*unrelated node:http:1:1',
    '1080 20 JS:*resOnFinish node:_http_server:966:21',
    '3000 10 JS:*alone x.js:1:1',
  ], (dropped, lines) => {
    assert.equal(dropped, 1);
    assert.deepEqual(lines, [
      '2000 40 JS:*unrelated node:http:1:1',
      '1080 20 JS:*resOnFinish node:_http_server:966:21',
      '3000 10 JS:*alone x.js:1:1',
    ]);
  });
});

test('an old line overlapped by two newer ones at either end goes; the newer ones both stay', () => {
  withMap([
    '100 300 JS:*big a.js:1:1',
    '100 80 JS:*first b.js:1:1',
    '300 80 JS:*second c.js:1:1',
  ], (dropped, lines) => {
    assert.equal(dropped, 1);
    assert.deepEqual(lines, ['100 80 JS:*first b.js:1:1', '300 80 JS:*second c.js:1:1']);
  });
});

test('lines that only touch end to end are not overlaps, and a map with none is left as it is', () => {
  withMap(['10 10 JS:*a a.js:1:1', '20 10 JS:*b b.js:1:1', '30 10 JS:*c c.js:1:1'], (dropped, lines) => {
    assert.equal(dropped, 0);
    assert.deepEqual(lines, ['10 10 JS:*a a.js:1:1', '20 10 JS:*b b.js:1:1', '30 10 JS:*c c.js:1:1']);
  });
});
