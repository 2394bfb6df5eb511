// Splits a snapshot into its lines while it arrives, in the layout our writer produces
// (write.ts):
//   {"traceEvents":[
//   <event>,
//   ...
//   <event>
//   ],
//   "displayTimeUnit":"ms",
//   "metadata":{...}}
// and hands every event line to a handler with its place in the file. Two readers use it: the
// viewer page reading a download (viewer/model/stream-load.ts) and the hosts that summarise a
// snapshot for the page (event-summary-builder.ts). Anything that is not exactly this layout
// makes it give up (`active` turns false); the caller then reads the file another way.

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const HEAD = '{"traceEvents":[';
/** The end of the metadata is small; a larger tail is not ours (the shared reader decides). */
export const MAX_TAIL_BYTES = 4 << 20;

export interface SnapshotLineHandler {
  /**
   * One event line: bytes [start, end) of `bytes`, its trailing comma left out. `fileOffset` is
   * where the line starts in the file and `lineBytes` its length up to the newline (comma
   * included), so the next line starts at fileOffset + lineBytes + 1. `bytes` is the caller's
   * chunk, or a fresh buffer for a line that spans chunks. Throwing makes the reader give up.
   */
  eventLine(bytes: Uint8Array, start: number, end: number, fileOffset: number, lineBytes: number): void;
  /**
   * Optional, for a handler that can find a line's end while it reads the line (a scanner walks
   * its bytes anyway; looking for the newline first would walk them twice). Reads the event line
   * starting at `start` of `bytes` and answers the offset of the newline that ends it — having
   * done exactly what `eventLine` would have done with that line — or -1 having done nothing:
   * the reader then finds the newline and calls `eventLine`.
   */
  eventLineAt?(bytes: Uint8Array, start: number): number;
}

type State = 'head' | 'events' | 'tail' | 'failed';

export class SnapshotLineReader {
  private state: State = 'head';
  /** Bytes of a line not complete yet, copied (the caller may reuse its chunk buffers). */
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  /** Everything after the closing line of traceEvents, copied. */
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;
  /** The previous event line ended with a comma: another event must follow. */
  private moreExpected = false;
  /** An event line without a comma was read: only the closing line may follow. */
  private lastSeen = false;
  /** File offset of the first byte of the next chunk, and of the line being read. */
  private chunkOffset = 0;
  private lineOffset = 0;
  /** File offset where the first event line starts (after the head line). */
  firstEventOffset = -1;
  /** The handler reads lines whose end it finds itself (eventLineAt). */
  private readonly findsLineEnds: boolean;

  /**
   * `eventLinesFrom`: read a part of the file that starts at this file offset, the first byte of
   * an event line that follows one ending with a comma (a host splits a large file between
   * threads: src/client/summary-parts.ts). The reader then expects more event lines and the closing
   * line, exactly as one that had read everything before would.
   */
  constructor(private readonly handler: SnapshotLineHandler, eventLinesFrom?: number) {
    this.findsLineEnds = handler.eventLineAt !== undefined;
    if (eventLinesFrom !== undefined) {
      this.state = 'events';
      this.chunkOffset = eventLinesFrom;
      this.lineOffset = eventLinesFrom;
      this.moreExpected = true;
    }
  }

  /**
   * Whether the bytes so far end right after an event line with its comma: the next part of the
   * file (read by a reader made with `eventLinesFrom`) can go on from here.
   */
  get betweenEventLines(): boolean {
    return this.state === 'events' && this.carryBytes === 0 && this.moreExpected && !this.lastSeen;
  }

  /** Whether the file still looks like our layout. */
  get active(): boolean {
    return this.state !== 'failed';
  }

  /** Reads every line the bytes so far complete. The chunk may be reused once this returns. */
  feed(chunk: Uint8Array): void {
    if (this.state === 'failed' || chunk.length === 0) return;
    const base = this.chunkOffset;
    this.chunkOffset += chunk.length;
    try {
      if (this.state === 'tail') {
        this.addTail(chunk);
        return;
      }
      let start = 0;
      if (this.carryBytes > 0) {
        const newline = chunk.indexOf(NEWLINE);
        if (newline < 0) {
          this.keepCarry(chunk);
          return;
        }
        // The line that spans chunks: joined into one small buffer of its own.
        this.carry.push(chunk.slice(0, newline));
        const line = concatBytes(this.carry, this.carryBytes + newline);
        this.carry = [];
        this.carryBytes = 0;
        start = newline + 1;
        if (this.line(line, 0, line.length, base + newline) !== 'events') return this.afterLines(chunk, start);
      }
      for (;;) {
        if (this.findsLineEnds && this.state === 'events' && !this.lastSeen) {
          const newline = this.handler.eventLineAt!(chunk, start);
          if (newline >= 0) {
            this.eventLineRead(chunk, newline, base + newline);
            start = newline + 1;
            continue;
          }
        }
        const newline = chunk.indexOf(NEWLINE, start);
        if (newline < 0) break;
        const state = this.line(chunk, start, newline, base + newline);
        start = newline + 1;
        if (state !== 'events' && state !== 'head') return this.afterLines(chunk, start);
      }
      if (start < chunk.length) this.keepCarry(chunk.subarray(start));
    } catch {
      this.state = 'failed';
    }
  }

  /**
   * After the last chunk: the bytes after the closing line (`"displayTimeUnit":…}` with the
   * metadata), or undefined when the file was not in our layout.
   */
  finish(): Uint8Array | undefined {
    if (this.state !== 'tail') return undefined;
    return concatBytes(this.tail, this.tailBytes);
  }

  private keepCarry(bytes: Uint8Array): void {
    this.carry.push(bytes.slice());
    this.carryBytes += bytes.length;
    // A first line longer than ours is another layout (one-line JSON): stop now rather than
    // collect the whole file as one "line".
    if (this.state === 'head' && this.carryBytes > HEAD.length) this.state = 'failed';
  }

  /** After the closing line (or a failure), the rest of the chunk belongs to the tail. */
  private afterLines(chunk: Uint8Array, start: number): void {
    if (this.state === 'tail' && start < chunk.length) this.addTail(chunk.subarray(start));
  }

  private addTail(bytes: Uint8Array): void {
    this.tail.push(bytes.slice());
    this.tailBytes += bytes.length;
    if (this.tailBytes > MAX_TAIL_BYTES) this.state = 'failed';
  }

  /** One line, bytes [start, end) of `b`, its newline at file offset `newlineOffset`; answers the state after it. */
  private line(b: Uint8Array, start: number, end: number, newlineOffset: number): State {
    const lineOffset = this.lineOffset;
    this.lineOffset = newlineOffset + 1;
    if (this.state === 'head') {
      this.state = end - start === HEAD.length && sameBytes(b, start, HEAD) ? 'events' : 'failed';
      this.firstEventOffset = this.lineOffset;
      return this.state;
    }
    // events
    if (end - start === 2 && b[start] === 0x5d && b[start + 1] === COMMA) {
      this.state = this.moreExpected ? 'failed' : 'tail';
      return this.state;
    }
    if (this.lastSeen) {
      this.state = 'failed';
      return this.state;
    }
    let lineEnd = end;
    if (b[end - 1] === COMMA) {
      lineEnd--;
      this.moreExpected = true;
    } else {
      this.moreExpected = false;
      this.lastSeen = true;
    }
    this.handler.eventLine(b, start, lineEnd, lineOffset, newlineOffset - lineOffset);
    return this.state;
  }

  /** After the handler read an event line itself (eventLineAt): what `line` notes for one. */
  private eventLineRead(b: Uint8Array, newline: number, newlineOffset: number): void {
    this.lineOffset = newlineOffset + 1;
    this.moreExpected = b[newline - 1] === COMMA;
    if (!this.moreExpected) this.lastSeen = true;
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
export function depthBeyond(b: Uint8Array, start: number, end: number, limit: number): boolean {
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
