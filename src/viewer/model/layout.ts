// Row layout and culling for slice tracks. Pure functions over typed arrays, unit-tested. The
// sort and the first-fit rows live in src/format/event-summary-layout.ts, shared with the hosts
// that lay spans out before the page opens.
//
// Layout is first-fit over spans sorted by (start asc, duration desc): a span goes into the
// first row whose last span has ended. For properly nested spans this is exactly their nesting
// depth; for overlapping async spans (concurrent requests) it packs them without overlap. Either
// way no two spans in a row overlap, so in each row both starts and ends are sorted, and the
// visible part of a row is found with two binary searches.

export interface PackedRow {
  startUs: Float64Array;
  endUs: Float64Array;
  /** What the item is: a span index, or a CPU node index (flame tracks). */
  ref: Int32Array;
  color: Uint8Array;
  count: number;
}

export { firstFitRows, sortByStartThenLongest } from '../../format/event-summary-layout';

/**
 * Packs sorted items (spans, or a flame chart's slices) into rows of typed arrays: item
 * `order[i]` goes to row `rowOf[i]`, rows keeping the order. Each row's `ref` holds the item,
 * or `refOf(item)` when given.
 */
export function packRows(
  order: Int32Array,
  rowOf: Int32Array,
  rowCount: number,
  startUs: Float64Array,
  endUs: Float64Array,
  colorOf: (span: number) => number,
  refOf?: (item: number) => number,
): PackedRow[] {
  const counts = new Int32Array(rowCount);
  for (let i = 0; i < rowOf.length; i++) counts[rowOf[i]!]!++;
  const rows: PackedRow[] = [];
  for (let r = 0; r < rowCount; r++) {
    const n = counts[r]!;
    rows.push({ startUs: new Float64Array(n), endUs: new Float64Array(n), ref: new Int32Array(n), color: new Uint8Array(n), count: 0 });
  }
  for (let i = 0; i < order.length; i++) {
    const span = order[i]!;
    const row = rows[rowOf[i]!]!;
    const k = row.count++;
    row.startUs[k] = startUs[span]!;
    row.endUs[k] = endUs[span]!;
    row.ref[k] = refOf ? refOf(span) : span;
    row.color[k] = colorOf(span);
  }
  return rows;
}

/** First index whose value is > `value` (array sorted ascending), within [0, count). */
export function upperBound(values: Float64Array, count: number, value: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is >= `value`. */
export function lowerBound(values: Float64Array, count: number, value: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The half-open index range [first, last) of a row's items that intersect [t0, t1]. */
export function visibleRange(row: PackedRow, t0: number, t1: number): [number, number] {
  // Ends are sorted (no overlap in a row): the first item ending at or after t0 is the first visible.
  const first = lowerBound(row.endUs, row.count, t0);
  const last = upperBound(row.startUs, row.count, t1);
  return [first, Math.max(first, last)];
}

/** Index of the item of a row covering time t, or the nearest within `slackUs`; -1 if none. */
export function itemAt(row: PackedRow, t: number, slackUs: number): number {
  const [first, last] = visibleRange(row, t - slackUs, t + slackUs);
  let best = -1;
  let bestDistance = Infinity;
  for (let i = first; i < last; i++) {
    const s = row.startUs[i]!;
    const e = row.endUs[i]!;
    const distance = t < s ? s - t : t > e ? t - e : 0;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = i;
      if (distance === 0) break;
    }
  }
  return best;
}
