// Reads the event summary a host sends instead of the file (src/format/event-summary.ts) into
// the same LoadedTrace the other readers give, so the model, drawing and summaries do not know
// the difference. Spans come out as SummaryEvents, views over the columns: their args are
// parsed from the summary on first read, or — for the bulk whose args stayed in the file —
// fetched from the host by byte range when someone looks at them (remote-args.ts). Any inconsistency throws: the caller then
// reads the whole file the old way, with the same results and error messages.
import { decodeEventSummary, SUMMARY_FLAG, SummaryFormatError, type EventSummary } from '../../format/event-summary';
import { isUsableEvent } from '../../format/read';
import type { TraceEvent } from '../../format/trace-event';
import type { LoadedTrace } from './load';
import { RemoteArgs, type FetchRanges, type SearchRemoteArgs } from './remote-args';
import { SummaryEventFields } from './event-fields';
import { RANK_SHIFT, SummaryEvent, type SummaryTable } from './summary-event';
import { traceFromTail } from './trace-tail';

/**
 * The trace in `bytes`; `fetchRanges` fetches remote args, `searchRemote` (optional) asks the
 * host to search them. `events` is an array view that makes each event object when read
 * (summary-event.ts); the model reads the columns instead (`fields`). Throws when the summary
 * cannot be used.
 */
export function loadSummary(bytes: Uint8Array, fetchRanges: FetchRanges, searchRemote?: SearchRemoteArgs): LoadedTrace {
  const summary = decodeEventSummary(bytes);
  const fields = summaryFields(summary);
  const events = lazyEvents(fields);
  const trace = traceFromTail(summary.tail, events, { entries: summary.entries, skipped: summary.skipped, firstSkipped: summary.firstSkipped });
  if (!trace) throw new SummaryFormatError('the end of the file (metadata) is not readable');
  trace.fields = fields;
  if (summary.spans) trace.hostSpans = { layout: summary.spans, fullEvents: fields.table.full };
  trace.argsLoader = new RemoteArgs(summary, events, fetchRanges, searchRemote);
  return trace;
}

/** The phases the host's scanner sends as columns (spans and flow points); anything else comes FULL. */
const COLUMN_PHASES = new Uint8Array(128);
for (const c of 'XBEbestf') COLUMN_PHASES[c.charCodeAt(0)] = 1;

function summaryFields(summary: EventSummary): SummaryEventFields {
  const { eventCount, flags, ph, blob, blobRef } = summary;
  const { FULL, CAT, DUR, ID_NUMBER, ID_STRING, ARGS_INLINE } = SUMMARY_FLAG;
  // Categories expanded to one entry per event; durations and ids found through rank blocks.
  const catCodes = summary.strings.length + 1;
  const blocks = (eventCount >> RANK_SHIFT) + 1;
  const table: SummaryTable = {
    ph,
    flags,
    name: summary.name,
    thread: summary.thread,
    ts: summary.ts,
    cat: catCodes <= 0xff ? new Uint8Array(eventCount) : catCodes <= 0xffff ? new Uint16Array(eventCount) : new Uint32Array(eventCount),
    dur: summary.dur,
    durRank: new Uint32Array(blocks),
    idNumber: summary.idNumber,
    idNumberRank: new Uint32Array(blocks),
    idString: summary.idString,
    idStringRank: new Uint32Array(blocks),
    inlineArgs: new Map(),
    threads: summary.threads,
    strings: summary.strings,
    idStrings: summary.idStrings,
    blob,
    args: new Map(),
    full: new Map(),
  };
  const decoder = new TextDecoder();
  let cats = 0;
  let durs = 0;
  let idNumbers = 0;
  let idStrings = 0;
  let blobs = 0;
  const { cat, durRank, idNumberRank, idStringRank, inlineArgs } = table;
  const compactCat = summary.cat;
  const columnPhases = COLUMN_PHASES;
  const blockMask = (1 << RANK_SHIFT) - 1;
  for (let i = 0; i < eventCount; i++) {
    const f = flags[i]!;
    if ((i & blockMask) === 0) {
      const block = i >> RANK_SHIFT;
      durRank[block] = durs;
      idNumberRank[block] = idNumbers;
      idStringRank[block] = idStrings;
    }
    if (f & FULL) {
      const start = blobRef[2 * blobs]!;
      const length = blobRef[2 * blobs++ + 1]!;
      const value: unknown = JSON.parse(decoder.decode(blob.subarray(start, start + length)));
      // The host checked it too; the page trusts nothing it did not check itself.
      if (!isUsableEvent(value)) throw new SummaryFormatError(`event ${i} of the summary is not a usable trace event`);
      table.full.set(i, value);
      continue;
    }
    if (columnPhases[ph[i]!] !== 1) throw new SummaryFormatError(`event ${i} of the summary has an unexpected phase`);
    if (f & CAT) cat[i] = compactCat[cats++]! + 1;
    if (f & DUR) durs++;
    // Counted as the format's check counts them (each flag its own column).
    if (f & ID_NUMBER) idNumbers++;
    if (f & ID_STRING) idStrings++;
    if (f & ARGS_INLINE) {
      const start = blobRef[2 * blobs]!;
      inlineArgs.set(i, { start, end: start + blobRef[2 * blobs++ + 1]! });
    }
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
