// The page's early summary request (src/cli/view/page.ts): the inline script in the head reads
// the body into one buffer sized by Content-Length or x-summary-max-bytes — or, told where the
// span layout starts, the part before it into a buffer of its own and the rest into another.
// Run here as the page runs it (Node's fetch reads bodies with the same BYOB readers), against
// servers that send the exact length, a bound, a bound too small, nothing, and a split: every
// byte arrives, in order.
import assert from 'node:assert/strict';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { spareBytesFor, viewerPage } from '../../src/cli/view/page';
import { PARALLEL_MIN_BYTES, summaryThreadsFor } from '../../src/client/summary-parts';
import { SUMMARY_COLUMNS_BYTES_HEADER, SUMMARY_MAX_BYTES_HEADER } from '../../src/format/event-summary';

interface Early {
  response: Response;
  bytes?: ArrayBuffer;
  length?: number;
  rest?: Promise<{ bytes: ArrayBuffer; length: number }>;
}

/**
 * The head's inline script, run with `fetch` against `base` and its result (the page's global).
 * With `spareBytes`, the page's load event comes at once.
 */
function runEarlyScript(base: string, spareBytes = 0): Promise<Early> {
  const html = viewerPage('n0nce', 'trace.json', true, spareBytes);
  const script = /<script nonce="n0nce">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(script, 'an inline script in the head');
  const window: Record<string, unknown> = {};
  const pageFetch = (path: string) => fetch(new URL(path, base));
  const onLoad: (() => void)[] = [];
  const addEventListener = (type: string, listener: () => void) => {
    assert.equal(type, 'load');
    onLoad.push(listener);
  };
  new Function('window', 'fetch', 'addEventListener', script)(window, pageFetch, addEventListener);
  assert.equal(onLoad.length, spareBytes > 0 ? 1 : 0, 'a spare buffer is made once the page has loaded, if asked for');
  for (const listener of onLoad) listener();
  return window.flightRecorderEarlySummary as Promise<Early>;
}

/** A server answering /trace/summary with `body` in pieces a few ms apart, and these headers (after `waitMs`). */
async function serve(body: Uint8Array, headers: OutgoingHttpHeaders, status = 200, waitMs = 0): Promise<{ base: string; close: () => void }> {
  const server = createServer(async (request, response) => {
    assert.equal(request.url, '/trace/summary');
    await new Promise((wait) => setTimeout(wait, waitMs));
    response.writeHead(status, headers);
    if (status !== 200) return void response.end();
    const pieces = [body.subarray(0, body.length >> 2), body.subarray(body.length >> 2, body.length >> 1), body.subarray(body.length >> 1)];
    const send = (i: number) => (i === pieces.length ? response.end() : response.write(pieces[i], () => setTimeout(() => send(i + 1), 5)));
    send(0);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  return { base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, close: () => server.close() };
}

const body = Uint8Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 7919) % 251);

for (const [what, headers] of [
  ['Content-Length (a summary already built)', { 'content-length': String(body.length) }],
  ['a bound above the length (a summary still being built)', { [SUMMARY_MAX_BYTES_HEADER]: String(body.length + 123_456) }],
  ['a bound below the length (the buffer grows)', { [SUMMARY_MAX_BYTES_HEADER]: '1000' }],
  ['neither (the buffer starts at 1 MB and grows)', {}],
  ['a bound no browser allocates (the buffer starts at 1 MB and grows)', { [SUMMARY_MAX_BYTES_HEADER]: String(2 ** 53) }],
] as const) {
  test(`the early request reads every byte of the summary in order: ${what}`, async () => {
    const server = await serve(body, headers);
    try {
      const early = await runEarlyScript(server.base);
      assert.equal(early.response.status, 200);
      assert.ok(early.bytes && early.length !== undefined);
      assert.equal(early.length, body.length);
      assert.ok(early.bytes.byteLength >= early.length);
      assert.deepEqual(new Uint8Array(early.bytes, 0, early.length), body);
    } finally {
      server.close();
    }
  });
}

for (const [what, headers] of [
  ['with Content-Length', { 'content-length': String(body.length) }],
  ['with a bound (still being built)', { [SUMMARY_MAX_BYTES_HEADER]: String(body.length + 4096) }],
] as const) {
  test(`the part before the span layout comes first, in a buffer of its own, the rest after: ${what}`, async () => {
    const columnsBytes = 2 * 1024 * 1024 + 8;
    const server = await serve(body, { ...headers, [SUMMARY_COLUMNS_BYTES_HEADER]: String(columnsBytes) });
    try {
      const early = await runEarlyScript(server.base);
      assert.equal(early.length, columnsBytes);
      assert.deepEqual(new Uint8Array(early.bytes!, 0, early.length), body.subarray(0, columnsBytes));
      assert.ok(early.rest, 'the rest still to come');
      const rest = await early.rest;
      // The first buffer is not handed to the stream again: what was read from it stays readable.
      assert.deepEqual(new Uint8Array(early.bytes!, 0, early.length), body.subarray(0, columnsBytes));
      assert.deepEqual(new Uint8Array(rest.bytes, 0, rest.length), body.subarray(columnsBytes));
    } finally {
      server.close();
    }
  });
}

test('an answer shorter than the part it said comes before the span layout is handed over whole (the viewer then finds it damaged)', async () => {
  const server = await serve(body, { [SUMMARY_COLUMNS_BYTES_HEADER]: String(body.length + 100), [SUMMARY_MAX_BYTES_HEADER]: String(body.length + 200) });
  try {
    const early = await runEarlyScript(server.base);
    assert.equal(early.rest, undefined);
    assert.equal(early.length, body.length);
    assert.deepEqual(new Uint8Array(early.bytes!, 0, early.length), body);
  } finally {
    server.close();
  }
});

test('the early request hands any other answer over unread (the viewer then reads the whole file)', async () => {
  const server = await serve(body, { 'x-summary-unavailable': 'not%20our%20layout' }, 204);
  try {
    const early = await runEarlyScript(server.base);
    assert.equal(early.response.status, 204);
    assert.equal(early.bytes, undefined);
  } finally {
    server.close();
  }
});

test('while the summary is being built, the columns are read into the spare buffer the page touched meanwhile, when they fit', async () => {
  const columnsBytes = 2 * 1024 * 1024 + 8;
  const headers = { [SUMMARY_MAX_BYTES_HEADER]: String(body.length + 4096), [SUMMARY_COLUMNS_BYTES_HEADER]: String(columnsBytes) };
  for (const [spareBytes, used] of [[4 << 20, true], [1 << 20, false]] as const) {
    const server = await serve(body, headers, 200, 100);
    try {
      const early = await runEarlyScript(server.base, spareBytes);
      assert.equal(early.length, columnsBytes);
      assert.equal(early.bytes!.byteLength, used ? spareBytes : columnsBytes, used ? 'the spare buffer' : 'too small: a buffer of their own');
      assert.deepEqual(new Uint8Array(early.bytes!, 0, early.length), body.subarray(0, columnsBytes));
      if (used) assert.ok(new Uint8Array(early.bytes!, columnsBytes).every((byte) => byte === 0), 'the rest of the spare is zero (the viewer lays arrays out in it)');
      const rest = await early.rest!;
      assert.deepEqual(new Uint8Array(rest.bytes, 0, rest.length), body.subarray(columnsBytes));
    } finally {
      server.close();
    }
  }
});

test('the spare buffer is sized by the events the build has found per byte, at most a quarter of the file and 256 MB', () => {
  const fileBytes = 186_000_000;
  assert.equal(spareBytesFor(fileBytes), Math.ceil(fileBytes / 4 / 4096) * 4096, 'nothing known yet: a quarter');
  const longLines = spareBytesFor(fileBytes, 1 / 500);
  assert.ok(longLines < fileBytes / 8 && longLines > fileBytes / 500 * 40, `500-byte lines: ${longLines}`);
  assert.equal(spareBytesFor(fileBytes, 1 / 50), Math.ceil(fileBytes / 4 / 4096) * 4096, 'short lines: no more than a quarter');
  assert.equal(spareBytesFor(8e9), 256 << 20);
  assert.equal(spareBytesFor(10_000, 0.01) % 4096, 0, 'whole pages');
  assert.equal(spareBytesFor(fileBytes, undefined, 0), 0, 'none when the build leaves no core idle');
  assert.equal(spareBytesFor(fileBytes, undefined, 2), spareBytesFor(fileBytes), 'any idle core: the same spare');
});

test('a large file is read by two threads on two cores or more, so its page makes a spare only where a third core idles', () => {
  const large = PARALLEL_MIN_BYTES;
  assert.equal(summaryThreadsFor(large - 1, 8), 1, 'below the size: one');
  assert.equal(summaryThreadsFor(large, 1), 1, 'one core: one');
  assert.equal(summaryThreadsFor(large, 2), 2);
  assert.equal(spareBytesFor(large, undefined, 2 - summaryThreadsFor(large, 2)), 0, 'two workers on two cores: no spare');
  assert.ok(spareBytesFor(large, undefined, 4 - summaryThreadsFor(large, 4)) > 0, 'on four cores: a spare');
  assert.ok(spareBytesFor(large - 1, undefined, 2 - summaryThreadsFor(large - 1, 2)) > 0, 'one worker on two cores: a spare');
});
