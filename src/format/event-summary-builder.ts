// Builds the event summary (event-summary.ts) of a snapshot from its bytes, chunk by chunk, so
// a host never holds the file as one string. Lines are split by snapshot-lines.ts, spans read
// by the byte scanner (scan-event.ts; it finds the end of each line it reads, so the bytes are
// walked once), everything else by JSON.parse, exactly as the viewer's own streaming reader
// does; a file not in our writer's layout yields no summary, and the host sends the whole file
// as before.
import { isUsableEvent, MAX_DOCUMENT_DEPTH } from './read';
import { SNAPSHOT_FORMAT } from './snapshot';
import { EventScanner } from './scan-event';
import { depthBeyond, SnapshotLineReader, type SnapshotLineHandler } from './snapshot-lines';
import { EventSummaryWriter, type WriterPart } from './event-summary-writer';
import { isJsonObject } from './json-object';

/**
 * Span categories whose args the viewer reads for every span while it builds its summaries
 * (GC kinds for the GC totals, the stacks of event-loop blocks): sent inline. Other spans'
 * args (HTTP details, user data: the bulk of a snapshot) stay in the file until looked at.
 */
const INLINE_ARGS_CATEGORIES = new Set(['gc', 'eventloop']);

function primaryCategory(category: string | undefined): string {
  if (!category) return '';
  const comma = category.indexOf(',');
  return comma < 0 ? category : category.slice(0, comma);
}

const COMMA = 0x2c;

/**
 * The events of a file's bytes from an event line to the end, read by a builder of their own
 * (another thread): what the builder of the bytes before them appends (appendPart).
 */
export interface SummaryPart {
  writer: WriterPart;
  entries: number;
  skipped: number;
  firstSkipped: number;
  /** The file's bytes after the event lines. */
  tail: Uint8Array;
}

export class EventSummaryBuilder {
  private readonly writer: EventSummaryWriter;
  private readonly lines: SummaryLines;
  private readonly reader: SnapshotLineReader;
  /** Events and KiB read so far, for a thread touching memory ahead of the build (memoryAhead). */
  private progress: Int32Array | undefined;
  private bytesFed = 0;
  /** metadata.window.endTs, once finishColumns has read the tail (null before). */
  private windowEndTs: number | undefined | null = null;
  /** The tail of an appended part (appendPart): the file's. */
  private appendedTail: Uint8Array | undefined;

  /**
   * `bytes` (when known) sizes the columns up front: our lines are ~100–200 bytes. With
   * `eventLinesFrom`, the builder reads a part of the file from that offset, the start of an
   * event line after one with a comma, to the end (takePart), instead of the whole file.
   */
  constructor(bytes?: number, eventLinesFrom?: number) {
    this.writer = new EventSummaryWriter(bytes ? Math.ceil(bytes / 150) : undefined);
    this.lines = new SummaryLines(this.writer);
    this.reader = new SnapshotLineReader(this.lines, eventLinesFrom);
  }

  /**
   * After the last chunk of a part (the builder made with `eventLinesFrom`): its events for the
   * builder of the bytes before them, or undefined when the part is not in our layout.
   */
  takePart(): SummaryPart | undefined {
    const tail = this.reader.active ? this.reader.finish() : undefined;
    if (!tail) return undefined;
    const { entries, skipped, firstSkipped } = this.lines;
    return { writer: this.writer.part(), entries, skipped, firstSkipped, tail };
  }

  /**
   * Appends the part of the file that follows the bytes fed so far, read by another builder;
   * the summary is then the one this builder would have made from the whole file. False when
   * the bytes so far do not end between two event lines (nothing changed: feed the rest).
   */
  appendPart(part: SummaryPart): boolean {
    if (!this.reader.betweenEventLines) return false;
    this.writer.appendPart(part.writer);
    const lines = this.lines;
    if (lines.firstSkipped < 0 && part.firstSkipped >= 0) lines.firstSkipped = lines.entries + part.firstSkipped;
    lines.entries += part.entries;
    lines.skipped += part.skipped;
    this.appendedTail = part.tail;
    return true;
  }

  /**
   * The shared memory the build will write (EventSummaryWriter.memoryAhead), for a spare thread
   * to touch ahead of it, and how far the build is, updated after each chunk: `progress[0]`
   * events read so far (of about `expectedEvents`), `progress[1]` KiB of the file read, of
   * `progress[2]` KiB this builder is to read (willRead; 0 until said).
   * Undefined without SharedArrayBuffer.
   */
  memoryAhead(): { buffers: SharedArrayBuffer[]; progress: Int32Array; expectedEvents: number } | undefined {
    if (typeof SharedArrayBuffer !== 'function') return undefined;
    this.progress ??= new Int32Array(new SharedArrayBuffer(12));
    return { buffers: this.writer.memoryAhead(), progress: this.progress, expectedEvents: this.writer.expectedEvents };
  }

  /** Says how many bytes this builder is to read in all (progress[2], in KiB rounded up), for a loading screen's share. */
  willRead(bytes: number): void {
    if (this.progress) Atomics.store(this.progress, 2, Math.min(0x7fffffff, Math.ceil(bytes / 1024)));
  }

  /** Whether the file still looks like our layout (false: no summary; send the file). */
  get active(): boolean {
    return this.reader.active;
  }

  /** Reads every line the bytes so far complete; `chunk` may be reused once this returns. */
  feed(chunk: Uint8Array): void {
    this.reader.feed(chunk);
    this.bytesFed += chunk.length;
    if (this.progress) {
      Atomics.store(this.progress, 0, this.writer.eventCount);
      Atomics.store(this.progress, 1, Math.min(0x7fffffff, Math.floor(this.bytesFed / 1024)));
    }
  }

  /**
   * After the last chunk: the summary as pieces to send in order (event-summary.ts,
   * finishPieces), or undefined when the file is not in our layout. Never throws.
   */
  finish(): Uint8Array[] | undefined {
    const columns = this.finishColumns();
    const spans = columns ? this.finishSpans() : undefined;
    return columns && spans ? [...columns, ...spans] : undefined;
  }

  /**
   * After the last chunk, in two steps so a host can send the first while the second is
   * computed: everything before the span layout (undefined when the file is not in our
   * layout), then — only after that — the span layout's block. Neither throws.
   */
  finishColumns(): Uint8Array[] | undefined {
    try {
      const tail = this.appendedTail ?? this.reader.finish();
      const top = tail ? readableTail(tail, new TextDecoder()) : undefined;
      if (!tail || !top) return undefined;
      this.windowEndTs = windowEndOf(top);
      return this.writer.finishColumnPieces({
        entries: this.lines.entries,
        skipped: this.lines.skipped,
        firstSkipped: this.lines.firstSkipped,
        firstEventOffset: this.reader.firstEventOffset,
        tail,
        spans: { windowEndTs: this.windowEndTs },
      });
    } catch {
      return undefined;
    }
  }

  /** The span layout's block, after finishColumns; undefined if that failed or this does. */
  finishSpans(): Uint8Array[] | undefined {
    try {
      return this.windowEndTs === null ? undefined : this.writer.finishSpanPieces(this.windowEndTs);
    } catch {
      return undefined;
    }
  }
}

/** Each event line into the writer: spans as the scanner reads them, the rest parsed. */
class SummaryLines implements SnapshotLineHandler {
  entries = 0;
  skipped = 0;
  firstSkipped = -1;
  private readonly scanner = new EventScanner();
  private readonly decoder = new TextDecoder();
  /** The last category asked about and its answer: spans come in runs of one category. */
  private lastCat: string | undefined = undefined;
  private lastCatInline = false;

  constructor(private readonly writer: EventSummaryWriter) {}

  /** A line found by its scan (the common case, one pass over its bytes): see SnapshotLineHandler. */
  eventLineAt(b: Uint8Array, start: number): number {
    const newline = this.scanner.readLine(b, start);
    if (newline < 0) return -1;
    const end = b[newline - 1] === COMMA ? newline - 1 : newline;
    if (!this.addScanned(b, end - start)) return -1;
    this.entries++;
    return newline;
  }

  eventLine(b: Uint8Array, start: number, end: number, _fileOffset: number, lineBytes: number): void {
    const index = this.entries++;
    if (this.scanner.read(b, start, end) && this.addScanned(b, end - start)) return;
    if (depthBeyond(b, start, end, MAX_DOCUMENT_DEPTH - 2)) throw new Error('nested too deeply');
    // Throws on invalid JSON: the reader gives up, and the page's shared reader says where.
    const value: unknown = JSON.parse(this.decoder.decode(b.subarray(start, end)));
    if (isUsableEvent(value)) {
      this.writer.addFull(b, start, end, end - start, value);
      return;
    }
    this.skipped++;
    if (this.firstSkipped < 0) this.firstSkipped = index;
    this.writer.skipLine(lineBytes + 1);
  }

  /** Adds the event the scanner just read (`jsonBytes` long) when the columns hold it exactly; false: parse it. */
  private addScanned(b: Uint8Array, jsonBytes: number): boolean {
    const event = this.scanner.fields;
    if (!EventSummaryWriter.fits(event)) return false;
    const inline = event.argsMayFail || this.inlineCategory(event.cat);
    this.writer.addScanned(event, b, jsonBytes, inline ? 'inline' : 'remote');
    return true;
  }

  private inlineCategory(cat: string | undefined): boolean {
    if (cat !== this.lastCat) {
      this.lastCat = cat;
      this.lastCatInline = INLINE_ARGS_CATEGORIES.has(primaryCategory(cat));
    }
    return this.lastCatInline;
  }
}

/** The document's top object when the tail completes it as one (the page reads the metadata from it), else undefined. */
function readableTail(tail: Uint8Array, decoder: { decode(input: Uint8Array): string }): Record<string, unknown> | undefined {
  if (depthBeyond(tail, 0, tail.length, MAX_DOCUMENT_DEPTH - 1)) return undefined;
  const top: unknown = JSON.parse(`{${decoder.decode(tail)}`);
  const readable = isJsonObject(top) && !Object.prototype.hasOwnProperty.call(top, 'traceEvents');
  return readable ? top : undefined;
}

/** metadata.window.endTs of a snapshot, read as the page reads it (trace-tail.ts, then model.ts). */
function windowEndOf(top: Record<string, unknown>): number | undefined {
  const metadata = isJsonObject(top.metadata) && top.metadata.format === SNAPSHOT_FORMAT ? top.metadata : undefined;
  const window = metadata?.window;
  const endTs = isJsonObject(window) ? window.endTs : undefined;
  return typeof endTs === 'number' ? endTs : undefined;
}
