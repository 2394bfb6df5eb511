// A ring's memory made resident ahead of its writer, by the watchdog thread. A fresh
// SharedArrayBuffer is untouched zero pages: without this, the program's own thread takes a
// page fault every 4 KiB of records and strings it writes until the ring has wrapped once —
// ~20 µs each on the VMs measured here, right on its request path (perf showed a third of the
// recorder's per-request cost in the kernel's fault path). The watchdog touches the pages
// up to AHEAD_BYTES past each writer position instead, during the first lap only: the faults
// move off the program's thread, and a short-lived or quiet program never pays for pages it
// does not use (touching a whole 10 MiB ring at once cost ~55 ms of CPU and 10 MiB of RSS in
// every recorded process, children included). Each touch is an atomic OR with 0, so it cannot
// undo a record the main thread writes to the same word meanwhile.
import { H_STRING_WRITE_WORD, H_TOTAL_RECORDS, HEADER_BYTES, layoutFromHeader, RECORD_BYTES } from './layout';

const PAGE_BYTES = 4096;
/** Resident ahead of each writer: a writer faster than this per watchdog tick faults itself. */
export const AHEAD_BYTES = 2 << 20;

export class RingPrefaulter {
  private readonly words: Int32Array;
  private readonly header: Float64Array;
  private readonly recordsStart: number;
  private readonly recordsEnd: number;
  private readonly stringsStart: number;
  private readonly stringsEnd: number;
  /** Absolute byte offsets below which each region is resident. */
  private recordsTouched: number;
  private stringsTouched: number;
  private lastPositions = -1;

  constructor(ring: SharedArrayBuffer, private readonly aheadBytes = AHEAD_BYTES) {
    const layout = layoutFromHeader(ring);
    this.words = new Int32Array(ring, 0, ring.byteLength >>> 2);
    this.header = new Float64Array(ring, 0, HEADER_BYTES / 8);
    this.recordsStart = layout.recordsOffset;
    this.recordsEnd = layout.recordsOffset + layout.recordCapacity * RECORD_BYTES;
    this.stringsStart = layout.stringsOffset;
    this.stringsEnd = layout.stringsOffset + layout.stringWords * 4;
    this.recordsTouched = this.recordsStart;
    this.stringsTouched = this.stringsStart;
  }

  /** True once every page of the ring has been touched (nothing more to do). */
  get done(): boolean {
    return this.recordsTouched >= this.recordsEnd && this.stringsTouched >= this.stringsEnd;
  }

  /** Touches the pages up to aheadBytes past each writer; returns whether a writer moved since the last step. */
  step(): boolean {
    const totalRecords = this.header[H_TOTAL_RECORDS] ?? 0;
    const stringWord = this.header[H_STRING_WRITE_WORD] ?? 0;
    const recordsAt = this.recordsStart + Math.min(totalRecords * RECORD_BYTES, this.recordsEnd - this.recordsStart);
    const stringsAt = this.stringsStart + Math.min(stringWord * 4, this.stringsEnd - this.stringsStart);
    this.recordsTouched = this.touch(this.recordsTouched, Math.min(this.recordsEnd, recordsAt + this.aheadBytes));
    this.stringsTouched = this.touch(this.stringsTouched, Math.min(this.stringsEnd, stringsAt + this.aheadBytes));
    const positions = totalRecords + stringWord;
    const moved = positions !== this.lastPositions;
    this.lastPositions = positions;
    return moved;
  }

  /** Touches every page overlapping [from, to); returns the new resident end. */
  private touch(from: number, to: number): number {
    if (to <= from) return from;
    // Page-aligned word indexes: one write per 4 KiB page.
    const lastWord = this.words.length - 1;
    for (let byte = from - (from % PAGE_BYTES); byte < to; byte += PAGE_BYTES) Atomics.or(this.words, Math.min(byte >>> 2, lastWord), 0);
    return to;
  }
}
