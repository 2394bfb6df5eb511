// The inline trace reads a snapshot on a worker thread (dist/inline-worker.js, started by
// dist/extension.js: src/extension/inline/inline-items.ts), so a large snapshot no longer
// holds the extension host's thread for seconds. The bundled worker must give the items the
// extension's own thread would make, and say why for a file it cannot read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { inlineItemsHere, type InlineWorkerMessage } from '../../src/extension/inline/inline-items';
import { serializeSnapshot } from '../../src/format/write';
import { makeSnapshot } from '../browser/fixture-trace';
import { ROOT, removeDir, tempDir } from './cli-helpers';

const WORKER = join(ROOT, 'dist', 'inline-worker.js');
const dir = tempDir('inline-worker');
const file = join(dir, 'shop-api-48213-20261125T143207Z-slow_request.nodetrace.json');
const truncated = join(dir, 'truncated.nodetrace.json');

before(() => {
  assert.ok(existsSync(WORKER), 'dist/inline-worker.js is missing: run `npm run build` (npm test builds it)');
  const text = serializeSnapshot(makeSnapshot({ windowSeconds: 10, cpuIntervalUs: 1000, seed: 3 }));
  writeFileSync(file, text);
  writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
});
after(() => removeDir(dir));

function inWorker(path: string): Promise<InlineWorkerMessage> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { file: path } });
    worker.once('message', (message: InlineWorkerMessage) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

test('the bundled worker gives the items the extension\'s thread makes', async () => {
  const here = await inlineItemsHere(file);
  assert.ok(here.items.length > 0, 'the fixture has inline items (loop blocks, hot lines, slow spans)');
  const answer = await inWorker(file);
  assert.ok('ok' in answer, 'error' in answer ? answer.error : '');
  // (Compared as JSON: a posted object keeps its properties that are undefined.)
  assert.deepEqual(JSON.parse(JSON.stringify(answer.ok)), JSON.parse(JSON.stringify(here)));
});

test('a file the worker cannot read: it says why, as the extension\'s thread does', async () => {
  const answer = await inWorker(truncated);
  assert.ok('error' in answer, 'a truncated snapshot gives no items');
  await assert.rejects(inlineItemsHere(truncated), (error: Error) => error.message === answer.error);
  const missing = await inWorker(join(dir, 'missing.nodetrace.json'));
  assert.ok('error' in missing && /ENOENT|no such file/.test(missing.error), 'error' in missing ? missing.error : 'no error');
});
