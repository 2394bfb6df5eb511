import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdByteTable } from '../../src/format/id-byte-table';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Interns `text` the way the summary writer does: ASCII by its bytes inside a larger line, the rest by its text. */
function intern(table: IdByteTable, text: string): number {
  if ([...text].some((c) => c.charCodeAt(0) >= 0x80)) return table.internText(text);
  const line = encoder.encode(`{"id":"${text}"}`);
  return table.intern(line, 7, 7 + text.length);
}

test('ids are numbered in order of first appearance, however far the table grows', () => {
  const table = new IdByteTable();
  const ids = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? `réq-${i}` : i % 5 === 0 ? `0x${i.toString(16)}` : `flow${i}`));
  ids.push('');
  // Each id twice (begin, end), the second time long after the first: every growth of the
  // slots, hashes, offsets and bytes lies between the two.
  ids.forEach((id, i) => assert.equal(intern(table, id), i, `first time: ${id}`));
  ids.forEach((id, i) => assert.equal(intern(table, id), i, `again: ${id}`));
  assert.equal(table.length, ids.length);
  ids.forEach((id, i) => assert.equal(table.get(i), id));
  // What the summary carries: offsets into the UTF-8 bytes of every id, in index order.
  const [offsets, bytes] = table.encoded();
  assert.equal(offsets.length, ids.length + 1);
  assert.equal(offsets[ids.length], bytes.length);
  ids.forEach((id, i) => assert.equal(decoder.decode(bytes.subarray(offsets[i], offsets[i + 1])), id));
});

test('ids that share a hash slot, a length or a prefix stay apart', () => {
  const table = new IdByteTable();
  const ids = ['a', 'b', 'ab', 'ba', 'aa', 'a'.repeat(300), `${'a'.repeat(299)}b`, '1', '01', '10'];
  ids.forEach((id, i) => assert.equal(intern(table, id), i));
  ids.forEach((id, i) => assert.equal(intern(table, id), i));
  assert.equal(table.length, ids.length);
});
