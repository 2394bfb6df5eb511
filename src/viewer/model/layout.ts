// Row layout and culling for slice tracks. Pure functions over typed arrays, unit-tested.
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

/** Orders span indices by start ascending, longer first on ties (parents before children). */
export function sortByStartThenLongest(indices: Int32Array, startUs: Float64Array, endUs: Float64Array): Int32Array {
  let sorted = true;
  for (let i = 1; i < indices.length; i++) {
    const a = indices[i - 1]!;
    const b = indices[i]!;
    if (startUs[a]! > startUs[b]! || (startUs[a] === startUs[b] && endUs[a]! < endUs[b]!)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return indices;
  return packedKeySort(indices, startUs, endUs) ?? indices.sort((a, b) => startUs[a]! - startUs[b]! || endUs[b]! - endUs[a]!);
}

/**
 * Sorts by start with the engine's native numeric sort (no comparator calls): each key packs
 * the start, whole µs from the earliest, above the position. Runs of equal whole-µs starts
 * are then ordered exactly (start, longer first). Returns undefined when the keys would not
 * fit in a double's 53 bits.
 */
function packedKeySort(indices: Int32Array, startUs: Float64Array, endUs: Float64Array): Int32Array | undefined {
  const n = indices.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = startUs[indices[i]!]!;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const positionScale = 2 ** Math.ceil(Math.log2(n + 1));
  if ((Math.floor(max - min) + 1) * positionScale > Number.MAX_SAFE_INTEGER) return undefined;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor(startUs[indices[i]!]! - min) * positionScale + i;
  keys.sort();
  const result = new Int32Array(n);
  for (let i = 0; i < n; i++) result[i] = indices[keys[i]! % positionScale]!;
  // Exact order inside runs that share a whole microsecond (usually a few items).
  for (let runStart = 0; runStart < n; ) {
    const bucket = Math.floor(keys[runStart]! / positionScale);
    let runEnd = runStart + 1;
    while (runEnd < n && Math.floor(keys[runEnd]! / positionScale) === bucket) runEnd++;
    if (runEnd - runStart > 1) {
      result.subarray(runStart, runEnd).sort((a, b) => startUs[a]! - startUs[b]! || endUs[b]! - endUs[a]!);
    }
    runStart = runEnd;
  }
  return result;
}

/**
 * Assigns each span (given in sorted order) a row: the first row free at its start.
 * Returns the row of each position in `order`.
 */
export function firstFitRows(order: Int32Array, startUs: Float64Array, endUs: Float64Array): { rowOf: Int32Array; rowCount: number } {
  const rowOf = new Int32Array(order.length);
  const rowEnd: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const span = order[i]!;
    const start = startUs[span]!;
    let row = 0;
    while (row < rowEnd.length && rowEnd[row]! > start) row++;
    if (row === rowEnd.length) rowEnd.push(endUs[span]!);
    else rowEnd[row] = endUs[span]!;
    rowOf[i] = row;
  }
  return { rowOf, rowCount: rowEnd.length };
}

/** Packs sorted spans into rows of typed arrays. */
export function packRows(
  order: Int32Array,
  rowOf: Int32Array,
  rowCount: number,
  startUs: Float64Array,
  endUs: Float64Array,
  colorOf: (span: number) => number,
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
    row.ref[k] = span;
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
