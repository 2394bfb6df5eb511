// The VS Code timeline's summary path on the host side (src/extension/timeline/summary-host.ts,
// messages.ts): the webview's requests are checked before anything is read, and answered from
// the file through the same cache `cli view` uses. No VS Code needed: a file URI is all it takes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type * as vscode from 'vscode';
import { parseViewerMessage } from '../../src/extension/timeline/messages';
import { TimelineSummaries } from '../../src/extension/timeline/summary-host';
import { decodeEventSummary, lineOffsets, SUMMARY_FLAG } from '../../src/format/event-summary';
import type { Snapshot } from '../../src/format/snapshot';
import { serializeSnapshot } from '../../src/format/write';
import { makeSnapshot } from '../browser/fixture-trace';

const dir = mkdtempSync(join(tmpdir(), 'nfr-timeline-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fileUri(path: string): vscode.Uri {
  return { scheme: 'file', fsPath: path, path, toString: () => `file://${path}` } as unknown as vscode.Uri;
}

test('the webview\'s requests for bytes and searches are checked before the host reads anything', () => {
  assert.deepEqual(parseViewerMessage({ type: 'readBytes', requestId: 3, ranges: [{ offset: 10, length: 5 }] }), { type: 'readBytes', requestId: 3, ranges: [{ offset: 10, length: 5 }] });
  for (const ranges of [[], [{ offset: -1, length: 5 }], [{ offset: 1, length: 0 }], [{ offset: 1.5, length: 2 }], [{ offset: '1', length: 2 }], Array.from({ length: 257 }, () => ({ offset: 0, length: 1 })), 'x']) {
    assert.equal(parseViewerMessage({ type: 'readBytes', requestId: 1, ranges }), undefined, JSON.stringify(ranges).slice(0, 60));
  }
  assert.equal(parseViewerMessage({ type: 'readBytes', requestId: -1, ranges: [{ offset: 0, length: 1 }] }), undefined);
  assert.deepEqual(parseViewerMessage({ type: 'searchArgs', requestId: 2, needle: '/users' }), { type: 'searchArgs', requestId: 2, needle: '/users' });
  for (const needle of ['', 'Upper', ' padded', 'x'.repeat(201), 5]) assert.equal(parseViewerMessage({ type: 'searchArgs', requestId: 2, needle }), undefined);
  assert.deepEqual(parseViewerMessage({ type: 'needText', reason: 'r'.repeat(3000) }), { type: 'needText', reason: 'r'.repeat(2000) });
});

test('the host sends a summary of a snapshot and answers byte ranges and searches from the file', async () => {
  const path = join(dir, 'a.nodetrace.json');
  const text = serializeSnapshot(makeSnapshot({ windowSeconds: 2 }) as Snapshot);
  writeFileSync(path, text);
  const file = Buffer.from(text);
  const summaries = new TimelineSummaries();
  const bytes = await summaries.summaryOf(fileUri(path));
  assert.ok(bytes);
  const summary = decodeEventSummary(bytes);
  const offsets = lineOffsets(summary);
  const remote = [...summary.flags.keys()].filter((i) => (summary.flags[i]! & SUMMARY_FLAG.ARGS_REMOTE) !== 0).slice(0, 4);
  const answer = await summaries.readBytes(fileUri(path), 7, remote.map((i) => ({ offset: offsets[i]!, length: summary.lineBytes[i]! })));
  assert.equal(answer.type, 'bytes');
  assert.ok(answer.type === 'bytes' && answer.requestId === 7 && answer.bytes);
  assert.ok(Buffer.from(answer.bytes).equals(Buffer.concat(remote.map((i) => file.subarray(offsets[i]!, offsets[i]! + summary.lineBytes[i]!)))));
  const beyond = await summaries.readBytes(fileUri(path), 8, [{ offset: file.length - 1, length: 5 }]);
  assert.ok(beyond.type === 'bytes' && !beyond.bytes && /past the end/.test(beyond.error ?? ''));
  const found = await summaries.searchArgs(fileUri(path), 9, '/api/orders');
  assert.ok(found.type === 'searchResult' && found.indices && found.indices.length === text.split('\n').filter((l) => l.includes('"url":"/api/orders')).length);
  // Changed on disk: ranges are refused with a sentence, never answered from the new file.
  writeFileSync(path, `${text}\n`);
  const stale = await summaries.readBytes(fileUri(path), 10, [{ offset: 0, length: 4 }]);
  assert.ok(stale.type === 'bytes' && /changed on disk/.test(stale.error ?? ''));
});

test('a file without a summary (not our layout) gets none: the text is sent as before', async () => {
  const path = join(dir, 'one-line.json');
  writeFileSync(path, JSON.stringify(makeSnapshot({ windowSeconds: 1 })));
  assert.equal(await new TimelineSummaries().summaryOf(fileUri(path)), undefined);
  assert.equal(await new TimelineSummaries().summaryOf({ scheme: 'untitled', fsPath: '', toString: () => 'untitled:x' } as unknown as vscode.Uri), undefined);
});
