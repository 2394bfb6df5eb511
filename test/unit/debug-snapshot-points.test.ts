// Snapshot points against a real Node process: arm a line through the in-process inspector,
// run it, and see the capture called with the location while the program never pauses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conditionFor, urlRegexFor } from '../../src/recorder/snapshot-points';

const modulePath = path.resolve(__dirname, '../../src/recorder/snapshot-points.ts');

function runChild(dir: string, script: string, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(dir, 'main.ts');
  fs.writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr + (signal ? ` (killed by ${signal})` : '') });
    });
  });
}

test('urlRegexFor matches a path and its file URL, and nothing else', () => {
  const re = new RegExp(urlRegexFor('/tmp/a b/app.js'));
  assert.ok(re.test('/tmp/a b/app.js'));
  assert.ok(re.test('file:///tmp/a%20b/app.js'));
  assert.ok(!re.test('/tmp/a b/app.jsx'));
  assert.ok(!re.test('/tmp/a b/app_js'));
  assert.ok(new RegExp(urlRegexFor('file:///x/y.mjs')).test('file:///x/y.mjs'));
});

test('the condition is always false, even when the hook is missing or throws', () => {
  const key = Symbol.for('node-flight-recorder.snapshotPoint');
  const holder = globalThis as unknown as Record<symbol, unknown>;
  assert.equal(eval(conditionFor('/x.js:3')), false);
  assert.ok(/^[\x20-\x7e]*$/.test(conditionFor('/ü/📷.js:3')), 'ASCII only');
  let seen = '';
  holder[key] = (location: string) => void (seen = location);
  eval(conditionFor('/ü/📷.js:3'));
  assert.equal(seen, '/ü/📷.js:3');
  holder[key] = () => {
    throw new Error('boom');
  };
  try {
    assert.equal(eval(conditionFor('/x.js:3')), false);
  } finally {
    delete holder[key];
  }
});

test('an armed point captures at every hit of a CommonJS and an ESM line, without pausing; disarm stops it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fr-points-'));
  try {
    fs.writeFileSync(path.join(dir, 'work.cjs'), ['function handle(n) {', '  const doubled = n * 2;', '  return doubled;', '}', 'module.exports = { handle };', ''].join('\n'));
    fs.writeFileSync(path.join(dir, 'esm.mjs'), ['export function other(n) {', '  return n + 1;', '}', ''].join('\n'));
    const result = await runChild(dir, `
import { createRequire } from 'node:module';
import * as sp from ${JSON.stringify(modulePath)};
const require = createRequire(__filename);
const captures: string[] = [];
sp.installSnapshotPoints((r) => { captures.push(r.source + ' ' + r.location); return 'written.json'; });
const cjs = ${JSON.stringify(path.join(dir, 'work.cjs'))};
const esm = ${JSON.stringify(path.join(dir, 'esm.mjs'))};
(async () => {
  const { handle } = require(cjs);
  const armed = await sp.armSnapshotPoint(cjs, 2);
  const armedEsm = await sp.armSnapshotPoint(esm, 2); // before the module loads: binds on load
  const { other } = await import(esm);
  const bad = await sp.armSnapshotPoint('', 0);
  let sum = 0;
  for (let i = 0; i < 3; i++) sum += handle(i) + other(i);
  const listed = sp.armedSnapshotPoints();
  await sp.disarmSnapshotPoint(cjs, 2);
  handle(9);
  await sp.disarmSnapshotPoint(esm, 2);
  other(9);
  console.log(JSON.stringify({ armed, armedEsm, bad, sum, captures, listed }));
})();
`);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() as string);
    assert.deepEqual(out.armed, { ok: true, locations: 1 });
    assert.equal(out.armedEsm.ok, true);
    assert.equal(out.bad.ok, false);
    assert.equal(out.sum, 0 + 2 + 4 + 1 + 2 + 3);
    const cjsHits = out.captures.filter((c: string) => c.includes('work.cjs:2'));
    const esmHits = out.captures.filter((c: string) => c.includes('esm.mjs:2'));
    assert.equal(cjsHits.length, 3, JSON.stringify(out.captures));
    assert.equal(esmHits.length, 3, JSON.stringify(out.captures));
    assert.ok(cjsHits.every((c: string) => c.startsWith('snapshotPoint ')));
    assert.equal(out.listed.length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a point skips hits while its previous capture is in flight', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fr-points-'));
  try {
    fs.writeFileSync(path.join(dir, 'work.cjs'), ['function handle(n) {', '  return n;', '}', 'module.exports = { handle };', ''].join('\n'));
    const result = await runChild(dir, `
import { createRequire } from 'node:module';
import * as sp from ${JSON.stringify(modulePath)};
const require = createRequire(__filename);
let calls = 0;
let release: () => void = () => {};
sp.installSnapshotPoints(() => { calls++; return new Promise<void>((r) => (release = r)); });
const cjs = ${JSON.stringify(path.join(dir, 'work.cjs'))};
(async () => {
  const { handle } = require(cjs);
  await sp.armSnapshotPoint(cjs, 2);
  handle(1); handle(2); handle(3);
  const during = calls;
  release();
  await new Promise((r) => setImmediate(r));
  handle(4);
  const listed = sp.armedSnapshotPoints();
  sp.uninstallSnapshotPoints();
  handle(5);
  console.log(JSON.stringify({ during, calls, listed }));
})();
`);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() as string);
    assert.equal(out.during, 1);
    assert.equal(out.calls, 2);
    assert.equal(out.listed[0].skipped, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a point armed from a worker thread (the watchdog serves the control channel) binds in the main thread', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fr-points-'));
  try {
    fs.writeFileSync(path.join(dir, 'work.cjs'), ['function handle(n) {', '  return n * 2;', '}', 'module.exports = { handle };', ''].join('\n'));
    const tsxCjs = require.resolve('tsx/cjs');
    const result = await runChild(dir, `
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import * as sp from ${JSON.stringify(modulePath)};
const require = createRequire(__filename);
const captures: string[] = [];
sp.installSnapshotPoints((r) => { captures.push(r.location); return 'x'; });
const cjs = ${JSON.stringify(path.join(dir, 'work.cjs'))};
const { handle } = require(cjs);
const worker = new Worker(\`
const { parentPort } = require('node:worker_threads');
require(\${JSON.stringify(${JSON.stringify(tsxCjs)})});
const sp = require(\${JSON.stringify(${JSON.stringify(modulePath)})});
// Like the watchdog, the worker lives on: a session's breakpoints go when it disconnects.
setInterval(() => {}, 1000);
sp.armSnapshotPoint(\${JSON.stringify(cjs)}, 2).then((r) => parentPort.postMessage(r));
\`, { eval: true });
worker.on('message', (armed) => {
  for (let i = 0; i < 3; i++) handle(i);
  console.log(JSON.stringify({ armed, captures }));
  void worker.terminate();
});
worker.on('error', (error) => { console.log(JSON.stringify({ error: String(error) })); });
`);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() as string);
    assert.deepEqual(out.armed, { ok: true, locations: 1 });
    assert.equal(out.captures.length, 3, JSON.stringify(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
