// The watchdog lowers its own thread's priority, and only its own: the program keeps its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

test('a thread lowers its own priority and leaves the process main thread alone', { skip: process.platform !== 'linux' && 'needs /proc/thread-self (Linux)' }, async () => {
  const before = getPriority(process.pid);
  // The worker loads the same module the watchdog runs (TypeScript, through tsx's require hook).
  const modulePath = fileURLToPath(new URL('../../src/recorder/watchdog/low-priority.ts', import.meta.url));
  const source = `require('tsx/cjs');
    const { getPriority } = require('node:os');
    const tid = require(${JSON.stringify(modulePath)}).lowerThisThreadsPriority(10);
    require('node:worker_threads').parentPort.postMessage({ tid, priority: tid > 0 ? getPriority(tid) : null });`;
  const worker = new Worker(source, { eval: true });
  try {
    const answer = await new Promise<{ tid: number; priority: number | null }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.ok(answer.tid > 0 && answer.tid !== process.pid, `a thread id of its own (${answer.tid})`);
    assert.equal(answer.priority, Math.min(19, before + 10));
    assert.equal(getPriority(process.pid), before, 'the main thread keeps its priority');
  } finally {
    await worker.terminate();
  }
});
