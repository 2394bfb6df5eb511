// Row layout of spans, shared by the viewer's model (src/viewer/model/layout.ts re-exports it)
// and the hosts that lay spans out before the page opens (event-summary-spans.ts): one
// implementation, so the rows a host sends are exactly the rows the page would compute.
//
// Layout is first-fit over spans sorted by (start asc, duration desc): a span goes into the
// first row whose last span has ended. For properly nested spans this is exactly their nesting
// depth; for overlapping async spans (concurrent requests) it packs them without overlap.
import { NO_ARENA, type MemoryArena } from './memory-arena';

/** Runs of span order a track may come in and still be merged rather than sorted. */
const MERGED_RUNS = 16;

/** Whether span `a` goes after span `b`: it starts later, or as early and ends earlier. */
function after(a: number, b: number, startUs: Float64Array, endUs: Float64Array): boolean {
  return startUs[a]! > startUs[b]! || (startUs[a] === startUs[b] && endUs[a]! < endUs[b]!);
}

/**
 * Orders span indices by start ascending, longer first on ties (parents before children).
 * Spans mostly come in order already (a track's requests begin as the file goes): a track
 * that is in order is returned as it is, one in a few runs of order (a handful of spans out
 * of place among a few hundred thousand) has its runs merged, and only the rest is sorted.
 */
export function sortByStartThenLongest(indices: Int32Array, startUs: Float64Array, endUs: Float64Array, memory = NO_ARENA): Int32Array {
  const runStarts = [0];
  for (let i = 1; i < indices.length && runStarts.length <= MERGED_RUNS; i++) {
    if (after(indices[i - 1]!, indices[i]!, startUs, endUs)) runStarts.push(i);
  }
  if (runStarts.length === 1) return indices;
  if (runStarts.length <= MERGED_RUNS) return mergeRuns(indices, runStarts, startUs, endUs, memory);
  return packedKeySort(indices, startUs, endUs, memory) ?? indices.sort((a, b) => startUs[a]! - startUs[b]! || endUs[b]! - endUs[a]!);
}

/** Merges the ordered runs of `indices` that begin at `runStarts` (ascending, from 0), two at a time, a pass per doubling. */
function mergeRuns(indices: Int32Array, runStarts: number[], startUs: Float64Array, endUs: Float64Array, memory: MemoryArena): Int32Array {
  let from: Int32Array = indices;
  let to: Int32Array = memory.int32(indices.length);
  let starts = runStarts;
  while (starts.length > 1) {
    const next: number[] = [];
    for (let r = 0; r < starts.length; r += 2) {
      const left = starts[r]!;
      const middle = r + 1 < starts.length ? starts[r + 1]! : from.length;
      const right = r + 2 < starts.length ? starts[r + 2]! : from.length;
      next.push(left);
      let i = left;
      let j = middle;
      let k = left;
      // Equal spans keep their order: the left run's first.
      while (i < middle && j < right) to[k++] = after(from[i]!, from[j]!, startUs, endUs) ? from[j++]! : from[i++]!;
      while (i < middle) to[k++] = from[i++]!;
      while (j < right) to[k++] = from[j++]!;
    }
    [from, to] = [to, from];
    starts = next;
  }
  return from;
}

/**
 * Sorts by start with the engine's native numeric sort (no comparator calls): each key packs
 * the start, whole µs from the earliest, above the position. Runs of equal whole-µs starts
 * are then ordered exactly (start, longer first). Returns undefined when the keys would not
 * fit in a double's 53 bits.
 */
function packedKeySort(indices: Int32Array, startUs: Float64Array, endUs: Float64Array, memory: MemoryArena): Int32Array | undefined {
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
  const keys = memory.float64(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor(startUs[indices[i]!]! - min) * positionScale + i;
  keys.sort();
  const result = memory.int32(n);
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
export function firstFitRows(order: Int32Array, startUs: Float64Array, endUs: Float64Array, memory = NO_ARENA): { rowOf: Int32Array; rowCount: number } {
  const rowOf = memory.int32(order.length);
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
