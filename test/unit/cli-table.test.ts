// The terminal's plain-text helpers: wrapping a note at spaces within a width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapText } from '../../src/cli/table';

test('wrapText breaks at spaces within the width, indents each line, and lets a longer word stand alone', () => {
  assert.equal(wrapText('aaa bbb ccc ddd', 9, '  '), '  aaa bbb\n  ccc ddd');
  assert.equal(wrapText('aaa bbb ccc', 100), 'aaa bbb ccc');
  assert.equal(wrapText('a verylongwordindeed b', 8), 'a\nverylongwordindeed\nb');
  assert.equal(wrapText('', 10, '  '), '');
  // Width counts characters, not UTF-16 units: an em dash and a curly quote are one each.
  assert.equal(wrapText('— ’x —', 4), '— ’x\n—');
  for (const line of wrapText('the recorder looks where the main thread is only in blocks of ~100 ms or more', 30, '  ').split('\n')) {
    assert.ok(line.length <= 30, line);
  }
});
