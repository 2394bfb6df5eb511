// URLs take the string table's append path as they came (never looked up, never redacted on the
// program's thread); a snapshot redacts every URL field as it decodes the ring — server and
// client spans, begin and end records, completed spans — so no secret reaches the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring, forEachRecord, MIN_RING_BYTES } from '../../src/recorder/ring/index';
import { MAX_STRING_BYTES } from '../../src/recorder/ring/strings';
import { redactUrl } from '../../src/recorder/redact';
import { buildSnapshot } from '../../src/recorder/snapshot/build';
import { defaultOptions, type ResolvedOptions } from '../../src/recorder/config';
import { gatherFacts } from '../../src/recorder/snapshot/facts';
import { CLIENT_API, Kind, SPAN_ROUTE_UNIT } from '../../src/recorder/sources/kinds';
import type { TraceEvent } from '../../src/format/trace-event';

const EDGE_CASES = [
  '/', '/plain', '/p?', '/p?a', '/p?a=', '/p?=', '/p?=v', '/p?a=1&b=2', '/p?a=1&&b', '/p?a=b=c', '/p?a&b=1&c',
  '/p#frag', '/p?a=1#frag', '/p#x?a=1', '/p?a=1#x?b=2', '/p?a?b=1', '/a/b?x=1&y=&flag&z=3', '/p?token=SECRET123',
  '/p?a=%20x&b=%E2%82%AC', '/p??a=1', '/p?&', '/p?&&=', '/users/42/orders?since=2026-11-01&limit=50',
  'http://127.0.0.1:8080/p?k=v', 'https://api.example.test/v1/x?key=secret#t', 'http://user:pw@host:1/p?k=v',
  '/mail/a@b.test?x=1', '/é?x=1', '/p?x=ünï', '/p?emoji=😀',
];

const T0 = 1_000_000_000;

test('appended URLs resolve to their text as it came, and a second record can name the same entry', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const ids = EDGE_CASES.map((url) => ring.appendString(url));
  ids.forEach((id, i) => ring.write(40, i, 0, i + 1, 0, 0, id, 0));
  ring.write(41, 99, 0, 99, 0, 0, ids[17] ?? 0, ids[0] ?? 0);
  const copy = new Uint8Array(ring.layout.totalBytes);
  ring.copyWindow(copy);
  const texts: (string | undefined)[] = [];
  let last: { s1?: string; s2?: string } = {};
  forEachRecord(copy, (record) => {
    if (record.kind === 40) texts.push(record.s1);
    else last = { s1: record.s1, s2: record.s2 };
  });
  assert.deepEqual(texts, EDGE_CASES);
  assert.deepEqual(last, { s1: '/p?token=SECRET123', s2: '/' });
});

test('appending URLs wraps the table without corrupting it; long URLs are cut at a character boundary', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const long = `/p?${'a'.repeat(3000)}=1`;
  const longWide = `/é?${'é'.repeat(1000)}`;
  let id = 0;
  for (let i = 0; i < 20_000; i++) id = ring.appendString(i % 100 === 0 ? long : `/users/${i}?token=t${i}`);
  ring.write(40, 0, 0, 1, 0, 0, id, ring.appendString(long));
  ring.write(40, 1, 0, 2, 0, 0, ring.appendString(longWide), 0);
  const copy = new Uint8Array(ring.layout.totalBytes);
  ring.copyWindow(copy);
  const seen: { s1?: string; s2?: string }[] = [];
  forEachRecord(copy, (record) => void seen.push({ s1: record.s1, s2: record.s2 }));
  assert.equal(seen.at(-2)?.s1, '/users/19999?token=t19999');
  assert.equal(seen.at(-2)?.s2?.length, MAX_STRING_BYTES);
  assert.ok(seen.at(-2)?.s2?.startsWith('/p?aaaa'));
  const wide = seen.at(-1)?.s1 ?? '';
  assert.ok(Buffer.byteLength(wide) <= MAX_STRING_BYTES && Buffer.byteLength(wide) > MAX_STRING_BYTES - 2, 'cut near the limit');
  assert.ok(!wide.includes('\ufffd'), 'no character cut in half');
});

/** A snapshot of one ring holding, for each URL, a completed server span, an open server begin, a server end whose begin is gone, and a client begin and end. */
function snapshotOf(urls: readonly string[], options: ResolvedOptions): TraceEvent[] {
  const ring = new Ring(MIN_RING_BYTES);
  let id = 1;
  for (const url of urls) {
    const urlId = ring.appendString(url);
    const span = ring.writeOpen(Kind.httpServerBegin, T0 + id, 0, id, 1, 0, 0, urlId);
    ring.complete(span, Kind.httpServerSpan, 10, ring.intern('/route/:id') * SPAN_ROUTE_UNIT + 200);
    id++;
    ring.write(Kind.httpServerBegin, T0 + id, 0, id, 2, 0, 0, urlId);
    id++;
    ring.write(Kind.httpServerEnd, T0 + id, 10, id, 404, 1, urlId, 0);
    id++;
    ring.write(Kind.httpClientBegin, T0 + id, 0, id, 1, CLIENT_API.fetch, 0, urlId);
    ring.write(Kind.httpClientEnd, T0 + id, 10, id, 200, 1, urlId, 0);
    id++;
  }
  const { snapshot } = buildSnapshot({
    facts: gatherFacts(options),
    options,
    trigger: { reason: 'test', source: 'api', ts: T0 + 1_000_000 },
    threads: [{ tid: 0, name: 'main', bytes: new Uint8Array(ring.buffer) }],
    clockSync: { ts: T0, epochMs: Date.now() },
    hookErrors: 0,
    usedBytes: 0,
  });
  return snapshot.traceEvents.filter((event) => event.cat === 'http.server' || event.cat === 'http.client');
}

test('a snapshot redacts every URL field as it decodes: names and url arguments, every HTTP record', () => {
  const events = snapshotOf(EDGE_CASES, defaultOptions());
  assert.equal(events.length, EDGE_CASES.length * 7, 'every record decoded (the open begin has no end)');
  const urls = events.filter((event) => event.ph === 'b').map((event) => event.args?.url);
  assert.deepEqual(urls, EDGE_CASES.flatMap((url) => Array(4).fill(redactUrl(url))));
  for (const event of events) {
    const shown = `${event.name} ${String(event.args?.url ?? '')}`;
    assert.ok(!/SECRET123|secret|\buser:pw|=v\b|=2026-11-01|=ünï|=😀/.test(shown), `nothing secret shown: ${shown}`);
  }
  const credentials = events.find((event) => String(event.args?.url).includes('@host'));
  assert.equal(credentials?.args?.url, 'http://***@host:1/p?k=***');
  assert.equal(credentials?.name, 'GET http://***@host:1/p');
  const route = events.find((event) => event.ph === 'e' && event.args?.route === '/route/:id');
  assert.equal(route?.name, 'GET /', 'a completed span ends under its begin\'s name');
});

test('with redact.query off, URLs reach the snapshot as they came', () => {
  const options = defaultOptions();
  options.redact.query = false;
  const events = snapshotOf(['/p?token=SECRET123'], options);
  assert.ok(events.filter((event) => event.ph === 'b').every((event) => event.args?.url === '/p?token=SECRET123'));
});
