// Reads a snapshot while it downloads, in the layout our writer produces (the line splitting
// is src/format/snapshot-lines.ts). Each complete event line is read as bytes arrive
// (scan-event.ts for spans, JSON.parse for the rest), so reading overlaps the download and the
// file is never one giant string. Anything that is not exactly this layout — a foreign trace,
// a cut or damaged file, a hostile one — makes it give up, and the caller reads the whole text
// with the shared reader (src/format/read.ts) as before: same results, same error messages.
import { isUsableEvent, MAX_DOCUMENT_DEPTH } from '../../format/read';
import { EventScanner } from '../../format/scan-event';
import { concatBytes, depthBeyond, SnapshotLineReader } from '../../format/snapshot-lines';
import type { TraceEvent } from '../../format/trace-event';
import type { LoadedTrace } from './load';
import { traceFromTail } from './trace-tail';

export { concatBytes };

export class StreamingTraceLoader {
  private readonly reader = new SnapshotLineReader({ eventLine: (b, start, end) => this.eventLine(b, start, end) });
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
    return this.reader.active;
  }

  /**
   * Reads every line the bytes so far complete. Chunks are kept, not copied: scanned events
   * parse their args from them later. The caller must not reuse a chunk's memory.
   */
  feed(chunk: Uint8Array): void {
    this.reader.feed(chunk);
  }

  /**
   * After the last chunk: the trace, or undefined when the file is not in our layout (read the
   * whole text instead). Never throws.
   */
  finish(): LoadedTrace | undefined {
    const tail = this.reader.finish();
    if (!tail) return undefined;
    return traceFromTail(tail, this.events, { entries: this.entries, skipped: this.skipped, firstSkipped: this.firstSkipped });
  }

  private eventLine(b: Uint8Array, start: number, end: number): void {
    const index = this.entries++;
    let event: TraceEvent | undefined = this.scanner.scan(b, start, end);
    if (event) {
      this.scannedLines++;
    } else {
      this.parsedLines++;
      if (depthBeyond(b, start, end, MAX_DOCUMENT_DEPTH - 2)) throw new Error('nested too deeply');
      // Throws on invalid JSON: the reader gives up, and the shared reader says where.
      const value: unknown = JSON.parse(this.decoder.decode(b.subarray(start, end)));
      if (isUsableEvent(value)) event = value;
    }
    if (event) this.events.push(event);
    else {
      this.skipped++;
      if (this.firstSkipped < 0) this.firstSkipped = index;
    }
  }
}
