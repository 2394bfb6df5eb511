// The fast path of the `cli view` server (src/cli/view/summary-routes.ts, trace-summary.ts),
// over real HTTP on loopback: the summary of a snapshot, byte ranges with strict validation,
// the host-side args search, 204 for files it cannot summarise, 409 once the file changed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startViewServer } from '../../src/cli/view/server';
import { decodeEventSummary, EVENT_SUMMARY_CONTENT_TYPE, lineOffsets, SUMMARY_COLUMNS_BYTES_HEADER, summaryColumnsBytes, SUMMARY_FLAG } from '../../src/format/event-summary';
import type { Snapshot } from '../../src/format/snapshot';
import { serializeSnapshot } from '../../src/format/write';
import { makeSnapshot } from '../browser/fixture-trace';

const dir = mkdtempSync(join(tmpdir(), 'nfr-view-server-'));
const text = serializeSnapshot(makeSnapshot({ windowSeconds: 2 }) as Snapshot);
const file = Buffer.from(text);
const servers: Server[] = [];

async function serve(name: string, content: string | Buffer, summary = true): Promise<{ url: string; path: string }> {
  const path = join(dir, name);
  writeFileSync(path, content);
  // The page, script and stylesheet are not asked for here.
  const { server, url } = await startViewServer({ tracePath: path, viewerScriptPath: join(dir, 'none.js'), viewerStylePath: join(dir, 'none.css'), port: 0, summary });
  servers.push(server);
  return { url, path };
}

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the summary route sends a summary of the file, and byte ranges hold its event lines', async () => {
  const { url } = await serve('a.nodetrace.json', text);
  const page = await (await fetch(url)).text();
  assert.match(page, /data-summary-url="\/trace\/summary"/);
  const response = await fetch(new URL('trace/summary', url));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), EVENT_SUMMARY_CONTENT_TYPE);
  assert.equal(response.headers.get('x-trace-file-name'), 'a.nodetrace.json');
  const summaryBytes = new Uint8Array(await response.arrayBuffer());
  const summary = decodeEventSummary(summaryBytes);
  assert.ok(summary.eventCount > 100);
  // Where the span layout starts, so the page can read what comes before it first.
  assert.ok(summary.spans, 'a span layout');
  assert.equal(response.headers.get(SUMMARY_COLUMNS_BYTES_HEADER), String(summaryColumnsBytes(summaryBytes)));
  const offsets = lineOffsets(summary);
  const remote = [...summary.flags.keys()].filter((i) => (summary.flags[i]! & SUMMARY_FLAG.ARGS_REMOTE) !== 0).slice(0, 3);
  const ranges = remote.map((i) => `${offsets[i]}:${summary.lineBytes[i]}`).join(',');
  const bytes = await fetch(new URL(`trace/bytes?ranges=${ranges}`, url));
  assert.equal(bytes.status, 200);
  const body = Buffer.from(await bytes.arrayBuffer());
  const expected = Buffer.concat(remote.map((i) => file.subarray(offsets[i]!, offsets[i]! + summary.lineBytes[i]!)));
  assert.ok(body.equals(expected));
  assert.ok(JSON.parse(body.subarray(0, summary.lineBytes[remote[0]!]!).toString()).args, 'a whole event line, args included');
});

test('byte ranges are validated strictly, with a sentence saying what is wrong', async () => {
  const { url } = await serve('b.nodetrace.json', text);
  await (await fetch(new URL('trace/summary', url))).arrayBuffer();
  const bad: [string, RegExp][] = [
    ['', /required/],
    ['ranges=', /required/],
    ['ranges=-1:5', /not OFFSET:LENGTH/],
    ['ranges=0:0', /1 to/],
    ['ranges=1e3:5', /not OFFSET:LENGTH/],
    [`ranges=${file.length - 2}:5`, /past the end/],
    [`ranges=${Array.from({ length: 300 }, () => '0:1').join(',')}`, /at most 256 ranges/],
    ['ranges=0:99999999', /1 to/],
  ];
  for (const [query, message] of bad) {
    const response = await fetch(new URL(`trace/bytes?${query}`, url));
    assert.equal(response.status, 400, query.slice(0, 40));
    assert.match(await response.text(), message, query.slice(0, 40));
  }
  // fetch() will not send another Host header; node:http will.
  const status = await new Promise<number | undefined>((done, fail) => {
    get(new URL('trace/bytes?ranges=0:16', url), { headers: { host: 'evil.example:80' } }, (response) => {
      response.resume();
      done(response.statusCode);
    }).on('error', fail);
  });
  assert.equal(status, 421, 'the Host check covers the new routes');
});

test('the search route answers which events with args in the file match', async () => {
  const { url } = await serve('c.nodetrace.json', text);
  const summary = decodeEventSummary(new Uint8Array(await (await fetch(new URL('trace/summary', url))).arrayBuffer()));
  const response = await fetch(new URL(`trace/search?q=${encodeURIComponent('/api/users/')}`, url));
  assert.equal(response.status, 200);
  const indices = new Int32Array(await response.arrayBuffer());
  const expected = text.split('\n').filter((line) => line.includes('"url":"/api/users/')).length;
  assert.equal(indices.length, expected);
  assert.ok([...indices].every((i) => (summary.flags[i]! & SUMMARY_FLAG.ARGS_REMOTE) !== 0));
  for (const q of ['', 'UPPER', ' padded', 'x'.repeat(201)]) {
    assert.equal((await fetch(new URL(`trace/search?q=${encodeURIComponent(q)}`, url))).status, 400, q.slice(0, 20));
  }
});

test('a file it cannot summarise gets 204 with the reason; /trace still serves it whole', async () => {
  const { url } = await serve('cut.nodetrace.json', text.slice(0, Math.floor(text.length / 2)));
  const response = await fetch(new URL('trace/summary', url));
  assert.equal(response.status, 204);
  assert.match(decodeURIComponent(response.headers.get('x-summary-unavailable') ?? ''), /not in the recorder's one-event-per-line layout/);
  assert.equal((await fetch(new URL('trace/bytes?ranges=0:10', url))).status, 409, 'no summary, no ranges');
  const whole = await fetch(new URL('trace', url));
  assert.equal(whole.status, 200);
  assert.equal((await whole.text()).length, Math.floor(text.length / 2));
});

test('a file changed on disk: ranges are refused (409) and the summary is built again', async () => {
  const { url, path } = await serve('d.nodetrace.json', text);
  const first = decodeEventSummary(new Uint8Array(await (await fetch(new URL('trace/summary', url))).arrayBuffer()));
  const longer = serializeSnapshot(makeSnapshot({ windowSeconds: 3 }) as Snapshot);
  writeFileSync(path, longer);
  const refused = await fetch(new URL('trace/bytes?ranges=0:10', url));
  assert.equal(refused.status, 409);
  assert.match(await refused.text(), /changed on disk/);
  const second = decodeEventSummary(new Uint8Array(await (await fetch(new URL('trace/summary', url))).arrayBuffer()));
  assert.ok(second.eventCount > first.eventCount);
  assert.equal((await fetch(new URL('trace/bytes?ranges=0:10', url))).status, 200);
});

test('--no-summary: the page reads /trace as before', async () => {
  const { url } = await serve('e.nodetrace.json', text, false);
  assert.doesNotMatch(await (await fetch(url)).text(), /data-summary-url/);
  assert.equal((await fetch(new URL('trace/summary', url))).status, 404);
});

test('the page starts its summary request from the head, under the response\'s nonce', async () => {
  const { url } = await serve('f.nodetrace.json', text);
  const response = await fetch(url);
  const html = await response.text();
  const nonce = /script-src 'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
  assert.ok(nonce, 'a nonce in the header');
  const head = html.slice(0, html.indexOf('</head>'));
  // The viewer (src/viewer/host.ts) reads this global; the script holds no trace data.
  // (A plain substring: a base64 nonce holds characters a pattern would read as syntax.)
  const script = head.slice(head.indexOf(`<script nonce="${nonce}">`));
  assert.ok(script.length > 0 && script.includes('window.flightRecorderEarlySummary=fetch("/trace/summary")'), head);
  assert.doesNotMatch(html, /rel="preload"/);
  assert.match(html, /data-summary-url="\/trace\/summary"/);
});
