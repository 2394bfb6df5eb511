// Lays out an event summary (the format and its reader: event-summary.ts) from events added in
// file order: columns grow as events come, and `finish` narrows the index columns to the
// smallest width that holds them and writes the header. Used by event-summary-builder.ts.
import {
  align8,
  EVENT_COUNT_AT,
  EVENT_SUMMARY_MAGIC,
  EVENT_SUMMARY_VERSION,
  EVENT_SUMMARY_VERSION_SPANS,
  HEADER_BYTES,
  littleEndian,
  SCOPE_SHIFT,
  SCOPES,
  SECTION_COUNT,
  SPAN_BLOCK_HEADER_BYTES,
  SPAN_BLOCK_MAGIC,
  SPAN_SECTION_COUNT,
  SUMMARY_FLAG,
  SummaryFormatError,
  TAIL_BYTES_AT,
  WIDTHS_AT,
  type Typed,
} from './event-summary';
import { layoutSpans } from './event-summary-spans';
import { IdByteTable } from './id-byte-table';
import { isSharedMemory, MemoryArena } from './memory-arena';
import { plainStringText, type ScannedFields } from './scan-event';
import { concatBytes } from './snapshot-lines';
import type { TraceEvent } from './trace-event';


/**
 * Memory for the summary's columns, tables and blob: shared where the platform has
 * SharedArrayBuffer (Node always has it), so a host that builds the summary on a worker thread
 * hands the columns to its own thread as they are — no copy, and the worker's span layout goes
 * on reading them meanwhile. Copying them into one buffer to hand it over cost ~0.1 s for a
 * million events (25 MB of fresh pages), on the way to the first frame.
 */
const Memory: { new (byteLength: number): ArrayBufferLike } = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;

/**
 * The span layout's working arrays per expected event (event-summary-spans.ts: ~36 bytes per
 * span in times, groups, members, sort and rows; a snapshot's spans are about half its events).
 */
const LAYOUT_ARENA_BYTES_PER_EVENT = 20;

// Growable columns, one class per element type: a single generic class made every store
// polymorphic and cost a third of the summary's build time.
class U8Column {
  data: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint8Array(new Memory(Math.max(16, Math.ceil(capacity))));
  }
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Uint8Array(new Memory(Math.max(16, this.length * 2))));
    this.data[this.length++] = value;
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, 0, this.length);
  }
  /** Appends all of `values` at once (a part's column: EventSummaryWriter.appendPart). */
  appendAll(values: Uint8Array): void {
    const need = this.length + values.length;
    if (need > this.data.length) this.data = grow(this.data, new Uint8Array(new Memory(Math.max(16, need, this.length * 2))));
    this.data.set(values, this.length);
    this.length = need;
  }
}
class U16Column {
  data: Uint16Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint16Array(new Memory(Math.max(16, Math.ceil(capacity)) * 2));
  }
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Uint16Array(new Memory(Math.max(16, this.length * 2) * 2)));
    this.data[this.length++] = value;
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, 0, this.length * 2);
  }
  /** Appends all of `values` at once (a part's column: EventSummaryWriter.appendPart). */
  appendAll(values: Uint16Array): void {
    const need = this.length + values.length;
    if (need > this.data.length) this.data = grow(this.data, new Uint16Array(new Memory(Math.max(16, need, this.length * 2) * 2)));
    this.data.set(values, this.length);
    this.length = need;
  }
}
class U32Column {
  data: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(new Memory(Math.max(16, Math.ceil(capacity)) * 4));
  }
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Uint32Array(new Memory(Math.max(16, this.length * 2) * 4)));
    this.data[this.length++] = value;
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, 0, this.length * 4);
  }
  /** Appends `map[v]` for each value `v` (a part's indices mapped onto this writer's table). */
  appendMapped(values: Uint32Array, map: Uint32Array): void {
    const start = this.length;
    this.appendAll(values);
    const data = this.data;
    for (let i = start; i < this.length; i++) data[i] = map[data[i]!]!;
  }
  /** Appends all of `values` at once (a part's column: EventSummaryWriter.appendPart). */
  appendAll(values: Uint32Array): void {
    const need = this.length + values.length;
    if (need > this.data.length) this.data = grow(this.data, new Uint32Array(new Memory(Math.max(16, need, this.length * 2) * 4)));
    this.data.set(values, this.length);
    this.length = need;
  }
}
class F64Column {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(new Memory(Math.max(16, Math.ceil(capacity)) * 8));
  }
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Float64Array(new Memory(Math.max(16, this.length * 2) * 8)));
    this.data[this.length++] = value;
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, 0, this.length * 8);
  }
  /** Appends all of `values` at once (a part's column: EventSummaryWriter.appendPart). */
  appendAll(values: Float64Array): void {
    const need = this.length + values.length;
    if (need > this.data.length) this.data = grow(this.data, new Float64Array(new Memory(Math.max(16, need, this.length * 2) * 8)));
    this.data.set(values, this.length);
    this.length = need;
  }
}

/** The column's values as u8, u16 or u32 — the narrowest that holds its largest value — and that width. */
function narrow(column: U32Column): [Uint8Array, number] {
  return narrowValues(column.data.subarray(0, column.length));
}

function narrowValues(values: Uint32Array): [Uint8Array, number] {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max <= 0xff) return [convert(values, Uint8Array), 1];
  if (max <= 0xffff) return [bytesOf(convert(values, Uint16Array)), 2];
  return [bytesOf(values), 4];
}

/** `values` converted element by element into a new array of `Type` in summary memory. */
function convert<T extends Uint8Array | Uint16Array>(values: Uint32Array, Type: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }): T {
  const out = new Type(new Memory(values.length * Type.BYTES_PER_ELEMENT));
  out.set(values);
  return out;
}

function bytesOf(array: Uint16Array | Uint32Array | Int32Array | Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** TextEncoder, as this file needs it (the format is typed without a platform's globals). */
interface Utf8Encoder {
  encodeInto(text: string, into: Uint8Array): { written: number };
}

/**
 * A string table: offsets (k + 1) into the UTF-8 bytes of all strings, each encoded straight
 * into the table's buffer (a file can hold a string id per request: no array per string).
 */
function encodeStrings(strings: string[], encoder: Utf8Encoder): [Uint32Array, Uint8Array] {
  const offsets = new Uint32Array(new Memory((strings.length + 1) * 4));
  let capacity = 64;
  for (const text of strings) capacity += text.length;
  let bytes = new Uint8Array(new Memory(capacity));
  let length = 0;
  for (let i = 0; i < strings.length; i++) {
    const text = strings[i]!;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (length + 3 * text.length > bytes.length) {
      const bigger = new Uint8Array(new Memory(Math.max(2 * bytes.length, length + 3 * text.length)));
      bigger.set(bytes.subarray(0, length));
      bytes = bigger;
    }
    length += encoder.encodeInto(text, bytes.subarray(length)).written;
    offsets[i + 1] = length;
  }
  return [offsets, bytes.subarray(0, length)];
}

function grow<T extends Typed>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

class ByteColumn {
  data = new Uint8Array(new Memory(1 << 16));
  length = 0;
  append(bytes: Uint8Array, start: number, end: number): void {
    const need = this.length + (end - start);
    if (need > this.data.length) {
      const bigger = new Uint8Array(new Memory(Math.max(need, this.data.length * 2)));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    this.data.set(bytes.subarray(start, end), this.length);
    this.length = need;
  }
  bytes(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * A column of string or thread indices: bytes while every index fits one (a snapshot names a
 * few hundred things, so nearly always), 32 bits from the first one that does not. Written
 * narrow from the start, the three such columns of a million events are 3 MB instead of 12 MB
 * of fresh pages, and need no narrowing copy at the end.
 */
class IndexColumn {
  private narrowData: Uint8Array;
  private wideData: Uint32Array | null = null;
  length = 0;
  constructor(capacity: number) {
    this.narrowData = new Uint8Array(new Memory(Math.max(16, Math.ceil(capacity))));
  }
  push(value: number): void {
    if (value > 0xff || this.wideData !== null) {
      this.pushWide(value);
      return;
    }
    if (this.length === this.narrowData.length) this.narrowData = grow(this.narrowData, new Uint8Array(new Memory(Math.max(16, this.length * 2))));
    this.narrowData[this.length++] = value;
  }
  private pushWide(value: number): void {
    let wide = this.wideData;
    if (wide === null) {
      wide = new Uint32Array(new Memory(Math.max(16, this.narrowData.length) * 4));
      wide.set(this.narrowData.subarray(0, this.length));
    }
    if (this.length === wide.length) wide = grow(wide, new Uint32Array(new Memory(Math.max(16, this.length * 2) * 4)));
    wide[this.length++] = value;
    this.wideData = wide;
  }
  /** Appends `map[v]` for each value `v` (a part's indices mapped onto this writer's table), widening as push would. */
  appendMapped(values: Uint8Array | Uint32Array, map: Uint32Array): void {
    let widest = 0;
    for (let i = 0; i < values.length; i++) if (map[values[i]!]! > widest) widest = map[values[i]!]!;
    const need = this.length + values.length;
    if (this.wideData === null && widest <= 0xff) {
      if (need > this.narrowData.length) this.narrowData = grow(this.narrowData, new Uint8Array(new Memory(Math.max(16, need, this.length * 2))));
      const narrow = this.narrowData;
      for (let i = 0; i < values.length; i++) narrow[this.length + i] = map[values[i]!]!;
    } else {
      let wide = this.wideData;
      if (wide === null) {
        wide = new Uint32Array(new Memory(Math.max(16, need, this.narrowData.length) * 4));
        wide.set(this.narrowData.subarray(0, this.length));
      } else if (need > wide.length) {
        wide = grow(wide, new Uint32Array(new Memory(Math.max(16, need, this.length * 2) * 4)));
      }
      for (let i = 0; i < values.length; i++) wide[this.length + i] = map[values[i]!]!;
      this.wideData = wide;
    }
    this.length = need;
  }
  /** Sets index `at` (already appended) to `value`, which must fit the column's current width. */
  set(at: number, value: number): void {
    (this.wideData ?? this.narrowData)[at] = value;
  }
  /** The indices (for the span layout). */
  get data(): Uint8Array | Uint32Array {
    return this.wideData ?? this.narrowData;
  }
  /** The column's bytes at the narrowest width that holds its values, and that width. */
  narrowed(): [Uint8Array, number] {
    return this.wideData === null ? [this.narrowData.subarray(0, this.length), 1] : narrowValues(this.wideData.subarray(0, this.length));
  }
}

/**
 * The numeric ids (async spans, flows): 32-bit while every id is an integer in [0, 2^32) —
 * our recorder's ids always are — and float64 from the first one that is not. Half the fresh
 * pages of a float64 column, and no converting copy at the end when the ids were small. (The
 * shape of IndexColumn with other types: one class for both would make its stores polymorphic,
 * as with the column classes above.)
 */
class IdNumberColumn {
  private smallData: Uint32Array;
  private wideData: Float64Array | null = null;
  length = 0;
  constructor(capacity: number) {
    this.smallData = new Uint32Array(new Memory(Math.max(16, Math.ceil(capacity)) * 4));
  }
  push(value: number): void {
    if (this.wideData !== null || (value >>> 0) !== value || (value === 0 && 1 / value < 0)) {
      this.pushWide(value);
      return;
    }
    if (this.length === this.smallData.length) this.smallData = grow(this.smallData, new Uint32Array(new Memory(Math.max(16, this.length * 2) * 4)));
    this.smallData[this.length++] = value;
  }
  private pushWide(value: number): void {
    let wide = this.wideData;
    if (wide === null) {
      wide = new Float64Array(new Memory(Math.max(16, this.smallData.length) * 8));
      wide.set(this.smallData.subarray(0, this.length));
    }
    if (this.length === wide.length) wide = grow(wide, new Float64Array(new Memory(Math.max(16, this.length * 2) * 8)));
    wide[this.length++] = value;
    this.wideData = wide;
  }
  /** Appends all of `values` (a part's ids): at once while both are 32-bit. */
  appendAll(values: Uint32Array | Float64Array): void {
    const need = this.length + values.length;
    if (this.wideData !== null || !(values instanceof Uint32Array)) {
      for (let i = 0; i < values.length; i++) this.push(values[i]!);
      return;
    }
    if (need > this.smallData.length) this.smallData = grow(this.smallData, new Uint32Array(new Memory(Math.max(16, need, this.length * 2) * 4)));
    this.smallData.set(values, this.length);
    this.length = need;
  }
  /** The ids (for the span layout). */
  get data(): Uint32Array | Float64Array {
    return this.wideData ?? this.smallData;
  }
  /** The column's bytes: u32 when every id is an integer in [0, 2^32), else float64. */
  sized(): [Uint8Array, number] {
    return this.wideData === null ? [bytesOf(this.smallData.subarray(0, this.length)), 4] : [bytesOf(this.wideData.subarray(0, this.length)), 8];
  }
}

const PADDING = new Uint8Array(8);

/** Each section's length and width into the header (at `lengthsAt`, `widthsAt`), and the section, padded to 8 bytes, into `pieces`. */
function writeSections(sections: [Uint8Array, number][], view: DataView, lengthsAt: number, widthsAt: number, pieces: Uint8Array[]): void {
  sections.forEach(([section, width], s) => {
    view.setUint8(widthsAt + s, width);
    view.setUint32(lengthsAt + 4 * s, section.length, true);
    pieces.push(section);
    if (section.length % 8 !== 0) pieces.push(PADDING.subarray(0, align8(section.length) - section.length));
  });
}

export type ArgsPlacement = 'inline' | 'remote';

export interface SummaryCounts {
  entries: number;
  skipped: number;
  firstSkipped: number;
  firstEventOffset: number;
  /** The file's bytes after the event lines (`"displayTimeUnit":…,"metadata":{…}}`). */
  tail: Uint8Array;
  /**
   * Lay the spans out here (version 3, event-summary-spans.ts): open spans end at
   * `windowEndTs` (metadata.window.endTs) or the last event. Absent: version 1.
   */
  spans?: { windowEndTs: number | undefined };
}

/**
 * A writer's events and tables as they are (src/client/summary-parts.ts): what the writer of the file's
 * bytes before them appends. The columns are views of the writer's shared memory (posted to
 * another thread, they are not copied); indices point into this part's own tables.
 */
export interface WriterPart {
  eventCount: number;
  ph: Uint8Array;
  flags: Uint16Array;
  name: Uint8Array | Uint32Array;
  thread: Uint8Array | Uint32Array;
  ts: Float64Array;
  lineBytes: Uint32Array;
  cat: Uint8Array | Uint32Array;
  dur: Float64Array;
  idNumber: Uint32Array | Float64Array;
  idString: Uint32Array;
  gap: Uint32Array;
  blobRef: Uint32Array;
  blob: Uint8Array;
  strings: string[];
  /** pid, tid pairs. */
  threads: Float64Array;
  idOffsets: Uint32Array;
  idBytes: Uint8Array;
  /** FULL events as parsed, by their index in the part. */
  full: [number, TraceEvent][];
  /** Bytes of skipped lines after the part's last event. */
  pendingGap: number;
}

/** Collects events in file order; `finish` lays out the summary. */
export class EventSummaryWriter {
  private readonly ph: U8Column;
  private readonly flags: U16Column;
  private readonly name: IndexColumn;
  private readonly thread: IndexColumn;
  private readonly ts: F64Column;
  private readonly lineBytes: U32Column;
  private readonly cat: IndexColumn;
  private readonly dur: F64Column;
  private readonly idNumber: IdNumberColumn;
  private readonly idString: U32Column;
  private readonly gap: U32Column;
  private readonly blobRef: U32Column;
  private readonly threads: F64Column;
  private readonly blob: ByteColumn;
  private readonly stringIndex = new Map<string, number>();
  private readonly strings: string[] = [];
  private readonly ids = new IdByteTable();
  private readonly threadIndex = new Map<number, Map<number, number>>();
  /** FULL events as parsed, by event index (the span layout reads them). */
  private readonly full = new Map<number, TraceEvent>();
  private pendingGap = 0;
  /** The span layout's working memory (untouched until then, unless a spare thread touched it: memoryAhead). */
  private readonly layoutArena: MemoryArena;

  /** `expectedEvents` sizes the columns up front (a guess is fine: they grow). */
  constructor(readonly expectedEvents = 4096) {
    if (!littleEndian()) throw new SummaryFormatError('the event summary is little-endian; this machine is not');
    this.ph = new U8Column(expectedEvents);
    this.flags = new U16Column(expectedEvents);
    this.name = new IndexColumn(expectedEvents);
    this.thread = new IndexColumn(expectedEvents);
    this.ts = new F64Column(expectedEvents);
    this.lineBytes = new U32Column(expectedEvents);
    this.cat = new IndexColumn(expectedEvents);
    this.dur = new F64Column(expectedEvents / 2);
    // Every async span's events and every flow point carry one: most events of a snapshot.
    this.idNumber = new IdNumberColumn(expectedEvents);
    this.idString = new U32Column(expectedEvents / 4);
    this.gap = new U32Column(expectedEvents / 64);
    this.blobRef = new U32Column(expectedEvents / 8);
    this.threads = new F64Column(64);
    this.blob = new ByteColumn();
    this.layoutArena = new MemoryArena(new Memory(Math.ceil(expectedEvents) * LAYOUT_ARENA_BYTES_PER_EVENT));
  }

  /**
   * The shared memory this build is going to write: the columns as first sized (all filled from
   * their starts at once, about in step with `eventCount` against `expectedEvents`), then the
   * span layout's arena. A host with a spare thread touches it just ahead of the build
   * (prefaultShared): the page faults of ~50 MB for a million events then happen off the
   * build's thread. Empty without SharedArrayBuffer.
   */
  memoryAhead(): SharedArrayBuffer[] {
    const columns = [this.ph, this.flags, this.name, this.thread, this.ts, this.lineBytes, this.cat, this.dur, this.idNumber, this.idString];
    return [...columns.map((column) => column.data.buffer), this.layoutArena.buffer].filter(isSharedMemory);
  }

  get eventCount(): number {
    return this.ph.length;
  }

  /** A line that is not a usable event, `strideBytes` long with its comma and newline: the next event's line starts after it. */
  skipLine(strideBytes: number): void {
    this.pendingGap += strideBytes;
  }

  /**
   * Whether the columns hold this scanned event exactly; when not, add it with `addFull`.
   * (The scanner accepts any string for `s` and `bp`; the columns know the standard ones.)
   */
  static fits(event: ScannedFields): boolean {
    return (event.s === undefined || event.s === 'g' || event.s === 'p' || event.s === 't') && (event.bp === undefined || event.bp === 'e');
  }

  /**
   * A span or flow point read by the scanner from `bytes` (`lineBytes`: its JSON's length), its
   * args inline (copied from those bytes) or left in the file.
   */
  addScanned(event: ScannedFields, bytes: Uint8Array, lineBytes: number, args: ArgsPlacement | undefined): void {
    let flags = this.startEvent(lineBytes);
    this.ph.push(event.ph);
    this.name.push(this.internName(event.name));
    this.thread.push(this.threadOf(event.pid, event.tid));
    this.ts.push(event.ts);
    if (event.cat !== undefined) {
      flags |= SUMMARY_FLAG.CAT;
      this.cat.push(this.internCategory(event.cat));
    }
    if (event.dur !== undefined) {
      flags |= SUMMARY_FLAG.DUR;
      this.dur.push(event.dur);
    }
    if (typeof event.id === 'number') {
      flags |= SUMMARY_FLAG.ID_NUMBER;
      this.idNumber.push(event.id);
    } else if (event.idStart >= 0) {
      flags |= SUMMARY_FLAG.ID_STRING;
      // Non-ASCII ids go through their text: the table then holds the bytes the text encodes to
      // (a file's invalid UTF-8 as the replacement character, as JSON.parse would read it).
      this.idString.push(event.idAscii ? this.ids.intern(bytes, event.idStart, event.idEnd) : this.ids.internText(plainStringText(bytes, event.idStart, event.idEnd, false)));
    }
    if (event.bp === 'e') flags |= SUMMARY_FLAG.BP_E;
    if (event.s !== undefined) flags |= SCOPES.indexOf(event.s as 'g' | 'p' | 't') << SCOPE_SHIFT;
    if (event.argsMayFail) flags |= SUMMARY_FLAG.ARGS_MAY_FAIL;
    if (event.argsStart >= 0 && args === 'inline') {
      flags |= SUMMARY_FLAG.ARGS_INLINE;
      this.addBlob(bytes, event.argsStart, event.argsEnd);
    } else if (event.argsStart >= 0) {
      flags |= SUMMARY_FLAG.ARGS_REMOTE;
    }
    this.flags.push(flags);
  }

  /**
   * An event the reader parses from its line (bytes [start, end), no trailing comma); `event`
   * is that line parsed (the span layout needs it).
   */
  addFull(bytes: Uint8Array, start: number, end: number, lineBytes: number, event?: TraceEvent): void {
    if (event) this.full.set(this.eventCount, event);
    const flags = this.startEvent(lineBytes) | SUMMARY_FLAG.FULL;
    this.ph.push(0);
    this.name.push(0);
    this.thread.push(0);
    this.ts.push(0);
    this.addBlob(bytes, start, end);
    this.flags.push(flags);
  }

  /** Everything added so far, as a part for the writer of the bytes before them (appendPart). */
  part(): WriterPart {
    const [idOffsets, idBytes] = this.ids.encoded();
    return {
      eventCount: this.eventCount,
      ph: this.ph.data.subarray(0, this.ph.length),
      flags: this.flags.data.subarray(0, this.flags.length),
      name: this.name.data.subarray(0, this.name.length),
      thread: this.thread.data.subarray(0, this.thread.length),
      ts: this.ts.data.subarray(0, this.ts.length),
      lineBytes: this.lineBytes.data.subarray(0, this.lineBytes.length),
      cat: this.cat.data.subarray(0, this.cat.length),
      dur: this.dur.data.subarray(0, this.dur.length),
      idNumber: this.idNumber.data.subarray(0, this.idNumber.length),
      idString: this.idString.data.subarray(0, this.idString.length),
      gap: this.gap.data.subarray(0, this.gap.length),
      blobRef: this.blobRef.data.subarray(0, this.blobRef.length),
      blob: this.blob.bytes(),
      strings: this.strings,
      threads: this.threads.data.subarray(0, this.threads.length),
      idOffsets,
      idBytes,
      full: [...this.full],
      pendingGap: this.pendingGap,
    };
  }

  /**
   * Adds the events of the bytes that follow those added so far, read by another writer: the
   * result is exactly what adding them here one by one would have made. Strings, threads and ids
   * new to this writer join its tables in the order the part met them — their order of first
   * appearance in the file, as when read here — and the part's indices are mapped onto them.
   */
  appendPart(part: WriterPart): void {
    const strings = Uint32Array.from(part.strings, (text) => this.intern(text));
    const threads = new Uint32Array(part.threads.length >>> 1);
    for (let k = 0; k < threads.length; k++) threads[k] = this.threadIndexOf(part.threads[2 * k]!, part.threads[2 * k + 1]!);
    const ids = new Uint32Array(Math.max(0, part.idOffsets.length - 1));
    for (let k = 0; k < ids.length; k++) ids[k] = this.ids.intern(part.idBytes, part.idOffsets[k]!, part.idOffsets[k + 1]!);
    const firstEvent = this.eventCount;
    const count = part.eventCount;
    // Column by column, not event by event: most are copied as they are.
    this.ph.appendAll(part.ph);
    this.flags.appendAll(part.flags);
    this.lineBytes.appendAll(part.lineBytes);
    this.ts.appendAll(part.ts);
    this.dur.appendAll(part.dur);
    this.idNumber.appendAll(part.idNumber);
    this.name.appendMapped(part.name, strings);
    this.thread.appendMapped(part.thread, threads);
    this.cat.appendMapped(part.cat, strings);
    this.idString.appendMapped(part.idString, ids);
    const blobShift = this.blob.length;
    this.blob.append(part.blob, 0, part.blob.length);
    const blobRefStart = this.blobRef.length;
    this.blobRef.appendAll(part.blobRef);
    for (let i = blobRefStart; i < this.blobRef.length; i += 2) this.blobRef.data[i] += blobShift;
    // A FULL event's name and thread are 0, not indices (addFull): mapped above, set back.
    const flags = this.flags.data;
    for (let i = firstEvent; i < firstEvent + count; i++) {
      if ((flags[i]! & SUMMARY_FLAG.FULL) === 0) continue;
      this.name.set(i, 0);
      this.thread.set(i, 0);
    }
    // Skipped lines before the part's first event continue those after this writer's last.
    if (count > 0 && this.pendingGap > 0) {
      if ((flags[firstEvent]! & SUMMARY_FLAG.GAP) !== 0) {
        this.gap.push(this.pendingGap + part.gap[0]!);
        this.gap.appendAll(part.gap.subarray(1));
      } else {
        flags[firstEvent] = flags[firstEvent]! | SUMMARY_FLAG.GAP;
        this.gap.push(this.pendingGap);
        this.gap.appendAll(part.gap);
      }
      this.pendingGap = 0;
    } else {
      this.gap.appendAll(part.gap);
    }
    for (const [index, event] of part.full) this.full.set(firstEvent + index, event);
    this.pendingGap += part.pendingGap;
  }

  /** The summary as one buffer. */
  finish(counts: SummaryCounts): Uint8Array {
    return concatBytes(this.finishPieces(counts));
  }

  /**
   * The summary as the pieces that make it up, in order (header, sections with their padding,
   * tail, then the span layout's block when `counts.spans` asks for it): a host writes them out
   * one after the other without copying 40 MB into one buffer.
   */
  finishPieces(counts: SummaryCounts): Uint8Array[] {
    const pieces = this.finishColumnPieces(counts);
    if (counts.spans) pieces.push(...this.finishSpanPieces(counts.spans.windowEndTs));
    return pieces;
  }

  /**
   * Everything before the span layout: header, columns, tables, tail (with `counts.spans`,
   * version 3: the layout's block follows, from finishSpanPieces). A host can send these while
   * the layout is computed. The columns stay readable: the layout reads them next.
   */
  finishColumnPieces(counts: SummaryCounts): Uint8Array[] {
    if (this.strings.length === 0) this.intern('');
    if (this.threads.length === 0) this.threadOf(0, 0);
    const encoder = new TextEncoder();
    const [stringOffsets, stringBytes] = encodeStrings(this.strings, encoder);
    const [idOffsets, idBytes] = this.ids.encoded();
    // [bytes, element width] per section, in order.
    const sections: [Uint8Array, number][] = [
      [this.ph.bytes(), 1], [this.flags.bytes(), 2], this.name.narrowed(), this.thread.narrowed(), [this.ts.bytes(), 8], narrow(this.lineBytes),
      this.cat.narrowed(), [this.dur.bytes(), 8], this.idNumber.sized(), narrow(this.idString),
      [this.gap.bytes(), 4], [this.blobRef.bytes(), 4], [this.threads.bytes(), 8], [bytesOf(stringOffsets), 4], [stringBytes, 1], [this.blob.bytes(), 1],
      [bytesOf(idOffsets), 4], [idBytes, 1],
    ];
    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint32(0, EVENT_SUMMARY_MAGIC, true);
    view.setUint32(4, counts.spans ? EVENT_SUMMARY_VERSION_SPANS : EVENT_SUMMARY_VERSION, true);
    view.setUint32(EVENT_COUNT_AT, this.eventCount, true);
    view.setUint32(12, counts.entries, true);
    view.setUint32(16, counts.skipped, true);
    view.setInt32(20, counts.firstSkipped, true);
    view.setFloat64(24, counts.firstEventOffset, true);
    view.setUint32(32, SECTION_COUNT, true);
    if (counts.spans) view.setUint32(TAIL_BYTES_AT, counts.tail.length, true);
    const pieces: Uint8Array[] = [header];
    writeSections(sections, view, 40, WIDTHS_AT, pieces);
    // Version 1: the tail runs to the end. Version 3: the span block follows, 8-byte aligned.
    pieces.push(counts.tail);
    if (counts.spans && counts.tail.length % 8 !== 0) pieces.push(PADDING.subarray(0, align8(counts.tail.length) - counts.tail.length));
    return pieces;
  }

  /** The span layout's block (version 3), to follow finishColumnPieces' pieces. */
  finishSpanPieces(windowEndTs: number | undefined): Uint8Array[] {
    const layout = layoutSpans({
      eventCount: this.eventCount,
      ph: this.ph.data,
      flags: this.flags.data,
      thread: this.thread.data,
      ts: this.ts.data,
      cat: this.cat.data,
      dur: this.dur.data,
      idNumber: this.idNumber.data,
      idString: this.idString.data,
      strings: this.strings,
      idStrings: this.ids,
      threads: this.threads.data,
      full: this.full,
      windowEndTs,
    }, this.layoutArena);
    const scalars = Float64Array.of(layout.minTs, layout.maxTs, layout.openEndUs, layout.unmatchedEnds);
    const sections: [Uint8Array, number][] = [
      [bytesOf(layout.event), 4], [bytesOf(layout.endEvent), 4], [bytesOf(layout.packedOrder), 4], [bytesOf(layout.groupRows), 4], [bytesOf(layout.rowItems), 4], [bytesOf(scalars), 8],
    ];
    const header = new Uint8Array(SPAN_BLOCK_HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint32(0, SPAN_BLOCK_MAGIC, true);
    view.setUint32(4, SPAN_SECTION_COUNT, true);
    const pieces: Uint8Array[] = [header];
    writeSections(sections, view, 8, 8 + 4 * SPAN_SECTION_COUNT, pieces);
    return pieces;
  }

  private startEvent(lineBytes: number): number {
    this.lineBytes.push(lineBytes);
    if (this.pendingGap === 0) return 0;
    this.gap.push(this.pendingGap);
    this.pendingGap = 0;
    return SUMMARY_FLAG.GAP;
  }

  private addBlob(bytes: Uint8Array, start: number, end: number): void {
    this.blobRef.push(this.blob.length);
    this.blobRef.push(end - start);
    this.blob.append(bytes, start, end);
  }

  // Events come in runs of one thread and category, and names alternate between a few (a
  // span's begin and end): the last answers are asked before the maps (a Map lookup per
  // event hashed every name, category and thread of a million-event file).
  private lastName: string | undefined;
  private lastNameIndex = 0;
  private lastCategory: string | undefined;
  private lastCategoryIndex = 0;
  private lastPid = Number.NaN;
  private lastTid = Number.NaN;
  private lastThreadIndex = 0;

  private internName(text: string): number {
    if (text === this.lastName) return this.lastNameIndex;
    this.lastName = text;
    return (this.lastNameIndex = this.intern(text));
  }

  private internCategory(text: string): number {
    if (text === this.lastCategory) return this.lastCategoryIndex;
    this.lastCategory = text;
    return (this.lastCategoryIndex = this.intern(text));
  }

  private intern(text: string): number {
    let index = this.stringIndex.get(text);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, index);
    }
    return index;
  }

  private threadOf(pid: number, tid: number): number {
    if (pid === this.lastPid && tid === this.lastTid) return this.lastThreadIndex;
    this.lastPid = pid;
    this.lastTid = tid;
    return (this.lastThreadIndex = this.threadIndexOf(pid, tid));
  }

  private threadIndexOf(pid: number, tid: number): number {
    let byTid = this.threadIndex.get(pid);
    if (!byTid) this.threadIndex.set(pid, (byTid = new Map()));
    let index = byTid.get(tid);
    if (index === undefined) {
      index = this.threads.length / 2;
      this.threads.push(pid);
      this.threads.push(tid);
      byTid.set(tid, index);
    }
    return index;
  }
}
