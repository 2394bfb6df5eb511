// The loading screen's progress: what a host may report (a share of a file's bytes), what the
// viewer accepts of it, and the words it shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReadProgress } from '../../src/format/viewer-protocol';
import { checkHostMessage } from '../../src/viewer/host-messages';
import { loadProgressText } from '../../src/viewer/ui/load-progress';

test('a read progress is a share from 0 to 1 of a whole number of bytes', () => {
  assert.ok(isReadProgress(0, 0));
  assert.ok(isReadProgress(0.42, 185_976_641));
  assert.ok(isReadProgress(1, 10));
  for (const [share, bytes] of [[-0.1, 10], [1.01, 10], [Number.NaN, 10], ['0.5', 10], [0.5, -1], [0.5, 1.5], [0.5, Infinity], [0.5, undefined]] as const) {
    assert.equal(isReadProgress(share, bytes), false, `${String(share)} of ${String(bytes)}`);
  }
});

test('the viewer takes a host progress message only in that shape', () => {
  const good = { type: 'progress', readFraction: 0.5, fileBytes: 1 << 20 };
  assert.deepEqual(checkHostMessage(good), good);
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    assert.equal(checkHostMessage({ type: 'progress', readFraction: 2, fileBytes: 1 }), undefined);
    assert.equal(checkHostMessage({ type: 'progress', readFraction: 0.5 }), undefined);
    assert.equal(checkHostMessage({ type: 'progress', readFraction: '<img src=x>', fileBytes: 1 }), undefined);
  } finally {
    console.warn = warn;
  }
});

test('the loading screen says how far reading or downloading is', () => {
  assert.equal(loadProgressText({ kind: 'summary', readFraction: 0.456, fileBytes: 185_976_641 }), 'Reading the snapshot… 45 % of 177 MB');
  assert.equal(loadProgressText({ kind: 'summary', readFraction: 0.999, fileBytes: 185_976_641 }), 'Reading the snapshot… 99 % of 177 MB');
  assert.equal(loadProgressText({ kind: 'summary', readFraction: 1, fileBytes: 185_976_641 }), 'Read 177 MB — laying out the timeline…');
  assert.equal(loadProgressText({ kind: 'download', receivedBytes: 47_185_920, totalBytes: 184_549_376 }), 'Downloading trace… 45 of 176 MB');
  assert.equal(loadProgressText({ kind: 'download', receivedBytes: 47_185_920, totalBytes: undefined }), 'Downloading trace… 45 MB');
  assert.equal(loadProgressText({ kind: 'download', receivedBytes: 184_549_376, totalBytes: 184_549_376 }), 'Parsing trace (176 MB)…');
});
