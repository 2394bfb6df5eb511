// A snapshot file is put in place without overwriting another, and one request asked of the
// watchdog is published by exactly one writer: the watchdog, or the main thread at exit — the
// race a loaded machine lost once, writing a request twice as the program exited.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeSnapshot, PublishedElsewhereError } from '../../src/recorder/snapshot/write-file';
import { claimAtExit, newWriteClaim, watchdogGate, type PublishGate } from '../../src/recorder/snapshot/write-claim';
import type { SnapshotInput } from '../../src/recorder/snapshot/build';
import { Ring } from '../../src/recorder/ring/index';
import { MIN_RING_BYTES } from '../../src/recorder/ring/layout';
import { defaultOptions } from '../../src/recorder/config';
import { gatherFacts } from '../../src/recorder/snapshot/facts';
import { snapshotFileName } from '../../src/format/snapshot';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-publish-'));
  dirs.push(dir);
  return dir;
}

const WHEN = new Date(Date.UTC(2026, 10, 28, 10, 0, 0));

function input(): SnapshotInput {
  const options = defaultOptions();
  return {
    facts: gatherFacts(options), options, trigger: { reason: 'statusAtLeast', source: 'rule', ts: 1 },
    threads: [{ tid: 0, name: 'main', bytes: new Uint8Array(new Ring(MIN_RING_BYTES).buffer) }],
    clockSync: { ts: 0, epochMs: WHEN.getTime() }, hookErrors: 0, usedBytes: 0,
  };
}

const nameFor = (snapshot: SnapshotInput) => snapshotFileName(snapshot.facts.programName, snapshot.facts.pid, WHEN, snapshot.trigger.reason);

test('a file given the snapshot\'s name while it was being written is kept: the snapshot takes the next name', () => {
  const dir = outDir();
  const snapshot = input();
  const theirs = join(dir, nameFor(snapshot));
  // Another thread publishes under the same name after this writer has begun (the old writer
  // chose its name at the start, and its rename then replaced the other file).
  const gate: PublishGate = { claim: () => (writeFileSync(theirs, 'the other writer\'s file'), true), published: () => {}, failed: () => {} };
  const written = writeSnapshot(snapshot, dir, WHEN, undefined, gate);
  assert.equal(readFileSync(theirs, 'utf8'), 'the other writer\'s file');
  assert.match(written.path, /-2\.nodetrace\.json$/);
  assert.equal(JSON.parse(readFileSync(written.path, 'utf8')).metadata.trigger.reason, 'statusAtLeast');
  assert.deepEqual(readdirSync(dir).sort(), [nameFor(snapshot), nameFor(snapshot).replace('.nodetrace.json', '-2.nodetrace.json')].sort(), 'no temp file left');
});

test('a request the main thread took at exit: the watchdog\'s complete file is thrown away, not published', () => {
  const dir = outDir();
  const claim = new Int32Array(newWriteClaim());
  assert.equal(claimAtExit(claim), true, 'pending: the main thread writes it');
  assert.throws(() => writeSnapshot(input(), dir, WHEN, undefined, watchdogGate(claim)), PublishedElsewhereError);
  assert.deepEqual(readdirSync(dir), [], 'neither a snapshot nor a temp file');
  assert.equal(claimAtExit(claim), false, 'and never twice');
});

test('a request the watchdog published is not written again at exit', () => {
  const dir = outDir();
  const claim = new Int32Array(newWriteClaim());
  writeSnapshot(input(), dir, WHEN, undefined, watchdogGate(claim));
  assert.equal(readdirSync(dir).length, 1);
  assert.equal(claimAtExit(claim), false);
});

/** The watchdog's side in a thread of its own: claims, then after `delayMs` publishes or fails. */
function watchdogThread(claim: SharedArrayBuffer, outcome: 'published' | 'failed', delayMs: number): Promise<Worker> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
    const { watchdogGate } = require('tsx/cjs/api').require('./src/recorder/snapshot/write-claim.ts', workerData.from);
    const gate = watchdogGate(new Int32Array(workerData.claim));
    parentPort.postMessage(gate.claim());
    setTimeout(() => gate[workerData.outcome](), workerData.delayMs);`,
    { eval: true, workerData: { claim, outcome, delayMs, from: join(process.cwd(), 'here.ts') } },
  );
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (claimed: boolean) => (claimed ? resolve(worker) : reject(new Error('the watchdog thread could not claim a pending request'))));
  });
}

test('at exit, the main thread waits while the watchdog puts its file in place, and does not write it again', async () => {
  const claim = newWriteClaim();
  const worker = await watchdogThread(claim, 'published', 300);
  const start = performance.now();
  assert.equal(claimAtExit(new Int32Array(claim)), false);
  assert.ok(performance.now() - start >= 200, `waited ${performance.now() - start} ms for the watchdog`);
  await worker.terminate();
});

test('at exit, a watchdog whose rename failed leaves the request to the main thread', async () => {
  const claim = newWriteClaim();
  const worker = await watchdogThread(claim, 'failed', 300);
  assert.equal(claimAtExit(new Int32Array(claim)), true);
  await worker.terminate();
});
