// The byte scanner (src/format/scan-event.ts) and the line reader (snapshot-lines.ts) when the
// scanner finds each line's end itself (readLine, eventLineAt): it must read exactly what the
// line-at-a-time path reads — the same fields, the same lines and offsets, the same refusals —
// whatever the bytes, or the summary and the page's model would depend on how a file was read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventScanner, type ScannedFields } from '../../src/format/scan-event';
import { SnapshotLineReader, type SnapshotLineHandler } from '../../src/format/snapshot-lines';
import { serializeSnapshot } from '../../src/format/write';
import { makeSnapshot } from '../browser/fixture-trace';
import { validSnapshot } from './format-fixtures';

const encoder = new TextEncoder();

function copy(fields: ScannedFields): ScannedFields {
  return { ...fields };
}

/** The fields `read` finds on bytes [start, end), or undefined. */
function readFields(bytes: Uint8Array, start: number, end: number): ScannedFields | undefined {
  const scanner = new EventScanner();
  return scanner.read(bytes, start, end) ? copy(scanner.fields) : undefined;
}

/** `readLine` on `text` as a file's bytes from 0: the newline offset and fields, or -1. */
function readLineOf(text: string): [number, ScannedFields | undefined] {
  const scanner = new EventScanner();
  const newline = scanner.readLine(encoder.encode(text), 0);
  return [newline, newline >= 0 ? copy(scanner.fields) : undefined];
}

const SPAN = '{"name":"GET /health","cat":"http.server","ph":"X","ts":1000.5,"dur":20,"pid":1,"tid":0,"args":{"status":503}}';

test('readLine reads every line of a snapshot as read does, and answers where the line ends', () => {
  for (const snapshot of [validSnapshot(), makeSnapshot({ windowSeconds: 1, hostileNames: true })]) {
    const bytes = encoder.encode(serializeSnapshot(snapshot));
    const scanner = new EventScanner();
    let start = bytes.indexOf(0x0a) + 1;
    let scanned = 0;
    for (let newline = bytes.indexOf(0x0a, start); newline >= 0; newline = bytes.indexOf(0x0a, start)) {
      const end = bytes[newline - 1] === 0x2c ? newline - 1 : newline;
      const expected = readFields(bytes, start, end);
      const found = scanner.readLine(bytes, start);
      assert.equal(found, expected ? newline : -1);
      if (expected) {
        assert.deepEqual(copy(scanner.fields), expected);
        scanned++;
      }
      start = newline + 1;
    }
    assert.ok(scanned > 0);
  }
});

test('readLine: the event must be followed by "\\n" or ",\\n"; a newline is never inside an event', () => {
  assert.equal(readLineOf(`${SPAN},\n`)[0], SPAN.length + 1);
  assert.equal(readLineOf(`${SPAN}\n`)[0], SPAN.length);
  assert.equal(readLineOf(`${SPAN}\r\n`)[0], -1);
  assert.equal(readLineOf(`${SPAN},,\n`)[0], -1);
  assert.equal(readLineOf(`${SPAN} \n`)[0], -1);
  // The bytes end before the line does: say nothing (the reader waits for the next chunk).
  assert.equal(readLineOf(SPAN)[0], -1);
  assert.equal(readLineOf(`${SPAN},`)[0], -1);
  assert.equal(readLineOf(SPAN.slice(0, 40))[0], -1);
  // Strings, escapes and args that would run over the newline into the next line.
  assert.equal(readLineOf('{"name":"a\n","ph":"X","ts":1,"dur":1,"pid":1,"tid":1},\n')[0], -1);
  assert.equal(readLineOf('{"name":"a","ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"args":{"a":"\\\n"}},\n')[0], -1);
  assert.equal(readLineOf('{"name":"a","ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"args":{"a":\n1}},\n')[0], -1);
  assert.equal(readLineOf('{"name":"a","ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"args":{"a":"x\n"}},\n')[0], -1);
});

test('names: strings that share their first bytes, collide in the table or are not ASCII come back exact', () => {
  const scanner = new EventScanner();
  const names: string[] = [];
  // Same first 12 bytes and the same bytes after: one slot of the table, thousands of strings.
  for (let k = 0; k < 3000; k++) names.push(`GET /api/users/${k}`, `GET /api/users/${k}/orders`, `request → fetch ${k % 7}`, 'é', '', 'GET /api/users/');
  for (const name of names) {
    const line = encoder.encode(`{"name":${JSON.stringify(name)},"cat":"http.server","ph":"b","ts":1,"pid":1,"tid":0,"id":1}`);
    assert.ok(scanner.read(line, 0, line.length), name);
    assert.equal(scanner.fields.name, name);
    assert.equal(scanner.fields.cat, 'http.server');
  }
  // Escapes and control characters are still refused, also where a string read before ended.
  for (const text of ['{"name":"GET /api/users/1\\"","ph":"b","ts":1,"pid":1,"tid":0}', '{"name":"GET /api/users/1\t","ph":"b","ts":1,"pid":1,"tid":0}']) {
    const line = encoder.encode(text);
    assert.equal(scanner.read(line, 0, line.length), false, text);
  }
});

test('numbers: up to 15 significant digits exactly JSON.parse\'s, in every length and sign', () => {
  const scanner = new EventScanner();
  let seed = 7;
  const digit = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % 10;
  for (let intDigits = 1; intDigits <= 15; intDigits++) {
    for (let fracDigits = 0; intDigits + fracDigits <= 15; fracDigits++) {
      for (let k = 0; k < 20; k++) {
        let text = String(1 + (digit() % 9));
        for (let d = 1; d < intDigits; d++) text += digit();
        if (fracDigits > 0) text += '.';
        for (let d = 0; d < fracDigits; d++) text += digit();
        const line = `{"name":"n","ph":"X","ts":${text},"dur":${text},"pid":-${text},"tid":0,"id":${text}}`;
        const bytes = encoder.encode(line);
        assert.ok(scanner.read(bytes, 0, bytes.length), line);
        const parsed = JSON.parse(line) as { ts: number; pid: number };
        assert.equal(scanner.fields.ts, parsed.ts, line);
        assert.equal(scanner.fields.dur, parsed.ts, line);
        assert.equal(scanner.fields.pid, parsed.pid, line);
        assert.equal(scanner.fields.id, parsed.ts, line);
      }
    }
  }
});

test('string ids of every length come back exact', () => {
  const scanner = new EventScanner();
  for (let length = 0; length <= 40; length++) {
    const id = 'flow0123456789abcdefghijklmnopqrstuvwxyz-'.slice(0, length);
    const line = encoder.encode(`{"name":"f","ph":"s","ts":1,"pid":1,"tid":0,"id":${JSON.stringify(id)}}`);
    assert.ok(scanner.read(line, 0, line.length));
    // The fields give a string id as its bytes (the summary interns them without a string)...
    const { idStart, idEnd, idAscii } = scanner.fields;
    assert.equal(scanner.fields.id, undefined);
    assert.equal(new TextDecoder().decode(line.subarray(idStart, idEnd)), id);
    assert.ok(idAscii);
    // ...and a scanned event as its text.
    assert.equal(scanner.scan(line, 0, line.length)?.id, id);
  }
  const line = encoder.encode('{"name":"f","ph":"s","ts":1,"pid":1,"tid":0,"id":"réq-🚀"}');
  assert.ok(scanner.read(line, 0, line.length));
  assert.equal(scanner.fields.idAscii, false);
  assert.equal(scanner.scan(line, 0, line.length)?.id, 'réq-🚀');
});

test('keys: only ours, each once, followed by a colon; anything else is left to JSON.parse', () => {
  const ok = '{"name":"a","ph":"B","ts":1,"pid":1,"tid":1}';
  assert.ok(readFields(encoder.encode(ok), 0, ok.length));
  for (const text of [
    '{"name":"a","ph":"B","ts":1,"pid":1,"tid":1,"ts":2}',
    '{"nam":"a","ph":"B","ts":1,"pid":1,"tid":1}',
    '{"names":"a","ph":"B","ts":1,"pid":1,"tid":1}',
    '{"name" :"a","ph":"B","ts":1,"pid":1,"tid":1}',
    '{"na\\u006de":"a","ph":"B","ts":1,"pid":1,"tid":1}',
    '{"name":"a","ph":"B","ts":1,"pid":1,"tid":1,"s":1}',
    '{"name":"a","ph":"i","ts":1,"pid":1,"tid":1}',
    '{"name":"a","ts":1,"pid":1,"tid":1}',
    '{"s"',
    '{}',
  ]) {
    assert.equal(readFields(encoder.encode(text), 0, text.length), undefined, text);
  }
});

/** Every line a reader hands its handler, with offsets, for chunks of `chunkBytes`. */
function linesOf(bytes: Uint8Array, chunkBytes: number, scanFirst: boolean): { lines: string[]; tail: string | undefined; scanned: number } {
  const lines: string[] = [];
  const scanner = new EventScanner();
  const decoder = new TextDecoder();
  const handler: SnapshotLineHandler = {
    eventLine: (b, start, end, offset, lineBytes) => {
      // Where the reader says the line is in the file, also after lines the handler read itself.
      const text = decoder.decode(b.subarray(start, end));
      assert.equal(decoder.decode(bytes.subarray(offset, offset + lineBytes)).replace(/,$/, ''), text);
      assert.equal(bytes[offset + lineBytes], 0x0a);
      lines.push(text);
    },
  };
  if (scanFirst) {
    handler.eventLineAt = (b, start) => {
      const newline = scanner.readLine(b, start);
      if (newline >= 0) lines.push(`(scanned) ${decoder.decode(b.subarray(start, b[newline - 1] === 0x2c ? newline - 1 : newline))}`);
      return newline;
    };
  }
  const reader = new SnapshotLineReader(handler);
  for (let at = 0; at < bytes.length; at += chunkBytes) reader.feed(bytes.slice(at, at + chunkBytes));
  const tail = reader.finish();
  return { lines: lines.map((line) => line.replace(/^\(scanned\) /, '')), tail: tail && decoder.decode(tail), scanned: lines.filter((line) => line.startsWith('(scanned) ')).length };
}

test('the line reader reads the same lines and tail whether the handler finds line ends or not', () => {
  const files = [
    serializeSnapshot(validSnapshot()),
    serializeSnapshot(makeSnapshot({ windowSeconds: 1 })),
    // After the last event (no comma) only the closing line may come; a comma wants another event.
    '{"traceEvents":[\n{"name":"a","ph":"B","ts":1,"pid":1,"tid":1}\n{"name":"b","ph":"E","ts":2,"pid":1,"tid":1}\n],\n"metadata":{}}',
    '{"traceEvents":[\n{"name":"a","ph":"B","ts":1,"pid":1,"tid":1},\n],\n"metadata":{}}',
    '{"traceEvents":[\n{"name":"a","ph":"B","ts":1,"pid":1,"tid":1},\n{"name":"b","ph":"E","ts":2,"pid":1,"tid":1}\n],\n"metadata":{}}',
    // Lines the scanner leaves to JSON.parse (an instant, a string with an escape) between scanned ones.
    '{"traceEvents":[\n{"name":"a","ph":"B","ts":1,"pid":1,"tid":1},\n{"name":"i","ph":"i","ts":1,"pid":1,"tid":1},\n{"name":"a","ph":"E","ts":2,"pid":1,"tid":1},\n{"name":"\\"q\\"","ph":"X","ts":1,"dur":1,"pid":1,"tid":1},\n{"name":"b","ph":"E","ts":2,"pid":1,"tid":1}\n],\n"metadata":{}}',
  ];
  for (const text of files) {
    const bytes = encoder.encode(text);
    for (const chunkBytes of [1, 7, 100, 1 << 20]) {
      const { lines, tail } = linesOf(bytes, chunkBytes, true);
      const expected = linesOf(bytes, chunkBytes, false);
      assert.deepEqual({ lines, tail }, { lines: expected.lines, tail: expected.tail }, `${text.slice(0, 60)} in chunks of ${chunkBytes}`);
    }
  }
  // The scan path is the one taken for whole lines inside a chunk.
  const mixed = linesOf(encoder.encode(files[5]!), 1 << 20, true);
  assert.equal(mixed.lines.length, 5);
  assert.equal(mixed.scanned, 3);
  assert.ok(mixed.tail);
  assert.equal(linesOf(encoder.encode(files[2]!), 1 << 20, true).tail, undefined);
  assert.equal(linesOf(encoder.encode(files[3]!), 1 << 20, true).tail, undefined);
});
