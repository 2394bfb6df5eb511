// The event ring: one preallocated SharedArrayBuffer of exactly `maxBytes` (see layout.ts).
// The writer side implements EventRing for sources: `write` is eight typed-array stores and a
// cursor bump, no allocation, no clock read (the caller passes tsUs). The reader side copies
// the live bytes out (the only snapshot work the recording thread does) and walks the copy.
import type { EventRing } from '../contracts';
import { nowUs } from '../clock';
import {
  computeLayout, type RingLayout, HEADER_BYTES, RECORD_F64, RECORD_U32, RECORD_KIND_U32, RING_MAGIC,
  H_TOTAL_RECORDS, H_STRING_WRITE_WORD, H_LOOP_TICK_DUE_US, H_I32_HEARTBEAT, H_I32_MAGIC, H_I32_RECORD_CAPACITY,
  H_I32_STRING_WORDS, H_HOOK_ERRORS,
} from './layout';
import { StringTableWriter } from './strings';

/** First float64 / uint32 index of the records region (the header is HEADER_BYTES long). */
const RECORDS_F64 = HEADER_BYTES / 8;
const RECORDS_U32 = HEADER_BYTES / 4;

export class Ring implements EventRing {
  // Fields set once in the constructor are `declare`d, not declared as class fields: a class
  // field is first defined as undefined and then assigned, and that second store makes V8 mark
  // the field mutable. Left constant, the optimised hooks embed these objects, and V8 embeds a
  // constant typed array's data pointer and length (a SharedArrayBuffer cannot be detached):
  // a write to the ring then loads no typed-array object, each of which is a cache line the
  // program's own work has likely evicted since the previous request.
  declare readonly buffer: SharedArrayBuffer;
  declare readonly layout: RingLayout;
  // One view of each element type over the whole buffer, shared by the header, the records and
  // the string table (strings.ts): a request's writes go through three typed arrays, not five.
  private declare readonly f64: Float64Array;
  private declare readonly u32: Uint32Array;
  private declare readonly headerI32: Int32Array;
  private declare readonly strings: StringTableWriter;
  private declare readonly capacity: number;
  private cursor = 0;
  private total = 0;

  constructor(maxBytes: number) {
    this.layout = computeLayout(maxBytes);
    this.buffer = new SharedArrayBuffer(this.layout.totalBytes);
    this.headerI32 = new Int32Array(this.buffer, 0, HEADER_BYTES / 4);
    this.capacity = this.layout.recordCapacity;
    this.f64 = new Float64Array(this.buffer, 0, Math.floor(this.layout.totalBytes / 8));
    this.u32 = new Uint32Array(this.buffer, 0, Math.floor(this.layout.totalBytes / 4));
    this.strings = new StringTableWriter(this.f64, this.u32, new Uint8Array(this.buffer), this.layout.stringsOffset, this.layout.stringWords);
    this.headerI32[H_I32_MAGIC] = RING_MAGIC;
    this.headerI32[H_I32_RECORD_CAPACITY] = this.capacity;
    this.headerI32[H_I32_STRING_WORDS] = this.layout.stringWords;
  }

  nowUs(): number {
    return nowUs();
  }

  intern(text: string): number {
    return this.strings.intern(text);
  }

  appendString(text: string): number {
    return this.strings.append(text);
  }

  stringText(id: number): string | undefined {
    return this.strings.text(id);
  }

  write(kind: number, tsUs: number, durUs: number, id: number, a: number, b: number, s1: number, s2: number): void {
    const slot = this.cursor;
    const f64 = this.f64;
    const u32 = this.u32;
    const f = RECORDS_F64 + slot * RECORD_F64;
    const u = RECORDS_U32 + slot * RECORD_U32 + RECORD_KIND_U32;
    f64[f] = tsUs;
    f64[f + 1] = durUs;
    f64[f + 2] = a;
    f64[f + 3] = b;
    u32[u + 1] = id;
    u32[u + 2] = s1;
    u32[u + 3] = s2;
    u32[u] = kind; // last: a reader racing this slot sees the old or new kind
    this.cursor = slot + 1 === this.capacity ? 0 : slot + 1;
    // Readers derive the cursor from the total (total % capacity): one header store, no Atomics.
    f64[H_TOTAL_RECORDS] = ++this.total;
  }

  writeOpen(kind: number, tsUs: number, durUs: number, id: number, a: number, b: number, s1: number, s2: number): number {
    this.write(kind, tsUs, durUs, id, a, b, s1, s2);
    return this.total;
  }

  complete(sequence: number, kind: number, durUs: number, b: number): boolean {
    const behind = this.total - sequence;
    if (behind < 0 || behind >= this.capacity) return false;
    let slot = this.cursor - 1 - behind;
    if (slot < 0) slot += this.capacity;
    // dur and b first, the kind last: a reader racing this sees the open record or the whole
    // completed one (and a completed record whose b is still 0 is read as open: decoders).
    const f = RECORDS_F64 + slot * RECORD_F64;
    this.f64[f + 1] = durUs;
    this.f64[f + 3] = b;
    this.u32[RECORDS_U32 + slot * RECORD_U32 + RECORD_KIND_U32] = kind;
    return true;
  }

  /** Records overwritten so far. */
  get droppedEvents(): number {
    return Math.max(0, this.total - this.capacity);
  }

  get eventCount(): number {
    return Math.min(this.total, this.capacity);
  }

  /** Bytes that hold live data (records and strings written so far, capped by the regions). */
  get usedBytes(): number {
    const stringBytes = Math.min(this.f64[H_STRING_WRITE_WORD] ?? 0, this.layout.stringWords) * 4;
    return HEADER_BYTES + this.eventCount * (RECORD_F64 * 8) + stringBytes;
  }

  noteLoopTickDue(dueUs: number): void {
    this.f64[H_LOOP_TICK_DUE_US] = dueUs;
  }

  /** The watchdog notices a stuck main thread by this counter not moving. */
  beat(): void {
    Atomics.add(this.headerI32, H_I32_HEARTBEAT, 1);
  }

  noteHookError(): void {
    this.f64[H_HOOK_ERRORS] = (this.f64[H_HOOK_ERRORS] ?? 0) + 1;
  }

  get hookErrors(): number {
    return this.f64[H_HOOK_ERRORS] ?? 0;
  }

  /**
   * Copies the live bytes into `target` (at least `layout.totalBytes` long, ideally already
   * touched so the copy does not page-fault) and returns how many bytes of it are meaningful.
   * Before the ring first wraps, only the written prefix of each region is copied.
   */
  copyWindow(target: Uint8Array): number {
    return copyRing(new Uint8Array(this.buffer), this.layout, target, this.total, this.f64[H_STRING_WRITE_WORD] ?? 0);
  }
}

/** Copies a ring buffer whose writer is not running concurrently (this thread, or a stuck one). */
export function copyRing(source: Uint8Array, layout: RingLayout, target: Uint8Array, totalRecords: number, stringWriteWord: number): number {
  if (target.byteLength < layout.totalBytes) throw new RangeError('snapshot buffer smaller than the ring');
  if (totalRecords >= layout.recordCapacity && stringWriteWord >= layout.stringWords) {
    target.set(source);
    return layout.totalBytes;
  }
  target.set(source.subarray(0, HEADER_BYTES));
  const recordBytes = Math.min(totalRecords, layout.recordCapacity) * RECORD_F64 * 8;
  target.set(source.subarray(layout.recordsOffset, layout.recordsOffset + recordBytes), layout.recordsOffset);
  const stringBytes = Math.min(stringWriteWord, layout.stringWords) * 4;
  target.set(source.subarray(layout.stringsOffset, layout.stringsOffset + stringBytes), layout.stringsOffset);
  return layout.totalBytes;
}
