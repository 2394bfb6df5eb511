// Reads a snapshot while it downloads, in the layout our writer produces (src/format/write.ts):
//   {"traceEvents":[
//   <event>,
//   ...
//   <event>
//   ],
//   "displayTimeUnit":"ms",
//   "metadata":{...}}
// Each complete line is read as bytes arrive (scan-event.ts for spans, JSON.parse for the
// rest), so reading overlaps the download and the file is never one giant string. Anything
// that is not exactly this layout — a foreign trace, a cut or damaged file, a hostile one —
// makes it give up, and the caller reads the whole text with the shared reader
// (src/format/read.ts) as before: same results, same error messages.
import { isUsableEvent, MAX_DOCUMENT_DEPTH } from '../../format/read';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotMetadata } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';
import { isRecord, type LoadedTrace } from './load';
import { EventScanner } from './scan-event';

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const HEAD = '{"traceEvents":[';
/** The end of the metadata is small; a larger tail is not ours (the shared reader decides). */
const MAX_TAIL_BYTES = 4 << 20;

type State = 'head' | 'events' | 'tail' | 'failed';

export class StreamingTraceLoader {
  private state: State = 'head';
  /** Bytes of a line not complete yet (the end of the previous chunks). */
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  /** Everything after the closing line of traceEvents. */
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;
  /** The previous event line ended with a comma: another event must follow. */
  private moreExpected = false;
  /** An event line without a comma was read: only the closing line may follow. */
  private lastSeen = false;
  private readonly events: TraceEvent[] = [];
  private entries = 0;
  private skipped = 0;
  private firstSkipped = -1;
  private readonly scanner = new EventScanner();
  private readonly decoder = new TextDecoder();
  /** Lines read by the scanner / by JSON.parse (for the benchmark's curiosity). */
  scannedLines = 0;
  parsedLines = 0;

  /** Whether this loader still reads the file (false: the caller will read the whole text). */
  get active(): boolean {
    return this.state !== 'failed';
  }

  /**
   * Reads every line the bytes so far complete. Chunks are kept, not copied: scanned events
   * parse their args from them later. The caller must not reuse a chunk's memory.
   */
  feed(chunk: Uint8Array): void {
    if (this.state === 'failed' || chunk.length === 0) return;
    try {
      if (this.state === 'tail') {
        this.addTail(chunk);
        return;
      }
      let start = 0;
      if (this.carryBytes > 0) {
        const newline = chunk.indexOf(NEWLINE);
        if (newline < 0) {
          this.carry.push(chunk);
          this.carryBytes += chunk.length;
          if (this.state === 'head' && this.carryBytes > HEAD.length) this.state = 'failed';
          return;
        }
        // The line that spans chunks: joined into one small buffer of its own.
        this.carry.push(chunk.subarray(0, newline));
        const line = concatBytes(this.carry, this.carryBytes + newline);
        this.carry = [];
        this.carryBytes = 0;
        start = newline + 1;
        if (this.line(line, 0, line.length) !== 'events') return this.afterLines(chunk, start);
      }
      for (;;) {
        const newline = chunk.indexOf(NEWLINE, start);
        if (newline < 0) break;
        const state = this.line(chunk, start, newline);
        start = newline + 1;
        if (state !== 'events' && state !== 'head') return this.afterLines(chunk, start);
      }
      if (start < chunk.length) {
        this.carry.push(chunk.subarray(start));
        this.carryBytes += chunk.length - start;
        // A first line longer than ours is another layout (one-line JSON): stop now rather
        // than collect the whole file as one "line".
        if (this.state === 'head' && this.carryBytes > HEAD.length) this.state = 'failed';
      }
    } catch {
      this.state = 'failed';
    }
  }

  /** After the closing line (or a failure), the rest of the chunk belongs to the tail. */
  private afterLines(chunk: Uint8Array, start: number): void {
    if (this.state === 'tail' && start < chunk.length) this.addTail(chunk.subarray(start));
  }

  private addTail(bytes: Uint8Array): void {
    this.tail.push(bytes);
    this.tailBytes += bytes.length;
    if (this.tailBytes > MAX_TAIL_BYTES) this.state = 'failed';
  }

  /**
   * After the last chunk: the trace, or undefined when the file is not in our layout (read the
   * whole text instead). Never throws.
   */
  finish(): LoadedTrace | undefined {
    try {
      if (this.state !== 'tail') return undefined;
      const bytes = concatBytes(this.tail, this.tailBytes);
      if (depthBeyond(bytes, 0, bytes.length, MAX_DOCUMENT_DEPTH - 1)) return undefined;
      const top: unknown = JSON.parse(`{${this.decoder.decode(bytes)}`);
      if (!isRecord(top) || Object.prototype.hasOwnProperty.call(top, 'traceEvents')) return undefined;
      return this.result(top);
    } catch {
      return undefined;
    }
  }

  private result(top: Record<string, unknown>): LoadedTrace {
    const metadata = isRecord(top.metadata) && top.metadata.format === SNAPSHOT_FORMAT ? (top.metadata as unknown as SnapshotMetadata) : undefined;
    // Same words as src/format/read.ts.
    const warnings: string[] = [];
    if (this.skipped > 0) {
      warnings.push(`${this.skipped} of ${this.entries} entries are not usable trace events and were skipped (the first is entry ${this.firstSkipped}); \`flight-recorder validate\` lists why`);
    }
    if (metadata && metadata.version !== SNAPSHOT_VERSION) {
      warnings.push(`written by format version ${String(metadata.version)}; this reader knows version ${SNAPSHOT_VERSION}`);
    }
    const metaWindow = metadata && isRecord(metadata.window) ? metadata.window : undefined;
    let window: { startTs: number; endTs: number };
    if (metaWindow && Number.isFinite(metaWindow.startTs) && Number.isFinite(metaWindow.endTs) && metaWindow.startTs <= metaWindow.endTs) {
      window = { startTs: metaWindow.startTs, endTs: metaWindow.endTs };
    } else {
      let minTs = Number.POSITIVE_INFINITY;
      let maxTs = Number.NEGATIVE_INFINITY;
      for (const event of this.events) {
        if (event.ph === 'M') continue;
        if (event.ts < minTs) minTs = event.ts;
        const end = event.ts + (event.dur ?? 0);
        if (end > maxTs) maxTs = end;
      }
      window = Number.isFinite(minTs) ? { startTs: minTs, endTs: maxTs } : { startTs: 0, endTs: 0 };
    }
    return { events: this.events, metadata, source: metadata ? 'snapshot' : 'chrome', window, skippedEvents: this.skipped, warnings };
  }

  /** One line, bytes [start, end) of `b` without its newline; answers the state after it. */
  private line(b: Uint8Array, start: number, end: number): State {
    this.readLine(b, start, end);
    return this.state;
  }

  private readLine(b: Uint8Array, start: number, end: number): void {
    if (this.state === 'head') {
      this.state = end - start === HEAD.length && sameBytes(b, start, HEAD) ? 'events' : 'failed';
      return;
    }
    // events
    if (end - start === 2 && b[start] === 0x5d && b[start + 1] === COMMA) {
      this.state = this.moreExpected ? 'failed' : 'tail';
      return;
    }
    if (this.lastSeen) {
      this.state = 'failed';
      return;
    }
    let lineEnd = end;
    if (b[end - 1] === COMMA) {
      lineEnd--;
      this.moreExpected = true;
    } else {
      this.moreExpected = false;
      this.lastSeen = true;
    }
    const index = this.entries++;
    let event: TraceEvent | undefined = this.scanner.scan(b, start, lineEnd);
    if (event) {
      this.scannedLines++;
    } else {
      this.parsedLines++;
      if (depthBeyond(b, start, lineEnd, MAX_DOCUMENT_DEPTH - 2)) {
        this.state = 'failed';
        return;
      }
      // Throws on invalid JSON: the caller's catch gives up, and the shared reader says where.
      const value: unknown = JSON.parse(this.decoder.decode(b.subarray(start, lineEnd)));
      if (isUsableEvent(value)) event = value;
    }
    if (event) this.events.push(event);
    else {
      this.skipped++;
      if (this.firstSkipped < 0) this.firstSkipped = index;
    }
  }
}

/** One buffer holding `pieces` in order (the piece itself when there is one); `length` defaults to their sum. */
export function concatBytes(pieces: Uint8Array[], length = pieces.reduce((sum, piece) => sum + piece.length, 0)): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function sameBytes(b: Uint8Array, start: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (b[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Whether brackets on bytes [start, end) nest deeper than `limit` (strings skipped). */
function depthBeyond(b: Uint8Array, start: number, end: number, limit: number): boolean {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0x22) {
      for (i++; i < end && b[i] !== 0x22; i++) if (b[i] === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
