// Args that stayed in the file on the host (the summary path, summary-load.ts): fetched by byte
// range when someone looks at an event — the details panel, a tooltip, the slowest-requests
// table — then parsed and kept on the event. Each line is checked against the event it should
// hold, so a file changed on disk since it was opened shows a note, never someone else's args.
import { lineOffsets, type EventSummary } from '../../format/event-summary';
import type { TraceEvent } from '../../format/trace-event';
import type { ByteRange } from '../../format/viewer-protocol';
import { isRecord, type ArgsLoader } from './load';
import { SummaryEvent } from './summary-event';

export type { ByteRange };

/** Fetches byte ranges of the trace file from the host: the bytes of all ranges, in order. */
export type FetchRanges = (ranges: ByteRange[]) => Promise<Uint8Array>;

/** Host searches over the args still in the file (optional): indices of matching events. */
export type SearchRemoteArgs = (needle: string) => Promise<Int32Array>;

/** Ranges per request: bounded so a URL stays short and an answer small. */
const MAX_RANGES_PER_REQUEST = 200;

export class RemoteArgs implements ArgsLoader {
  private offsets: Float64Array | undefined;
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly decoder = new TextDecoder();
  searchArgs?: (needle: string) => Promise<Int32Array>;

  constructor(
    private readonly summary: EventSummary,
    private readonly events: TraceEvent[],
    private readonly fetchRanges: FetchRanges,
    searchRemote?: SearchRemoteArgs,
  ) {
    if (searchRemote) this.searchArgs = searchRemote;
  }

  missing(eventIndices: readonly number[]): boolean {
    for (const index of eventIndices) {
      const event = this.events[index];
      if (event instanceof SummaryEvent && event.argsMissing) return true;
    }
    return false;
  }

  load(eventIndices: readonly number[]): Promise<void> {
    const waits: Promise<void>[] = [];
    const wanted: number[] = [];
    for (const index of new Set(eventIndices)) {
      const event = this.events[index];
      if (!(event instanceof SummaryEvent) || !event.argsMissing) continue;
      const pending = this.inFlight.get(index);
      if (pending) waits.push(pending);
      else wanted.push(index);
    }
    wanted.sort((a, b) => a - b);
    for (let k = 0; k < wanted.length; k += MAX_RANGES_PER_REQUEST) {
      const batch = wanted.slice(k, k + MAX_RANGES_PER_REQUEST);
      const request = this.fetchBatch(batch).finally(() => {
        for (const index of batch) this.inFlight.delete(index);
      });
      for (const index of batch) this.inFlight.set(index, request);
      waits.push(request);
    }
    return Promise.all(waits).then(() => undefined);
  }

  private async fetchBatch(indices: number[]): Promise<void> {
    this.offsets ??= lineOffsets(this.summary);
    const ranges = indices.map((index) => ({ offset: this.offsets![index]!, length: this.summary.lineBytes[index]! }));
    const bytes = await this.fetchRanges(ranges);
    const expected = ranges.reduce((sum, range) => sum + range.length, 0);
    if (bytes.length !== expected) throw new Error(`the host sent ${bytes.length} bytes for ${expected} asked`);
    let at = 0;
    indices.forEach((index, k) => {
      const length = ranges[k]!.length;
      const event = this.events[index] as SummaryEvent;
      event.args = this.argsOfLine(event, bytes.subarray(at, at + length));
      at += length;
    });
  }

  private argsOfLine(event: SummaryEvent, line: Uint8Array): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(line));
    } catch {
      value = undefined;
    }
    // The scanner's ts may differ from JSON.parse's in the last place (scan-event.ts, readNumber).
    if (!isRecord(value) || value.name !== event.name || typeof value.ts !== 'number' || Math.abs(value.ts - event.ts) > 1e-6 * Math.max(1, Math.abs(event.ts))) {
      return { '(unavailable)': 'the file changed on disk since the viewer opened it; reload the page to read it again' };
    }
    return isRecord(value.args) ? value.args : {};
  }
}
