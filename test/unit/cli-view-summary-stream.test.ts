// /trace/summary while the summary is still being built: the pieces before the span layout go
// out as soon as they are ready, the layout's block when it is computed, and a build that
// fails after the first pieces cuts the response off (the page then reads the whole file).
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { SummaryColumns, SummaryOutcome, TraceSummaryCache } from '../../src/client/trace-summary';
import { sendSummary } from '../../src/cli/view/summary-routes';
import { EVENT_COUNT_AT, EVENT_SUMMARY_MAGIC, EVENT_SUMMARY_VERSION_SPANS, HEADER_BYTES, SECTION_COUNT, spanBlockMaxBytes, SUMMARY_COLUMNS_BYTES_HEADER, SUMMARY_MAX_BYTES_HEADER } from '../../src/format/event-summary';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** A cache with a build under way whose two steps the test completes. */
function buildUnderWay() {
  const columns = deferred<SummaryColumns | undefined>();
  const outcome = deferred<SummaryOutcome>();
  const cache = { inProgress: () => ({ columns: columns.promise, outcome: outcome.promise }), get: () => outcome.promise } as unknown as TraceSummaryCache;
  return { cache, columns, outcome };
}

async function serve(cache: TraceSummaryCache): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => void sendSummary(req, res, cache, {}));
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/trace/summary`, close: () => server.close() };
}

/** GET `url`: the response, and the bytes received so far (growing as they come). */
function get(url: string): Promise<{ response: IncomingMessage; received: Buffer[]; ended: Promise<'end' | 'cut'> }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (response) => {
      const received: Buffer[] = [];
      response.on('data', (chunk: Buffer) => received.push(chunk));
      const ended = new Promise<'end' | 'cut'>((done) => {
        response.on('end', () => done('end'));
        response.on('aborted', () => done('cut'));
        response.on('error', () => done('cut'));
      });
      resolve({ response, received, ended });
    }).on('error', reject).end();
  });
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

test('the pieces before the span layout are sent before the layout is done, then the layout', async () => {
  const { cache, columns, outcome } = buildUnderWay();
  const server = await serve(cache);
  try {
    const answer = get(server.url);
    // A version-3 header saying 3 events and a first section of 2 bytes, then that section and
    // its padding to 8 bytes (as the writer sends them).
    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint32(0, EVENT_SUMMARY_MAGIC, true);
    view.setUint32(4, EVENT_SUMMARY_VERSION_SPANS, true);
    view.setUint32(EVENT_COUNT_AT, 3, true);
    view.setUint32(32, SECTION_COUNT, true);
    view.setUint32(40, 2, true);
    const first = [header, new Uint8Array([4, 5]), new Uint8Array(6)];
    columns.resolve({ pieces: first, builtOn: 'worker' });
    const { response, received, ended } = await answer;
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-summary-built-on'], 'worker');
    assert.equal(response.headers['content-length'], undefined);
    // The length is not known yet; what it can come to is (the page sizes its buffer by it), and
    // where the span layout will start.
    assert.equal(response.headers[SUMMARY_MAX_BYTES_HEADER], String(HEADER_BYTES + 8 + spanBlockMaxBytes(3)));
    assert.equal(response.headers[SUMMARY_COLUMNS_BYTES_HEADER], String(HEADER_BYTES + 8));
    await until(() => Buffer.concat(received).length === HEADER_BYTES + 8);
    const layout = new Uint8Array([6, 7, 8, 9]);
    outcome.resolve({ summary: { pieces: [...first, layout], byteLength: HEADER_BYTES + 12, fileBytes: 100, fileMtimeMs: 1, buildMs: 1, builtOn: 'worker' } });
    assert.equal(await ended, 'end');
    assert.deepEqual([...Buffer.concat(received).subarray(HEADER_BYTES)], [4, 5, 0, 0, 0, 0, 0, 0, 6, 7, 8, 9]);
  } finally {
    server.close();
  }
});

test('a build that fails after its first pieces cuts the response off; one with no summary answers 204', async () => {
  const failing = buildUnderWay();
  const server = await serve(failing.cache);
  try {
    const answer = get(server.url);
    failing.columns.resolve({ pieces: [new Uint8Array([1, 2])], builtOn: 'host thread' });
    const { received, ended } = await answer;
    await until(() => received.length > 0);
    failing.outcome.resolve({ reason: 'the summary\'s builder stopped' });
    assert.equal(await ended, 'cut');
  } finally {
    server.close();
  }
  const none = buildUnderWay();
  const server2 = await serve(none.cache);
  try {
    const answer = get(server2.url);
    none.columns.resolve(undefined);
    none.outcome.resolve({ reason: 'not our layout' });
    const { response } = await answer;
    assert.equal(response.statusCode, 204);
    assert.match(decodeURIComponent(String(response.headers['x-summary-unavailable'])), /not our layout/);
  } finally {
    server2.close();
  }
});
