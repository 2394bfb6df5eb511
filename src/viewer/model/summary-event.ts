// One event of the host's event summary as an object (summary-load.ts), made on demand when
// a reader asks for `model.events[i]`: two fields — the columns and its index — with every
// field of the trace event a getter over the columns (event-fields.ts). Its args are parsed
// from the summary on first read, or fetched from the host (remote-args.ts) and kept in the
// table, so every object made for the same index sees the same args.
import { SUMMARY_FLAG, SUMMARY_RANK_SHIFT, type IndexColumn, type LazyStrings } from '../../format/event-summary';
import { bytesMayContain } from '../../format/bytes-may-contain';
import { LazyArgsEvent } from '../../format/scan-event';
import type { Phase, TraceEvent } from '../../format/trace-event';
import type { SummaryEventFields } from './event-fields';

/** The summary's columns, one entry per event (compact columns expanded once). */
export interface SummaryTable {
  ph: Uint8Array;
  flags: Uint16Array;
  name: IndexColumn;
  thread: IndexColumn;
  ts: Float64Array;
  /** String index + 1 per event, 0 for none (SummaryIndex.catOfEvent). */
  cat: Uint8Array | Uint16Array | Uint32Array;
  /**
   * The compact DUR, ID_NUMBER and ID_STRING columns as sent, and where each block of
   * 2^SUMMARY_RANK_SHIFT events starts in them (SummaryIndex): an event's value is found by counting
   * the flags before it in its block (rankOf), instead of expanding each column to one entry
   * per event (16 MB of fresh memory for a million events, most of a tenth of a second of page
   * faults).
   */
  dur: Float64Array;
  durRank: Uint32Array;
  idNumber: Float64Array | Uint32Array;
  idNumberRank: Uint32Array;
  idString: IndexColumn;
  idStringRank: Uint32Array;
  /** Inline args (a few thousand events): where their bytes lie in `blob`, by event index. */
  inlineArgs: Map<number, { start: number; end: number }>;
  /** pid, tid pairs. */
  threads: Float64Array;
  /** Names and categories. */
  strings: string[];
  /** String ids. */
  idStrings: LazyStrings;
  blob: Uint8Array;
  /** Args parsed from `blob` or fetched from the host, by event index. */
  args: Map<number, Record<string, unknown>>;
  /** Events the summary carries whole (the FULL flag), parsed, by event index. */
  full: Map<number, TraceEvent>;
}

const utf8 = new TextDecoder();

/** Index in a compact column of event i's value: the block's start (the decoder's SummaryIndex) plus the flags set before i in its block. */
export function rankOf(flags: Uint16Array, ranks: Uint32Array, flag: number, i: number): number {
  let position = ranks[i >> SUMMARY_RANK_SHIFT]!;
  for (let j = (i >> SUMMARY_RANK_SHIFT) << SUMMARY_RANK_SHIFT; j < i; j++) if (flags[j]! & flag) position++;
  return position;
}

export class SummaryEvent extends LazyArgsEvent implements TraceEvent {
  constructor(
    private readonly fields: SummaryEventFields,
    readonly index: number,
  ) {
    super();
  }

  get name(): string {
    return this.fields.name(this.index);
  }
  get ph(): Phase {
    return this.fields.ph(this.index);
  }
  get ts(): number {
    return this.fields.ts(this.index);
  }
  get pid(): number {
    return this.fields.pid(this.index);
  }
  get tid(): number {
    return this.fields.tid(this.index);
  }
  get cat(): string | undefined {
    return this.fields.cat(this.index);
  }
  get dur(): number | undefined {
    return this.fields.dur(this.index);
  }
  get id(): string | number | undefined {
    return this.fields.id(this.index);
  }
  get s(): 'g' | 'p' | 't' | undefined {
    return this.fields.scope(this.index);
  }
  get bp(): 'e' | undefined {
    return this.fields.bp(this.index);
  }

  override get hasArgs(): boolean {
    return this.fields.hasArgs(this.index);
  }

  override get argsMayFail(): boolean {
    return this.fields.argsMayFail(this.index);
  }

  /** The args are still in the file on the host (not fetched yet): `args` reads undefined. */
  get argsMissing(): boolean {
    const table = this.fields.table;
    return (table.flags[this.index]! & SUMMARY_FLAG.ARGS_REMOTE) !== 0 && !table.args.has(this.index);
  }

  get args(): Record<string, unknown> | undefined {
    const whole = this.fields.whole(this.index);
    if (whole) return whole.args;
    const table = this.fields.table;
    const known = table.args.get(this.index);
    if (known !== undefined) return known;
    const inline = table.inlineArgs.get(this.index);
    if (!inline) return undefined;
    let args: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(utf8.decode(table.blob.subarray(inline.start, inline.end)));
      args = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch {
      args = { '(unreadable)': 'the arguments of this event are not valid JSON in the file' };
    }
    table.args.set(this.index, args);
    return args;
  }

  /** Args fetched from the host (remote-args.ts). */
  set args(value: Record<string, unknown> | undefined) {
    const whole = this.fields.whole(this.index);
    if (whole) whole.args = value;
    else if (value === undefined) this.fields.table.args.delete(this.index);
    else this.fields.table.args.set(this.index, value);
  }

  /**
   * Inline args: whether their bytes may hold `needle` (as ScannedEvent's). Remote args cannot
   * be looked at here: search asks the host about those (search.ts).
   */
  override argsMayContain(needle: Uint8Array): boolean {
    const table = this.fields.table;
    if (this.fields.whole(this.index) || table.args.has(this.index)) return true;
    const inline = table.inlineArgs.get(this.index);
    if (!inline) return false;
    return bytesMayContain(table.blob, inline.start, inline.end, needle);
  }

  /** A plain copy (JSON.stringify, structured clone), with the args known so far. */
  toJSON(): TraceEvent {
    const whole = this.fields.whole(this.index);
    if (whole) return whole;
    const out: TraceEvent = { name: this.name, ph: this.ph, ts: this.ts, pid: this.pid, tid: this.tid };
    const { cat, dur, id, s, bp, args } = this;
    if (cat !== undefined) out.cat = cat;
    if (dur !== undefined) out.dur = dur;
    if (id !== undefined) out.id = id;
    if (s !== undefined) out.s = s;
    if (bp !== undefined) out.bp = bp;
    if (args !== undefined) out.args = args;
    return out;
  }
}
