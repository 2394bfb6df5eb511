// Read access to the fields of event i, for the loops that visit every event or span (building
// the model, the overview, tab counts, search, labels). Two kinds: over parsed event objects
// (the streaming and whole-text readers), and over the columns of the host's event summary
// (summary-load.ts), where no object is made per event: a million objects made before the first
// frame cost more than a second of allocation and GC in the page. A page uses one kind only,
// so these calls stay monomorphic and inline.
import { scopeOfFlags, SUMMARY_FLAG } from '../../format/event-summary';
import { argsMayFail, hasArgs } from '../../format/scan-event';
import type { Phase, TraceEvent } from '../../format/trace-event';
import { rankOf, type SummaryTable } from './summary-event';

export interface EventFields {
  readonly count: number;
  name(i: number): string;
  cat(i: number): string | undefined;
  ph(i: number): Phase;
  ts(i: number): number;
  /** µs, or undefined (not a complete event). */
  dur(i: number): number | undefined;
  pid(i: number): number;
  tid(i: number): number;
  id(i: number): string | number | undefined;
  /** Whether the event carries args, without parsing them. */
  hasArgs(i: number): boolean;
  /** False when its args certainly hold no status ≥ 500 and no error (scan-event.ts, argsMayFail). */
  argsMayFail(i: number): boolean;
  /** The event as an object (made on demand on the summary path). */
  event(i: number): TraceEvent;
}

export class ArrayEventFields implements EventFields {
  constructor(private readonly events: TraceEvent[]) {}
  get count(): number {
    return this.events.length;
  }
  name(i: number): string {
    return this.events[i]!.name;
  }
  cat(i: number): string | undefined {
    return this.events[i]!.cat;
  }
  ph(i: number): Phase {
    return this.events[i]!.ph;
  }
  ts(i: number): number {
    return this.events[i]!.ts;
  }
  dur(i: number): number | undefined {
    return this.events[i]!.dur;
  }
  pid(i: number): number {
    return this.events[i]!.pid;
  }
  tid(i: number): number {
    return this.events[i]!.tid;
  }
  id(i: number): string | number | undefined {
    return this.events[i]!.id;
  }
  hasArgs(i: number): boolean {
    return hasArgs(this.events[i]!);
  }
  argsMayFail(i: number): boolean {
    return argsMayFail(this.events[i]!);
  }
  event(i: number): TraceEvent {
    return this.events[i]!;
  }
}

const PHASES: string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
const FULL = SUMMARY_FLAG.FULL;

export class SummaryEventFields implements EventFields {
  constructor(
    readonly table: SummaryTable,
    readonly count: number,
    private readonly make: (i: number) => TraceEvent,
  ) {}

  // Each accessor tests the FULL flag first and reads the columns inline; events carried whole
  // take a separate method. Small bodies, so the model's loops inline them.
  /** The parsed object of an event the summary carries whole, else undefined. */
  whole(i: number): TraceEvent | undefined {
    return this.table.flags[i]! & FULL ? this.table.full.get(i) : undefined;
  }
  private full(i: number): TraceEvent {
    return this.table.full.get(i)!;
  }
  name(i: number): string {
    if (this.table.flags[i]! & FULL) return this.full(i).name;
    return this.table.strings[this.table.name[i]!]!;
  }
  cat(i: number): string | undefined {
    if (this.table.flags[i]! & FULL) return this.full(i).cat;
    const k = this.table.cat[i]!;
    return k === 0 ? undefined : this.table.strings[k - 1];
  }
  ph(i: number): Phase {
    if (this.table.flags[i]! & FULL) return this.full(i).ph;
    return PHASES[this.table.ph[i]!] as Phase;
  }
  ts(i: number): number {
    if (this.table.flags[i]! & FULL) return this.full(i).ts;
    return this.table.ts[i]!;
  }
  dur(i: number): number | undefined {
    const flags = this.table.flags[i]!;
    if (flags & FULL) return this.full(i).dur;
    return flags & SUMMARY_FLAG.DUR ? this.table.dur[rankOf(this.table.flags, this.table.durRank, SUMMARY_FLAG.DUR, i)] : undefined;
  }
  pid(i: number): number {
    if (this.table.flags[i]! & FULL) return this.full(i).pid;
    return this.table.threads[2 * this.table.thread[i]!]!;
  }
  tid(i: number): number {
    if (this.table.flags[i]! & FULL) return this.full(i).tid;
    return this.table.threads[2 * this.table.thread[i]! + 1]!;
  }
  id(i: number): string | number | undefined {
    const flags = this.table.flags[i]!;
    if (flags & FULL) return this.full(i).id;
    const table = this.table;
    if (flags & SUMMARY_FLAG.ID_NUMBER) return table.idNumber[rankOf(table.flags, table.idNumberRank, SUMMARY_FLAG.ID_NUMBER, i)];
    if (flags & SUMMARY_FLAG.ID_STRING) return table.idStrings.get(table.idString[rankOf(table.flags, table.idStringRank, SUMMARY_FLAG.ID_STRING, i)]!);
    return undefined;
  }
  hasArgs(i: number): boolean {
    const whole = this.whole(i);
    if (whole) return whole.args !== undefined;
    return (this.table.flags[i]! & (SUMMARY_FLAG.ARGS_INLINE | SUMMARY_FLAG.ARGS_REMOTE)) !== 0;
  }
  argsMayFail(i: number): boolean {
    const whole = this.whole(i);
    if (whole) return argsMayFail(whole);
    return (this.table.flags[i]! & SUMMARY_FLAG.ARGS_MAY_FAIL) !== 0;
  }
  scope(i: number): 'g' | 'p' | 't' | undefined {
    return this.whole(i)?.s ?? (scopeOfFlags(this.table.flags[i]!) || undefined);
  }
  bp(i: number): 'e' | undefined {
    const whole = this.whole(i);
    if (whole) return whole.bp;
    return this.table.flags[i]! & SUMMARY_FLAG.BP_E ? 'e' : undefined;
  }
  event(i: number): TraceEvent {
    return this.make(i);
  }
}
