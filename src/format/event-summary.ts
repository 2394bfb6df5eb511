// The event summary: a compact, binary, columnar copy of every event of a snapshot, which a
// host (`cli view`, the VS Code extension) builds from the file and sends to the viewer page in
// place of the file itself. A 1 M-event snapshot is ~180 MB of JSON; moving that into a page
// costs ~2 s before any work. The summary carries what the timeline needs to draw (phase,
// category, name, times, thread, id), the args the model reads while building (inline), and for
// every other event only where its line lies in the file, so the page fetches those args by
// byte range when someone looks at them.
//
// Layout (little-endian; every section starts 8-byte aligned):
//   header   magic "NFRS", version, eventCount, entries, skipped, firstSkipped,
//            firstEventOffset (f64), section count, each section's byte length, then each
//            section's element width (index columns are u8, u16 or u32, as their values need;
//            numeric ids u32 or f64)
//   sections PH u8[n], FLAGS u16[n], NAME u[n], THREAD u[n], TS f64[n], LINE_BYTES u[n],
//            then compact columns holding a value only for events whose flag says so, in event
//            order: CAT u, DUR f64, ID_NUMBER u32|f64, ID_STRING u, GAP u32, BLOB_REF u32×2
//            (start, length in BLOB), then THREADS f64×2 (pid, tid), STRING_OFFSETS u32[k+1],
//            STRING_BYTES (UTF-8) for names and categories, BLOB, ID_STRING_OFFSETS,
//            ID_STRING_BYTES (string ids, in a table of their own: they are many and would
//            widen the name column), TAIL (the file's bytes after the event lines).
// Version 3 gives TAIL's length in the header (bytes 36–39) and adds, after TAIL (8-byte
// aligned), the spans paired and laid out by the host (event-summary-spans.ts) as a block of
// its own: "NFRL", its section count, each section's byte length, each section's element
// width, then SPAN_EVENT i32[s], SPAN_END_EVENT i32[s], PACKED_ORDER i32[s], GROUP_ROWS
// u32[tracks], ROW_ITEMS u32[rows], SPAN_SCALARS f64[4] (minTs, maxTs, openEndUs,
// unmatchedEnds). The layout comes last because the host computes it last: everything before
// it can be sent while it is computed. Readers take versions 1 and 3; without the layout the
// page pairs spans itself. (Version 2, the layout before TAIL, is no longer written or read:
// summaries only ever go from a host to the viewer of the same build.)
// A FULL event is one the columns cannot hold exactly (metadata, counters, profiles, instants,
// anything unusual): BLOB holds its whole line and the reader parses it. Pure TypeScript over
// typed arrays, so Node hosts and the browser share it. This file is the contract and the
// reader; event-summary-writer.ts lays summaries out.
import type { SpanLayout } from './event-summary-spans';

export const EVENT_SUMMARY_MAGIC = 0x5352464e; // "NFRS" read as a little-endian u32
export const EVENT_SUMMARY_VERSION = 1;
/** Version 3: version 1, TAIL's length, and the host's span layout after TAIL (a block of SPAN_SECTION_COUNT sections). */
export const EVENT_SUMMARY_VERSION_SPANS = 3;
/** "NFRL" read as a little-endian u32: the start of the span layout's block. */
export const SPAN_BLOCK_MAGIC = 0x4c52464e;
/** Header offset of TAIL's byte length (version 3). */
export const TAIL_BYTES_AT = 36;
/**
 * The header a host streaming a summary still being built sends with it (the length is not
 * known yet): the most bytes the summary can come to, so the page reads it into one buffer of
 * that size as it arrives (src/cli/view/page.ts) instead of collecting chunks and copying them
 * into one buffer after the last — which held the first frame up ~0.15 s for 30 MB.
 */
export const SUMMARY_MAX_BYTES_HEADER = 'x-summary-max-bytes';
/**
 * The header giving `summaryColumnsBytes` of a version-3 summary: the page reads that part into
 * a buffer of its own and decodes it while the span layout is still on the way (src/cli/view/page.ts).
 */
export const SUMMARY_COLUMNS_BYTES_HEADER = 'x-summary-columns-bytes';
/** Doubles at the end of the span layout's block: minTs, maxTs, openEndUs, unmatchedEnds. */
export const SPAN_SCALARS = 4;
/** Header offset of the event count (a u32). */
export const EVENT_COUNT_AT = 8;

/**
 * The most bytes the span layout's block can take for `eventCount` events: each event begins
 * at most one span, and there are at most as many tracks and rows as spans.
 */
export function spanBlockMaxBytes(eventCount: number): number {
  return SPAN_BLOCK_HEADER_BYTES + (SPAN_SECTION_COUNT - 1) * align8(4 * eventCount) + align8(8 * SPAN_SCALARS);
}
/** The MIME type hosts send it with. */
export const EVENT_SUMMARY_CONTENT_TYPE = 'application/vnd.node-flight-recorder.summary';

export const SUMMARY_FLAG = {
  CAT: 1,
  DUR: 2,
  ID_NUMBER: 4,
  ID_STRING: 8,
  /** Args bytes are in BLOB (parse on first read). */
  ARGS_INLINE: 16,
  /** Args are only in the file: fetch the event's line by range. */
  ARGS_REMOTE: 32,
  /** The scanner's hint: the args may hold a status ≥ 500 or an error (see scan-event.ts). */
  ARGS_MAY_FAIL: 64,
  /** BLOB holds the whole line: parse it as the event. */
  FULL: 128,
  BP_E: 256,
  /** GAP holds bytes of skipped lines before this event's line. */
  GAP: 512,
} as const;
/** Instant scope `s` in bits 10–11 of FLAGS: 0 none, 1 g, 2 p, 3 t. */
export const SCOPE_SHIFT = 10;
export const SCOPES = ['', 'g', 'p', 't'] as const;

export const SECTION_COUNT = 18;
/** After the section lengths: one byte per section, its element width in bytes (narrowest that fits). */
export const WIDTHS_AT = 40 + 4 * SECTION_COUNT;
export const HEADER_BYTES = align8(WIDTHS_AT + SECTION_COUNT);
/** Sections of the span layout's block (version 3). */
export const SPAN_SECTION_COUNT = 6;
/** Bytes of the span block's own header: magic, section count, lengths, widths, padded to 8. */
export const SPAN_BLOCK_HEADER_BYTES = align8(8 + 5 * SPAN_SECTION_COUNT);

/** An index column, as narrow as its largest value allows (most files: a few hundred names). */
export type IndexColumn = Uint8Array | Uint16Array | Uint32Array;

export class SummaryFormatError extends Error {}

export type Typed = Uint8Array | Uint16Array | Uint32Array | Float64Array;

export interface EventSummary {
  eventCount: number;
  /** traceEvents entries in the file, usable or not, and the unusable ones left out. */
  entries: number;
  skipped: number;
  firstSkipped: number;
  /** File offset of the first event line. */
  firstEventOffset: number;
  ph: Uint8Array;
  flags: Uint16Array;
  name: IndexColumn;
  thread: IndexColumn;
  ts: Float64Array;
  lineBytes: IndexColumn;
  cat: IndexColumn;
  dur: Float64Array;
  /** u32 when every numeric id is a small integer (request counters), else f64. */
  idNumber: Float64Array | Uint32Array;
  idString: IndexColumn;
  gap: Uint32Array;
  blobRef: Uint32Array;
  /** pid, tid pairs. */
  threads: Float64Array;
  /** Names and categories. */
  strings: string[];
  /** String ids (a table of their own, decoded when read: there can be one per request). */
  idStrings: LazyStrings;
  blob: Uint8Array;
  tail: Uint8Array;
  /** Version 3: the spans paired and packed into rows by the host (event-summary-spans.ts); checked by the page before use. */
  spans?: SummarySpans;
  /** Made while the columns are checked (one pass over the events for both). */
  index: SummaryIndex;
}

/** Events per block of the rank columns: 2^SUMMARY_RANK_SHIFT. */
export const SUMMARY_RANK_SHIFT = 4;

/**
 * What a reader needs to find an event's values in the compact columns, made by the decoder's
 * check (which walks every event's flags anyway): the viewer reads it instead of walking a
 * million events a second time before its first frame.
 */
export interface SummaryIndex {
  /**
   * String index + 1 of each event's category, 0 for none (as narrow as the string table
   * allows: a fresh zeroed array needs no fill).
   */
  catOfEvent: Uint8Array | Uint16Array | Uint32Array;
  /**
   * Where each block of 2^SUMMARY_RANK_SHIFT events starts in the compact DUR, ID_NUMBER and
   * ID_STRING columns: an event's value is found by counting the flags before it in its block,
   * instead of expanding each column to one entry per event.
   */
  durRank: Uint32Array;
  idNumberRank: Uint32Array;
  idStringRank: Uint32Array;
  /** The events with bytes in BLOB (FULL and ARGS_INLINE), in order: event k's are at blobRef[2k], blobRef[2k + 1]. */
  blobEvents: Int32Array;
}

/** The phases a column (not FULL) event may have: spans and flow points, as the scanner reads them. */
const COLUMN_PHASES = new Uint8Array(128);
for (const c of 'XBEbestf') COLUMN_PHASES[c.charCodeAt(0)] = 1;

/** The span layout as read: the host's layout, as event-summary-spans.ts defines it. */
export type SummarySpans = SpanLayout;

export function scopeOfFlags(flags: number): '' | 'g' | 'p' | 't' {
  return SCOPES[(flags >> SCOPE_SHIFT) & 3]!;
}

/**
 * File offset of every event's line: a prefix sum over LINE_BYTES (each event's JSON, without
 * the comma that follows every line but the last, and the newline) and GAP (skipped lines).
 */
export function lineOffsets(summary: EventSummary): Float64Array {
  const { eventCount, lineBytes, flags, gap } = summary;
  const offsets = new Float64Array(eventCount);
  let next = summary.firstEventOffset;
  let gaps = 0;
  for (let i = 0; i < eventCount; i++) {
    if (flags[i]! & SUMMARY_FLAG.GAP) next += gap[gaps++]!;
    offsets[i] = next;
    next += lineBytes[i]! + 2;
  }
  return offsets;
}

export function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Reads a summary, checking every count, index and range against the data (a damaged or
 * foreign buffer throws SummaryFormatError; nothing is trusted). The typed arrays are views
 * into `bytes` (copied once if it is not 8-byte aligned).
 */
export function decodeEventSummary(input: Uint8Array): EventSummary {
  return decodeSummary(input, 'whole');
}

/**
 * The part of a version-3 summary before its span layout (`summaryColumnsBytes` of it: the
 * header, the sections and the tail), read and checked as `decodeEventSummary` does, without
 * spans: a page can read it while the host still lays the spans out, then `attachSpanBlock`.
 */
export function decodeSummaryColumns(input: Uint8Array): EventSummary {
  return decodeSummary(input, 'columns');
}

/** Reads the span layout's block (`input` holds it alone) into `summary`, checked against its events. */
export function attachSpanBlock(summary: EventSummary, input: Uint8Array): void {
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  const spans = readSpanBlock(bytes, 0);
  checkSpans(spans, summary.eventCount);
  summary.spans = spans;
}

/**
 * How many bytes of a summary come before its span layout, from its header (at least
 * HEADER_BYTES of it); the whole length for version 1, which has none. Undefined when the
 * header is not one.
 */
export function summaryColumnsBytes(header: Uint8Array): number | undefined {
  if (header.length < HEADER_BYTES) return undefined;
  const view = new DataView(header.buffer, header.byteOffset, header.length);
  if (view.getUint32(0, true) !== EVENT_SUMMARY_MAGIC || view.getUint32(4, true) !== EVENT_SUMMARY_VERSION_SPANS || view.getUint32(32, true) !== SECTION_COUNT) return undefined;
  let bytes = HEADER_BYTES;
  for (let s = 0; s < SECTION_COUNT; s++) bytes += align8(view.getUint32(40 + 4 * s, true));
  return bytes + align8(view.getUint32(TAIL_BYTES_AT, true));
}

/**
 * The most bytes a version-3 summary can come to, from its header: its part before the span
 * layout and the largest span layout block its events can make (SUMMARY_MAX_BYTES_HEADER).
 */
export function summaryMaxBytes(header: Uint8Array): number | undefined {
  const columnsBytes = summaryColumnsBytes(header);
  if (columnsBytes === undefined) return undefined;
  return columnsBytes + spanBlockMaxBytes(new DataView(header.buffer, header.byteOffset, header.length).getUint32(EVENT_COUNT_AT, true));
}

function decodeSummary(input: Uint8Array, part: 'whole' | 'columns'): EventSummary {
  if (!littleEndian()) throw new SummaryFormatError('the event summary is little-endian; this machine is not');
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  if (bytes.length < HEADER_BYTES) throw new SummaryFormatError('shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0, true) !== EVENT_SUMMARY_MAGIC) throw new SummaryFormatError('not an event summary');
  const version = view.getUint32(4, true);
  if (version !== EVENT_SUMMARY_VERSION && version !== EVENT_SUMMARY_VERSION_SPANS) throw new SummaryFormatError(`event summary version ${version}; this reader knows ${EVENT_SUMMARY_VERSION} and ${EVENT_SUMMARY_VERSION_SPANS}`);
  const n = view.getUint32(EVENT_COUNT_AT, true);
  if (view.getUint32(32, true) !== SECTION_COUNT) throw new SummaryFormatError('unexpected section count');
  const sections = new SectionReader(bytes, view, 40, WIDTHS_AT, HEADER_BYTES, 'section');
  const section = <T>(s: number, make: Make<T>, elementBytes: number): T => sections.read(s, make, elementBytes);
  /** An index column of the width the header gives. */
  const index = (s: number): IndexColumn => {
    const width = sections.width(s);
    if (width === 1) return section(s, u8, 1);
    if (width === 2) return section(s, u16, 2);
    return section(s, u32, 4);
  };
  const summary: EventSummary = {
    eventCount: n,
    entries: view.getUint32(12, true),
    skipped: view.getUint32(16, true),
    firstSkipped: view.getInt32(20, true),
    firstEventOffset: view.getFloat64(24, true),
    ph: section(0, u8, 1),
    flags: section(1, u16, 2),
    name: index(2),
    thread: index(3),
    ts: section(4, f64, 8),
    lineBytes: index(5),
    cat: index(6),
    dur: section(7, f64, 8),
    idNumber: sections.width(8) === 4 ? section(8, u32, 4) : section(8, f64, 8),
    idString: index(9),
    gap: section(10, u32, 4),
    blobRef: section(11, u32, 4),
    threads: section(12, f64, 8),
    strings: [],
    idStrings: new LazyStrings(new Uint32Array(1), new Uint8Array(0)),
    blob: new Uint8Array(0),
    tail: new Uint8Array(0),
    index: { catOfEvent: new Uint8Array(0), durRank: new Uint32Array(0), idNumberRank: new Uint32Array(0), idStringRank: new Uint32Array(0), blobEvents: new Int32Array(0) },
  };
  const stringOffsets = section(13, u32, 4);
  const stringBytes = section(14, u8, 1);
  summary.blob = section(15, u8, 1);
  const idOffsets = section(16, u32, 4);
  const idBytes = section(17, u8, 1);
  let at = sections.at;
  if (version === EVENT_SUMMARY_VERSION) {
    if (part === 'columns') throw new SummaryFormatError('a version 1 summary has no span layout to come');
    summary.tail = bytes.subarray(at);
  } else {
    const tailBytes = view.getUint32(TAIL_BYTES_AT, true);
    if (at + tailBytes > bytes.length) throw new SummaryFormatError('the tail does not fit');
    summary.tail = bytes.subarray(at, at + tailBytes);
    at = align8(at + tailBytes);
    if (part === 'columns') {
      if (at !== align8(bytes.length)) throw new SummaryFormatError('bytes follow the tail');
    } else {
      summary.spans = readSpanBlock(bytes, at);
    }
  }
  for (const column of [summary.ph, summary.flags, summary.name, summary.thread, summary.ts, summary.lineBytes]) {
    if (column.length !== n) throw new SummaryFormatError('a column does not have one entry per event');
  }
  summary.strings = decodeStrings(stringOffsets, stringBytes);
  summary.idStrings = new LazyStrings(idOffsets, idBytes);
  summary.index = checkAndIndex(summary);
  return summary;
}

function decodeStrings(offsets: Uint32Array, bytes: Uint8Array): string[] {
  if (offsets.length === 0 || offsets[0] !== 0 || offsets[offsets.length - 1] !== bytes.length) throw new SummaryFormatError('string table does not fit');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const strings = new Array<string>(offsets.length - 1);
  for (let i = 0; i + 1 < offsets.length; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (end < start) throw new SummaryFormatError('string table does not fit');
    strings[i] = asciiOrUtf8(bytes, start, end, decoder);
  }
  return strings;
}

/**
 * A string table whose strings are decoded when first read: a summary can hold tens of
 * thousands of string ids (one per request or flow) that nothing reads before the first frame.
 * Its offsets are checked up front; bytes that are not UTF-8 read as U+FFFD.
 */
export class LazyStrings {
  readonly length: number;
  private readonly decoded: (string | undefined)[];
  private readonly decoder = new TextDecoder();

  constructor(private readonly offsets: Uint32Array, private readonly bytes: Uint8Array) {
    if (offsets.length === 0 || offsets[0] !== 0 || offsets[offsets.length - 1] !== bytes.length) throw new SummaryFormatError('string table does not fit');
    for (let i = 0; i + 1 < offsets.length; i++) if (offsets[i + 1]! < offsets[i]!) throw new SummaryFormatError('string table does not fit');
    this.length = offsets.length - 1;
    this.decoded = new Array<string | undefined>(this.length);
  }

  /** String `index` (0 ≤ index < length). */
  get(index: number): string {
    let text = this.decoded[index];
    if (text === undefined) this.decoded[index] = text = asciiOrUtf8(this.bytes, this.offsets[index]!, this.offsets[index + 1]!, this.decoder);
    return text;
  }
}

/** Short ASCII strings without a decoder call (most names are). */
export function asciiOrUtf8(bytes: Uint8Array, start: number, end: number, decoder: { decode(input: Uint8Array): string }): string {
  if (end - start <= 64) {
    let text = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(c);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * Every compact column holds exactly one value per flagged event; every index and range is in
 * bounds; every column event has a span or flow phase. Makes the index (SummaryIndex) as it goes.
 */
function checkAndIndex(s: EventSummary): SummaryIndex {
  // Runs once per page over every event, mostly before the JIT optimises it: every column and
  // constant is read into a local first (a property load per use costs more than the test).
  const { eventCount, flags: flagsOf, name, thread, ts, cat, idString, ph } = s;
  const stringCount = s.strings.length;
  const threadCount = s.threads.length / 2;
  const idStringCount = s.idStrings.length;
  const { GAP, FULL, CAT, DUR, ID_NUMBER, ID_STRING, ARGS_INLINE } = SUMMARY_FLAG;
  const columnPhases = COLUMN_PHASES;
  const catCodes = stringCount + 1;
  const catOfEvent = catCodes <= 0xff ? new Uint8Array(eventCount) : catCodes <= 0xffff ? new Uint16Array(eventCount) : new Uint32Array(eventCount);
  const blocks = (eventCount >> SUMMARY_RANK_SHIFT) + 1;
  const durRank = new Uint32Array(blocks);
  const idNumberRank = new Uint32Array(blocks);
  const idStringRank = new Uint32Array(blocks);
  const blobEvents = new Int32Array(s.blobRef.length >> 1);
  const blockMask = (1 << SUMMARY_RANK_SHIFT) - 1;
  let cats = 0;
  let durs = 0;
  let idNumbers = 0;
  let idStrings = 0;
  let gaps = 0;
  let blobs = 0;
  for (let i = 0; i < eventCount; i++) {
    const flags = flagsOf[i]!;
    if ((i & blockMask) === 0) {
      const block = i >> SUMMARY_RANK_SHIFT;
      durRank[block] = durs;
      idNumberRank[block] = idNumbers;
      idStringRank[block] = idStrings;
    }
    if (flags & GAP) gaps++;
    if (flags & FULL) {
      if (blobs >= blobEvents.length) throw new SummaryFormatError('a column does not match the flags');
      blobEvents[blobs++] = i;
      continue;
    }
    const at = ts[i]!;
    // at - at is 0 for every finite number, NaN for NaN and ±Infinity.
    if (name[i]! >= stringCount || thread[i]! >= threadCount || at - at !== 0) throw new SummaryFormatError(`event ${i} refers outside the tables`);
    if (columnPhases[ph[i]!] !== 1) throw new SummaryFormatError(`event ${i} of the summary has an unexpected phase`);
    if (flags & CAT) {
      const code = cat[cats++]!;
      if (code >= stringCount) throw new SummaryFormatError(`event ${i}: category outside the string table`);
      catOfEvent[i] = code + 1;
    }
    if (flags & DUR) durs++;
    if (flags & ID_NUMBER) idNumbers++;
    if (flags & ID_STRING && idString[idStrings++]! >= idStringCount) throw new SummaryFormatError(`event ${i}: id outside the string table`);
    if (flags & ARGS_INLINE) {
      if (blobs >= blobEvents.length) throw new SummaryFormatError('a column does not match the flags');
      blobEvents[blobs++] = i;
    }
  }
  if (cats !== s.cat.length || durs !== s.dur.length || idNumbers !== s.idNumber.length || idStrings !== s.idString.length || gaps !== s.gap.length || blobs * 2 !== s.blobRef.length) {
    throw new SummaryFormatError('a column does not match the flags');
  }
  for (let k = 0; k < s.blobRef.length; k += 2) {
    if (s.blobRef[k]! + s.blobRef[k + 1]! > s.blob.length) throw new SummaryFormatError('a blob reference points outside the blob');
  }
  if (s.spans) checkSpans(s.spans, s.eventCount);
  return { catOfEvent, durRank, idNumberRank, idStringRank, blobEvents };
}

type Make<T> = (buffer: ArrayBuffer, offset: number, length: number) => T;
const u8: Make<Uint8Array> = (b, o, l) => new Uint8Array(b, o, l);
const u16: Make<Uint16Array> = (b, o, l) => new Uint16Array(b, o, l);
const u32: Make<Uint32Array> = (b, o, l) => new Uint32Array(b, o, l);
const i32: Make<Int32Array> = (b, o, l) => new Int32Array(b, o, l);
const f64: Make<Float64Array> = (b, o, l) => new Float64Array(b, o, l);

/**
 * Sections one after the other from `at`, each 8-byte aligned, as typed-array views into
 * `bytes`: section s's byte length is the u32 at `lengthsAt` + 4s, its element width the byte
 * at `widthsAt` + s (the summary's header and the span layout's block header both say so).
 */
class SectionReader {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly lengthsAt: number,
    private readonly widthsAt: number,
    public at: number,
    private readonly what: string,
  ) {}

  width(s: number): number {
    return this.view.getUint8(this.widthsAt + s);
  }

  read<T>(s: number, make: Make<T>, elementBytes: number): T {
    if (this.width(s) !== elementBytes) throw new SummaryFormatError(`${this.what} ${s} has an unexpected width`);
    const length = this.view.getUint32(this.lengthsAt + 4 * s, true);
    if (length % elementBytes !== 0 || this.at + length > this.bytes.length) throw new SummaryFormatError(`${this.what} ${s} does not fit`);
    const out = make(this.bytes.buffer as ArrayBuffer, this.bytes.byteOffset + this.at, length / elementBytes);
    this.at += align8(length);
    return out;
  }
}

/** The span layout's block at `at` of `bytes` (8-byte aligned), which must end there: its own header, then its sections. */
function readSpanBlock(bytes: Uint8Array, at: number): SummarySpans {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (at + SPAN_BLOCK_HEADER_BYTES > bytes.length || view.getUint32(at, true) !== SPAN_BLOCK_MAGIC || view.getUint32(at + 4, true) !== SPAN_SECTION_COUNT) {
    throw new SummaryFormatError('the span layout is missing or damaged');
  }
  const lengths = at + 8;
  const sections = new SectionReader(bytes, view, lengths, lengths + 4 * SPAN_SECTION_COUNT, at + SPAN_BLOCK_HEADER_BYTES, 'span section');
  const event = sections.read(0, i32, 4);
  const endEvent = sections.read(1, i32, 4);
  const packedOrder = sections.read(2, i32, 4);
  const groupRows = sections.read(3, u32, 4);
  const rowItems = sections.read(4, u32, 4);
  const scalars = sections.read(5, f64, 8);
  if (sections.at !== align8(bytes.length)) throw new SummaryFormatError('bytes follow the span layout');
  if (endEvent.length !== event.length || packedOrder.length !== event.length || scalars.length !== SPAN_SCALARS) throw new SummaryFormatError('the span layout does not fit');
  return { event, endEvent, packedOrder, groupRows, rowItems, minTs: scalars[0]!, maxTs: scalars[1]!, openEndUs: scalars[2]!, unmatchedEnds: scalars[3]! };
}

/**
 * The span layout refers only to events that exist, each span once, in event order, and its
 * rows add up (the page checks each span's phase and each row's order as it reads them).
 */
function checkSpans(spans: SummarySpans, eventCount: number): void {
  const { event, endEvent, packedOrder, groupRows, rowItems } = spans;
  const count = event.length;
  let previous = -1;
  for (let k = 0; k < count; k++) {
    const begin = event[k]!;
    const end = endEvent[k]!;
    if (begin <= previous || begin >= eventCount) throw new SummaryFormatError(`span ${k} refers outside the events`);
    if (end !== -1 && (end <= begin || end >= eventCount)) throw new SummaryFormatError(`span ${k} ends outside the events`);
    previous = begin;
  }
  let rows = 0;
  for (let g = 0; g < groupRows.length; g++) {
    if (groupRows[g] === 0) throw new SummaryFormatError('the span layout has a track without rows');
    rows += groupRows[g]!;
  }
  if (rows !== rowItems.length) throw new SummaryFormatError('the span layout\'s rows do not add up');
  let items = 0;
  for (let r = 0; r < rowItems.length; r++) {
    if (rowItems[r] === 0) throw new SummaryFormatError('the span layout has an empty row');
    items += rowItems[r]!;
  }
  if (items !== count) throw new SummaryFormatError('the span layout\'s rows do not hold every span');
  const seen = new Uint8Array(count);
  for (let p = 0; p < count; p++) {
    const k = packedOrder[p]!;
    if (k < 0 || k >= count || seen[k] === 1) throw new SummaryFormatError('the span layout places a span twice or outside the table');
    seen[k] = 1;
  }
  if (!(spans.unmatchedEnds >= 0 && Number.isInteger(spans.unmatchedEnds)) || Number.isNaN(spans.minTs) || Number.isNaN(spans.maxTs) || Number.isNaN(spans.openEndUs)) {
    throw new SummaryFormatError('the span layout\'s totals are not numbers');
  }
}
