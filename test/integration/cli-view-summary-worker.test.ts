// `cli view` builds the event summary on a worker thread (dist/summary-worker.js, started by
// dist/cli.js), a large file's on two (src/client/summary-parts.ts): the summary it serves must
// be byte for byte the one built on the caller's own thread from the same file, and the server
// must answer its page while it builds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { buildSummaryHere } from '../../src/client/trace-summary';
import { serializeSnapshot } from '../../src/format/write';
import { startView } from '../browser/harness';
import { makeLargeSnapshot, makeSnapshot } from '../browser/fixture-trace';
import { PARALLEL_MIN_BYTES } from '../../src/client/summary-parts';
import { ROOT, removeDir, tempDir } from './cli-helpers';

const WORKER = join(ROOT, 'dist', 'summary-worker.js');
const dir = tempDir('cli-view-worker');
const file = join(dir, 'server-77-20261126T060000Z-check.nodetrace.json');
const largeFile = join(dir, 'server-78-20261126T060000Z-large.nodetrace.json');

before(() => {
  assert.ok(existsSync(WORKER), 'dist/summary-worker.js is missing: run `npm run build` (npm test builds it)');
  writeFileSync(file, serializeSnapshot(makeSnapshot({ windowSeconds: 20, requestsPerSecond: 400, cpuIntervalUs: 1000, seed: 5 })));
});
after(() => removeDir(dir));

test('the summary cli view builds on its worker thread is the one built in-thread, byte for byte', async () => {
  await servesTheInThreadSummary(file, 'worker');
});

test('a large file is read by two workers, and its summary is still the one built in-thread', async () => {
  const text = serializeSnapshot(makeLargeSnapshot(150_000));
  assert.ok(text.length > PARALLEL_MIN_BYTES, `the fixture (${text.length} bytes) is too small to be split`);
  writeFileSync(largeFile, text);
  // One core: the file is read by one worker (summary-parts.ts, cutPoint).
  await servesTheInThreadSummary(largeFile, availableParallelism() >= 2 ? 'two workers' : 'worker');
});

test('while it reads a large file, cli view says how far it has read; once the summary is built, nothing', async () => {
  if (!existsSync(largeFile)) writeFileSync(largeFile, serializeSnapshot(makeLargeSnapshot(150_000)));
  const fileBytes = statSync(largeFile).size;
  const view = await startView(largeFile, 30_000);
  try {
    const summary = fetch(new URL('trace/summary', view.url)).then((answer) => answer.arrayBuffer());
    let summaryCame = false;
    void summary.then(() => (summaryCame = true));
    const fractions: number[] = [];
    while (!summaryCame) {
      const answer = await fetch(new URL('trace/progress', view.url));
      if (answer.status === 200) {
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
        const body = (await answer.json()) as { readFraction: number; fileBytes: number };
        assert.equal(body.fileBytes, fileBytes);
        assert.ok(body.readFraction >= 0 && body.readFraction <= 1, `a share of the file: ${body.readFraction}`);
        fractions.push(body.readFraction);
      } else {
        assert.equal(answer.status, 204);
        await answer.arrayBuffer();
      }
      await new Promise((resume) => setTimeout(resume, 10));
    }
    await summary;
    assert.ok(fractions.length > 0, 'no progress was reported while the summary was built');
    assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), 'the share read only grows');
    assert.equal((await fetch(new URL('trace/progress', view.url))).status, 204, 'built: no progress to report');
  } finally {
    await view.stop();
  }
});

async function servesTheInThreadSummary(file: string, builtOn: string): Promise<void> {
  const view = await startView(file, 30_000);
  try {
    // Asked at once: the page and the summary are served while the worker builds.
    const page = await fetch(view.url);
    assert.equal(page.status, 200);
    const answer = await fetch(new URL('trace/summary', view.url));
    assert.equal(answer.headers.get('x-summary-built-on'), builtOn, 'cli view built the summary elsewhere than expected: a worker failed or is missing');
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
}
