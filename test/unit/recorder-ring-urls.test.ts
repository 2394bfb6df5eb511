// URLs take the string table's append path: redacted while copied (no redacted string built),
// never looked up. The byte writer must agree with redactUrl() on every URL, including cut ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring, forEachRecord, MIN_RING_BYTES } from '../../src/recorder/ring/index';
import { MAX_STRING_BYTES } from '../../src/recorder/ring/strings';
import { redactUrl, writeRedactedUrlAscii } from '../../src/recorder/redact';

const EDGE_CASES = [
  '/', '/plain', '/p?', '/p?a', '/p?a=', '/p?=', '/p?=v', '/p?a=1&b=2', '/p?a=1&&b', '/p?a=b=c', '/p?a&b=1&c',
  '/p#frag', '/p?a=1#frag', '/p#x?a=1', '/p?a=1#x?b=2', '/p?a?b=1', '/a/b?x=1&y=&flag&z=3', '/p?token=SECRET123',
  '/p?a=%20x&b=%E2%82%AC', '/p??a=1', '/p?&', '/p?&&=', '/users/42/orders?since=2026-11-01&limit=50',
  'http://127.0.0.1:8080/p?k=v', 'https://api.example.test/v1/x?key=secret#t', 'http://user:pw@host:1/p?k=v',
  '/mail/a@b.test?x=1', '/é?x=1', '/p?x=ünï', '/p?emoji=😀',
];

function randomUrl(random: () => number): string {
  const alphabet = 'ab/?=&#%.-_1:ab/?=&#%.-_1';
  let url = '/';
  const length = Math.floor(random() * 40);
  for (let i = 0; i < length; i++) url += alphabet[Math.floor(random() * alphabet.length)];
  // Now and then a character the byte writer hands to the general path.
  const rare = random();
  if (rare < 0.05) url += '@';
  else if (rare < 0.1) url += 'é';
  else if (rare < 0.15) url = url.slice(0, Math.floor(url.length / 2)) + '@' + url.slice(Math.floor(url.length / 2));
  else if (rare < 0.2) url = `/x://u:p@${url}`;
  return url;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const UNTOUCHED = 0xdeadbeef;

function writtenBy(url: string, maxBytes: number): string | undefined {
  const words = new Uint32Array(Math.ceil(maxBytes / 4) + 3).fill(UNTOUCHED);
  const count = writeRedactedUrlAscii(url, words, 1, maxBytes);
  assert.equal(words[0], UNTOUCHED, `nothing written before the start: ${url}`);
  // Words past the text (its last word included, padded with zeros) are left alone.
  const usedWords = count < 0 ? Math.ceil(maxBytes / 4) : Math.ceil(count / 4);
  for (let w = 1 + usedWords; w < words.length; w++) assert.equal(words[w], UNTOUCHED, `nothing written past the text: ${url} (${maxBytes})`);
  if (count < 0) return undefined;
  const bytes = new Uint8Array(words.buffer, 4, usedWords * 4);
  for (let b = count; b < bytes.length; b++) assert.equal(bytes[b], 0, `the last word's padding is zero: ${url}`);
  return Buffer.from(bytes.subarray(0, count)).toString('latin1');
}

test('the byte writer writes exactly redactUrl(url), or declines', () => {
  const random = seeded(7);
  const urls = [...EDGE_CASES, ...Array.from({ length: 20000 }, () => randomUrl(random))];
  let declined = 0;
  for (const url of urls) {
    const written = writtenBy(url, 4096);
    if (written === undefined) {
      declined++;
      assert.ok(/[@\u0080-\uffff]/.test(url), `declined only for @ or non-ASCII: ${url}`);
      continue;
    }
    assert.equal(written, redactUrl(url), url);
  }
  assert.ok(declined < urls.length / 2, 'most URLs take the byte path');
});

test('the byte writer cuts at maxBytes like a cut of the redacted URL', () => {
  for (const url of ['/p?token=SECRET&b=2', '/abcdef', '/p?a=&b=&c=']) {
    for (let maxBytes = 0; maxBytes < 24; maxBytes++) {
      assert.equal(writtenBy(url, maxBytes), redactUrl(url).slice(0, maxBytes), `${url} cut at ${maxBytes}`);
    }
  }
});

test('appended URLs resolve to their redacted text, and a second record can name the same entry', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const ids = EDGE_CASES.map((url) => ring.appendRedactedUrl(url));
  const plain = ring.appendString('/raw?token=kept');
  ids.forEach((id, i) => ring.write(40, i, 0, i + 1, 0, 0, id, 0));
  ring.write(41, 99, 0, 99, 0, 0, plain, ids[0] ?? 0);
  const copy = new Uint8Array(ring.layout.totalBytes);
  ring.copyWindow(copy);
  const texts: (string | undefined)[] = [];
  let last: { s1?: string; s2?: string } = {};
  forEachRecord(copy, (record) => {
    if (record.kind === 40) texts.push(record.s1);
    else last = { s1: record.s1, s2: record.s2 };
  });
  assert.deepEqual(texts, EDGE_CASES.map((url) => redactUrl(url)));
  assert.deepEqual(last, { s1: '/raw?token=kept', s2: '/' });
});

test('appending the same URL many times wraps the table without corrupting it; long URLs are cut', () => {
  const ring = new Ring(MIN_RING_BYTES);
  const long = `/p?${'a'.repeat(3000)}=1`;
  let id = 0;
  for (let i = 0; i < 20_000; i++) id = ring.appendRedactedUrl(i % 100 === 0 ? long : `/users/${i}?token=t${i}`);
  ring.write(40, 0, 0, 1, 0, 0, id, ring.appendRedactedUrl(long));
  const copy = new Uint8Array(ring.layout.totalBytes);
  ring.copyWindow(copy);
  let seen: { s1?: string; s2?: string } | undefined;
  forEachRecord(copy, (record) => {
    seen = { s1: record.s1, s2: record.s2 };
  });
  assert.equal(seen?.s1, '/users/19999?token=***');
  assert.equal(seen?.s2?.length, MAX_STRING_BYTES);
  assert.ok(seen?.s2?.startsWith('/p?aaaa'));
});
