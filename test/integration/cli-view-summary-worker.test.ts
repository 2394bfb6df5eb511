// `cli view` builds the event summary on a worker thread (dist/summary-worker.js, started by
// dist/cli.js): the summary it serves must be byte for byte the one built on the caller's own
// thread from the same file, and the server must answer its page while it builds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSummaryHere } from '../../src/client/trace-summary';
import { serializeSnapshot } from '../../src/format/write';
import { startView } from '../browser/harness';
import { makeSnapshot } from '../browser/fixture-trace';
import { ROOT, removeDir, tempDir } from './cli-helpers';

const WORKER = join(ROOT, 'dist', 'summary-worker.js');
const dir = tempDir('cli-view-worker');
const file = join(dir, 'server-77-20261126T060000Z-check.nodetrace.json');

before(() => {
  assert.ok(existsSync(WORKER), 'dist/summary-worker.js is missing: run `npm run build` (npm test builds it)');
  writeFileSync(file, serializeSnapshot(makeSnapshot({ windowSeconds: 20, requestsPerSecond: 400, cpuIntervalUs: 1000, seed: 5 })));
});
after(() => removeDir(dir));

test('the summary cli view builds on its worker thread is the one built in-thread, byte for byte', async () => {
  const view = await startView(file, 30_000);
  try {
    // Asked at once: the page and the summary are served while the worker builds.
    const page = await fetch(view.url);
    assert.equal(page.status, 200);
    const answer = await fetch(new URL('trace/summary', view.url));
    assert.equal(answer.headers.get('x-summary-built-on'), 'worker', 'cli view built the summary on its own thread: the worker failed or is missing');
    const served = new Uint8Array(await answer.arrayBuffer());
    const here = await buildSummaryHere(file);
    assert.ok('summary' in here, 'reason' in here ? here.reason : '');
    const expected = new Uint8Array(Buffer.concat(here.summary.pieces));
    assert.ok(served.length > 100_000, `a summary of ${served.length} bytes is too small for this file`);
    assert.equal(served.length, expected.length);
    assert.ok(Buffer.from(served).equals(Buffer.from(expected)), 'the served summary differs from the in-thread build');
  } finally {
    await view.stop();
  }
});
