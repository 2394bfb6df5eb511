import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstFitRows, itemAt, lowerBound, packRows, sortByStartThenLongest, upperBound, visibleRange } from '../../src/viewer/model/layout';
import { Viewport } from '../../src/viewer/model/viewport';
import { formatBinaryBytes } from '../../src/format/byte-size';
import { formatDuration, formatOffset, tickStep, ticks } from '../../src/viewer/model/time';

function layout(spans: [number, number][]) {
  const startUs = Float64Array.from(spans.map((s) => s[0]));
  const endUs = Float64Array.from(spans.map((s) => s[1]));
  const order = sortByStartThenLongest(Int32Array.from(spans.map((_, i) => i)), startUs, endUs);
  const { rowOf, rowCount } = firstFitRows(order, startUs, endUs);
  const rows = packRows(order, rowOf, rowCount, startUs, endUs, () => 0);
  const rowOfSpan = new Map<number, number>();
  order.forEach((span, i) => rowOfSpan.set(span, rowOf[i]!));
  return { rows, rowOfSpan };
}

/** Numbers in [0, 1) from a linear congruential generator: the same every run. */
function seededRandom(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

test('properly nested spans get their nesting depth as row', () => {
  // parent [0,100] > child [10,40] > grandchild [15,20]; child2 [50,90] > grandchild2 [60,70]; next top-level [120,130]
  const { rowOfSpan } = layout([[0, 100], [10, 40], [15, 20], [50, 90], [60, 70], [120, 130]]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => rowOfSpan.get(i)), [0, 1, 2, 1, 2, 0]);
});

test('overlapping async spans are packed into rows without overlap', () => {
  const spans: [number, number][] = [];
  for (let i = 0; i < 200; i++) spans.push([i * 3, i * 3 + 10 + (i % 7) * 4]);
  const { rows } = layout(spans);
  let total = 0;
  for (const row of rows) {
    total += row.count;
    for (let i = 1; i < row.count; i++) {
      assert.ok(row.startUs[i]! >= row.endUs[i - 1]!, 'no overlap within a row');
      assert.ok(row.endUs[i]! >= row.endUs[i - 1]!, 'ends sorted within a row');
    }
  }
  assert.equal(total, 200);
  assert.ok(rows.length < 20, `rows: ${rows.length}`);
});

test('unsorted input is sorted by start, longer first on ties', () => {
  const startUs = Float64Array.from([50, 0, 0, 20]);
  const endUs = Float64Array.from([60, 10, 100, 30]);
  const order = sortByStartThenLongest(Int32Array.from([0, 1, 2, 3]), startUs, endUs);
  assert.deepEqual([...order], [2, 1, 3, 0]);
});

test('the packed-key sort orders like the comparator, ties by longer first', () => {
  const rand = seededRandom(42);
  const n = 5000;
  const startUs = new Float64Array(n);
  const endUs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    startUs[i] = 1e9 + Math.floor(rand() * 2000) + (rand() < 0.3 ? 0.25 : 0);
    endUs[i] = startUs[i]! + rand() * 50;
  }
  const order = sortByStartThenLongest(Int32Array.from({ length: n }, (_, i) => n - 1 - i), startUs, endUs);
  assert.equal(new Set(order).size, n, 'a permutation');
  for (let i = 1; i < n; i++) {
    const a = order[i - 1]!;
    const b = order[i]!;
    assert.ok(startUs[a]! < startUs[b]! || (startUs[a] === startUs[b] && endUs[a]! >= endUs[b]!), `position ${i}`);
  }
});

test('spans in a few runs of order (merged, not sorted) come out as the comparator orders them, ties in input order', () => {
  const rand = seededRandom(7);
  const n = 3000;
  const startUs = new Float64Array(n);
  const endUs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Whole-µs starts and few distinct lengths: many exact ties.
    startUs[i] = Math.floor(rand() * 500);
    endUs[i] = startUs[i]! + Math.floor(rand() * 3);
  }
  const reference = (indices: Int32Array) => [...indices].sort((a, b) => startUs[a]! - startUs[b]! || endUs[b]! - endUs[a]!);
  // 1 run (already ordered), 2, 5, 16 and 17 runs (one past the merge limit: sorted instead).
  for (const runs of [1, 2, 5, 16, 17]) {
    const ordered = reference(Int32Array.from({ length: n }, (_, i) => i));
    // Cut the ordered spans into `runs` pieces and deal them out round-robin: each piece stays in order.
    const pieces = Array.from({ length: runs }, (_, r) => ordered.slice(Math.floor((r * n) / runs), Math.floor(((r + 1) * n) / runs)));
    const input = Int32Array.from(pieces.reverse().flat());
    assert.deepEqual([...sortByStartThenLongest(input.slice(), startUs, endUs)], reference(input), `${runs} runs`);
  }
});

test('culling finds exactly the items that intersect the window', () => {
  const spans: [number, number][] = [];
  for (let i = 0; i < 1000; i++) spans.push([i * 10, i * 10 + 5]);
  const { rows } = layout(spans);
  const row = rows[0]!;
  const [first, last] = visibleRange(row, 1003, 1051);
  // [1000,1005] intersects, [1050,1055] intersects, [1060,...] does not.
  assert.equal(row.startUs[first], 1000);
  assert.equal(row.startUs[last - 1], 1050);
  assert.equal(last - first, 6);
  assert.deepEqual(visibleRange(row, 20_000, 30_000), [1000, 1000]);
  assert.deepEqual(visibleRange(row, -100, -50), [0, 0]);
});

test('itemAt hits the covering item, or the nearest within the slack', () => {
  const { rows } = layout([[0, 10], [20, 30], [40, 50]]);
  const row = rows[0]!;
  assert.equal(itemAt(row, 25, 0), 1);
  assert.equal(itemAt(row, 35, 0), -1);
  assert.equal(itemAt(row, 37, 4), 2);
  assert.equal(itemAt(row, 33, 4), 1);
});

test('binary searches on sorted typed arrays', () => {
  const values = Float64Array.from([1, 2, 2, 2, 5]);
  assert.equal(lowerBound(values, 5, 2), 1);
  assert.equal(upperBound(values, 5, 2), 4);
  assert.equal(lowerBound(values, 5, 9), 5);
  assert.equal(upperBound(values, 5, 0), 0);
});

test('viewport: zoom keeps the time under the cursor, pan keeps the span, fit shows everything', () => {
  const view = new Viewport(0, 1000, 0, 1000);
  const before = view.timeAt(250, 1000);
  view.zoomAt(0.5, 250, 1000);
  assert.ok(Math.abs(view.timeAt(250, 1000) - before) < 1e-9);
  assert.ok(Math.abs(view.spanUs - 500) < 1e-9);
  view.panPx(100, 1000);
  assert.ok(Math.abs(view.spanUs - 500) < 1e-9);
  assert.ok(Math.abs(view.startUs - 175) < 1e-9);
  view.fit();
  assert.ok(view.startUs < 0 && view.endUs > 1000);
  view.zoomAt(1e-9, 500, 1000);
  assert.ok(view.spanUs >= 1, 'never narrower than 1 µs');
  view.zoomAt(1e9, 500, 1000);
  assert.ok(view.spanUs <= 4000, 'never wider than a few times the trace');
});

test('time formatting and axis ticks', () => {
  assert.equal(formatDuration(312_400), '312 ms');
  assert.equal(formatDuration(1_250_000), '1.25 s');
  assert.equal(formatDuration(85), '85.0 µs');
  assert.equal(formatOffset(-1_250_000, 1000), '−1.250 s');
  assert.equal(formatOffset(12_000, 1000), '+12 ms');
  assert.equal(formatOffset(0), '0');
  const step = tickStep(10_000_000, 1000, 100);
  assert.equal(step, 1_000_000);
  const list = ticks(-2_500_000, 2_500_000, 0, step);
  assert.deepEqual(list, [-2_000_000, -1_000_000, 0, 1_000_000, 2_000_000]);
});

test('sizes are written in the unit that shows them (a ring used by a few records is not "0.0 MiB")', () => {
  assert.equal(formatBinaryBytes(500), '500 B');
  assert.equal(formatBinaryBytes(12_345), '12 KiB');
  assert.equal(formatBinaryBytes(3.7 * 1048576), '3.7 MiB');
  assert.equal(formatBinaryBytes(10 * 1048576), '10.0 MiB');
});
