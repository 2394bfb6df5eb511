// Reads the event summary a host sends instead of the file (src/format/event-summary.ts) into
// the same LoadedTrace the other readers give, so the model, drawing and summaries do not know
// the difference. Spans come out as SummaryEvents, views over the columns: their args are
// parsed from the summary on first read, or — for the bulk whose args stayed in the file —
// fetched from the host by byte range when someone looks at them (remote-args.ts). Any inconsistency throws: the caller then
// reads the whole file the old way, with the same results and error messages.
import type { MemoryArena } from '../../format/memory-arena';
import { attachSpanBlock, decodeEventSummary, decodeSummaryColumns, SUMMARY_FLAG, SummaryFormatError, type EventSummary } from '../../format/event-summary';
import { isUsableEvent } from '../../format/read';
import type { TraceEvent } from '../../format/trace-event';
import type { LoadedTrace } from './load';
import { RemoteArgs, type FetchRanges, type SearchRemoteArgs } from './remote-args';
import { SummaryEventFields } from './event-fields';
import { SummaryEvent, type SummaryTable } from './summary-event';
import { traceFromTail } from './trace-tail';

/**
 * The trace in `bytes`; `fetchRanges` fetches remote args, `searchRemote` (optional) asks the
 * host to search them. `events` is an array view that makes each event object when read
 * (summary-event.ts); the model reads the columns instead (`fields`). Throws when the summary
 * cannot be used.
 */
export function loadSummary(bytes: Uint8Array, fetchRanges: FetchRanges, searchRemote?: SearchRemoteArgs): LoadedTrace {
  return traceOf(decodeEventSummary(bytes), fetchRanges, searchRemote).trace;
}

/**
 * As `loadSummary`, in two steps: the part of the summary before its span layout
 * (`summaryColumnsBytes`), read while the host still lays the spans out, then the span
 * layout's block, whose `addSpans` completes the trace (throws as `loadSummary` does).
 */
export function loadSummaryColumns(columns: Uint8Array, fetchRanges: FetchRanges, searchRemote?: SearchRemoteArgs, memory?: MemoryArena): { trace: LoadedTrace; addSpans(spanBlock: Uint8Array): void } {
  const summary = decodeSummaryColumns(columns);
  const { trace, fields } = traceOf(summary, fetchRanges, searchRemote);
  trace.memory = memory;
  return {
    trace,
    addSpans(spanBlock: Uint8Array) {
      attachSpanBlock(summary, spanBlock);
      trace.hostSpans = { layout: summary.spans!, fullEvents: fields.table.full };
    },
  };
}

function traceOf(summary: EventSummary, fetchRanges: FetchRanges, searchRemote: SearchRemoteArgs | undefined): { trace: LoadedTrace; fields: SummaryEventFields } {
  const fields = summaryFields(summary);
  const events = lazyEvents(fields);
  const trace = traceFromTail(summary.tail, events, { entries: summary.entries, skipped: summary.skipped, firstSkipped: summary.firstSkipped });
  if (!trace) throw new SummaryFormatError('the end of the file (metadata) is not readable');
  trace.fields = fields;
  if (summary.spans) trace.hostSpans = { layout: summary.spans, fullEvents: fields.table.full };
  trace.argsLoader = new RemoteArgs(summary, events, fetchRanges, searchRemote);
  return { trace, fields };
}

function summaryFields(summary: EventSummary): SummaryEventFields {
  const { eventCount, flags, blob, blobRef, index } = summary;
  const table: SummaryTable = {
    ph: summary.ph,
    flags,
    name: summary.name,
    thread: summary.thread,
    ts: summary.ts,
    cat: index.catOfEvent,
    dur: summary.dur,
    durRank: index.durRank,
    idNumber: summary.idNumber,
    idNumberRank: index.idNumberRank,
    idString: summary.idString,
    idStringRank: index.idStringRank,
    inlineArgs: new Map(),
    threads: summary.threads,
    strings: summary.strings,
    idStrings: summary.idStrings,
    blob,
    args: new Map(),
    full: new Map(),
  };
  // Only the events with bytes in the blob (a few thousand), found by the decoder's check: the
  // rest of a million events is read from the columns as they are.
  const decoder = new TextDecoder();
  const { blobEvents } = index;
  for (let k = 0; k < blobEvents.length; k++) {
    const i = blobEvents[k]!;
    const start = blobRef[2 * k]!;
    const end = start + blobRef[2 * k + 1]!;
    if (!(flags[i]! & SUMMARY_FLAG.FULL)) {
      table.inlineArgs.set(i, { start, end });
      continue;
    }
    const value: unknown = JSON.parse(decoder.decode(blob.subarray(start, end)));
    // The host checked it too; the page trusts nothing it did not check itself.
    if (!isUsableEvent(value)) throw new SummaryFormatError(`event ${i} of the summary is not a usable trace event`);
    table.full.set(i, value);
  }
  const fields: SummaryEventFields = new SummaryEventFields(table, eventCount, (i) => new SummaryEvent(fields, i));
  return fields;
}

/**
 * An array of `fields.count` events whose elements are made when read (and not kept: each is
 * two fields, and its args live in the table). Readers index it, iterate it and call array
 * methods on it as on any array; writes are refused.
 */
function lazyEvents(fields: SummaryEventFields): TraceEvent[] {
  const count = fields.count;
  const indexOf = (key: string | symbol): number => {
    if (typeof key !== 'string' || key.length === 0 || key.length > 10) return -1;
    const c = key.charCodeAt(0);
    if (c < 0x30 || c > 0x39 || (c === 0x30 && key.length > 1)) return -1;
    const index = Number(key);
    return Number.isInteger(index) && index < count ? index : -1;
  };
  return new Proxy<TraceEvent[]>([], {
    get(target, key, receiver) {
      const index = indexOf(key);
      if (index >= 0) return fields.event(index);
      if (key === 'length') return count;
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      return indexOf(key) >= 0 || Reflect.has(target, key);
    },
    set() {
      return false;
    },
    deleteProperty() {
      return false;
    },
  });
}
