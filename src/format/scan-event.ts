// A byte scanner for one trace event as our writer lays it out (src/format/write.ts: one
// `JSON.stringify`d event per line, no whitespace). It reads the fields the timeline needs
// (name, cat, ph, ts, dur, pid, tid, id, s, bp) straight from the bytes and only notes where
// `args` lies: the args object is parsed on first read. On a 1 M-event snapshot this replaces
// a decode of the whole file to one string and a JSON.parse building ~5 M objects (the first
// frame cost 10 s of the page's main thread, issue 7).
//
// It takes only what it fully understands: span and flow phases, plain strings
// without escapes, numbers in JSON's grammar, an args object nested less than the reader's
// depth limit. Everything else answers `false`, and the caller parses that line with
// JSON.parse (the same result, slower): the scanner never has to be clever to be correct.
// It lives in src/format because two readers share it: the viewer page (stream-load.ts) and
// the hosts that summarise a snapshot for the page (event-summary-builder.ts).
//
// It reads every byte of a file before the viewer's first frame, so it touches each byte once
// and as little as it can: keys are told apart by one 4-byte read, names and categories are
// compared with bytes read before instead of decoded again, digits and plain string bytes
// go four at a time, and `readLine` finds the line's end itself (no pass for the newline).
import { bytesMayContain } from './bytes-may-contain';
import { MAX_DOCUMENT_DEPTH } from './read';
import type { Phase, TraceEvent } from './trace-event';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const NEWLINE = 0x0a;

const utf8 = new TextDecoder();

/**
 * An event whose args are read later than the event (from bytes on first read, or from the
 * host). No fields of its own, so subclasses stay small; readers test `instanceof` it to ask
 * the hints below instead of parsing args.
 */
export abstract class LazyArgsEvent {
  /** Whether the event carries args (without parsing them). */
  abstract get hasArgs(): boolean;
  /** False when the args certainly hold no status ≥ 500 and no error string (see argsMayFail below). */
  abstract get argsMayFail(): boolean;
  /** False when the args certainly contain no string holding `needle` (lower-case ASCII bytes). */
  abstract argsMayContain(needle: Uint8Array): boolean;
}

/**
 * A span event read by the scanner. Looks like a parsed TraceEvent to every reader; `args`
 * is parsed from the file's bytes the first time it is read. Absent fields are undefined.
 */
export class ScannedEvent extends LazyArgsEvent implements TraceEvent {
  cat: string | undefined = undefined;
  dur: number | undefined = undefined;
  id: string | number | undefined = undefined;
  s: 'g' | 'p' | 't' | undefined = undefined;
  bp: 'e' | undefined = undefined;
  /**
   * False when the args object certainly has no status ≥ 500 and no error string; true when
   * it may (readers then look at the parsed args). Span colours and the error list use it.
   */
  readonly argsMayFail: boolean;
  private parsedArgs: Record<string, unknown> | undefined = undefined;

  constructor(
    public name: string,
    public ph: Phase,
    public ts: number,
    public pid: number,
    public tid: number,
    /** The bytes the event was read from, and where its args object lies in them (-1: none). */
    readonly bytes: Uint8Array,
    readonly argsStart: number,
    readonly argsEnd: number,
    argsMayFail: boolean,
  ) {
    super();
    this.argsMayFail = argsMayFail;
  }

  override get hasArgs(): boolean {
    return this.argsStart >= 0;
  }

  get args(): Record<string, unknown> | undefined {
    if (this.parsedArgs === undefined && this.argsStart >= 0) {
      try {
        const value: unknown = JSON.parse(utf8.decode(this.bytes.subarray(this.argsStart, this.argsEnd)));
        this.parsedArgs = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      } catch {
        // The scanner checked the brackets, not every value inside: a file damaged inside an
        // args object still shows its timeline, and this event says what happened.
        this.parsedArgs = { '(unreadable)': 'the arguments of this event are not valid JSON in the file' };
      }
    }
    return this.parsedArgs;
  }

  set args(value: Record<string, unknown> | undefined) {
    this.parsedArgs = value;
  }

  /**
   * False when the args certainly contain no string holding `needle` (lower-case ASCII bytes)
   * case-insensitively; true when they may. Lets a search skip parsing a million args objects
   * (and keeping them): only args with a backslash or non-ASCII bytes, or the needle, are parsed.
   */
  override argsMayContain(needle: Uint8Array): boolean {
    if (this.parsedArgs !== undefined) return true;
    return bytesMayContain(this.bytes, this.argsStart, this.argsEnd, needle);
  }

  /** So that copying an event (JSON.stringify, structured clone of a plain copy) keeps its args. */
  toJSON(): TraceEvent {
    const out: TraceEvent = { name: this.name, ph: this.ph, ts: this.ts, pid: this.pid, tid: this.tid };
    if (this.cat !== undefined) out.cat = this.cat;
    if (this.dur !== undefined) out.dur = this.dur;
    if (this.id !== undefined) out.id = this.id;
    if (this.s !== undefined) out.s = this.s;
    if (this.bp !== undefined) out.bp = this.bp;
    const args = this.args;
    if (args !== undefined) out.args = args;
    return out;
  }
}

/**
 * Whether the event's args may say it failed (HTTP status ≥ 500 or an error): exact for parsed
 * events; for scanned ones a hint read while scanning (false is certain, true is checked by
 * the caller on the parsed args), so a million spans need no args parsed.
 */
export function argsMayFail(event: TraceEvent): boolean {
  if (event instanceof LazyArgsEvent) return event.argsMayFail;
  const args = event.args;
  return !!args && ((typeof args.status === 'number' && args.status >= 500) || typeof args.error === 'string');
}

/** Whether the event carries args (without parsing them when scanned). */
export function hasArgs(event: TraceEvent): boolean {
  return event instanceof LazyArgsEvent ? event.hasArgs : event.args !== undefined;
}

/** Strings longer than this are decoded each time instead of kept (rare; bounds the table's memory). */
const MAX_INTERNED_BYTES = 256;
const INTERNER_SLOTS = 4096;
/** The bytes hashed to pick a slot: they start the string and may run past its end. */
const SLOT_KEY_BYTES = 12;
const NO_BYTES = new Uint8Array(0);

/**
 * Strings seen before: names and categories repeat a lot, so most reads are one pass comparing
 * the bytes with those of a string read before, and no decode. A fixed table of slots, each
 * holding the last string (its bytes and text) whose first 12 bytes — and those after it, for
 * a shorter one: the same name tends to come with the same next field — hash there. A
 * collision costs a decode, never a wrong string, and memory stays bounded whatever the file holds.
 */
export class StringInterner {
  // An empty slot holds the empty string: a correct answer for zero bytes.
  private readonly slotBytes: Uint8Array[] = new Array<Uint8Array>(INTERNER_SLOTS).fill(NO_BYTES);
  private readonly slotText: string[] = new Array<string>(INTERNER_SLOTS).fill('');
  /** The slot's bytes for 4-byte reads. */
  private readonly slotView: DataView[] = new Array<DataView>(INTERNER_SLOTS).fill(new DataView(NO_BYTES.buffer));
  /** The text of the string the last successful `read` found. */
  text = '';

  /**
   * At the opening quote `q` of a string in `b` (`view` is a DataView of `b`): when it is plain
   * (no escapes or control characters) and ends before `end`, answers the offset of its
   * closing quote, its text in `text`; else -1.
   */
  read(b: Uint8Array, view: DataView, q: number, end: number): number {
    if (b[q] !== QUOTE) return -1;
    const slot = q + 1 + SLOT_KEY_BYTES <= view.byteLength ? slotAt(view, q + 1) : 0;
    const known = this.slotBytes[slot]!;
    const close = q + 1 + known.length;
    // The bytes read before were checked plain: equal bytes then a quote need no second look.
    if (close < end && b[close] === QUOTE && sameBytes(this.slotView[slot]!, known, view, q + 1)) {
      this.text = this.slotText[slot]!;
      return close;
    }
    return this.readNew(b, q, end, slot);
  }

  private readNew(b: Uint8Array, q: number, end: number, slot: number): number {
    const close = plainString(b, q, end);
    if (close < 0) return -1;
    const text = plainStringText(b, q + 1, close, lastStringAscii);
    if (close - (q + 1) <= MAX_INTERNED_BYTES) {
      const bytes = b.slice(q + 1, close);
      this.slotBytes[slot] = bytes;
      this.slotView[slot] = new DataView(bytes.buffer);
      this.slotText[slot] = text;
    }
    this.text = text;
    return close;
  }
}

/** A slot for the string whose bytes start at `at` (SLOT_KEY_BYTES from there within the view). */
function slotAt(view: DataView, at: number): number {
  let hash = Math.imul(view.getUint32(at, true), 0x9e3779b1);
  hash = Math.imul(hash ^ view.getUint32(at + 4, true), 0x85ebca6b);
  hash = Math.imul(hash ^ view.getUint32(at + 8, true), 0xc2b2ae35);
  return (hash ^ (hash >>> 15)) & (INTERNER_SLOTS - 1);
}

/**
 * Whether the bytes of `known` (read through `knownView`) are in `view` from `start`, which
 * holds that many: four bytes per comparison, the last four overlapping the ones before.
 */
function sameBytes(knownView: DataView, known: Uint8Array, view: DataView, start: number): boolean {
  const length = known.length;
  if (length < 4) {
    for (let i = 0; i < length; i++) if (known[i] !== view.getUint8(start + i)) return false;
    return true;
  }
  for (let i = 0; i < length - 4; i += 4) if (knownView.getUint32(i, true) !== view.getUint32(start + i, true)) return false;
  return knownView.getUint32(length - 4, true) === view.getUint32(start + length - 4, true);
}

/** Set by plainString: whether the string it found is ASCII (a module variable, so no object per call). */
let lastStringAscii = true;

/**
 * At the opening quote `q` of a string without escapes or control characters: answers the
 * offset of its closing quote (whether it is ASCII in `lastStringAscii`), or -1 for any other string.
 */
function plainString(b: Uint8Array, q: number, end: number): number {
  if (b[q] !== QUOTE) return -1;
  let i = q + 1;
  let bits = 0;
  while (i < end && PLAIN[b[i]!] === 1) bits |= b[i++]!;
  if (i >= end || b[i] !== QUOTE) return -1;
  lastStringAscii = bits < 0x80;
  return i;
}

/** The text of a plain string's bytes [start, end) (no escapes; `ascii` when plainString found them so). */
export function plainStringText(bytes: Uint8Array, start: number, end: number, ascii: boolean): string {
  return ascii ? shortAscii(bytes, start, end) : utf8.decode(bytes.subarray(start, end));
}

/**
 * Short ASCII strings (ids, new names) without a temporary typed array per call, eight
 * characters per call: adding one character at a time made a string per character.
 */
function shortAscii(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > 24) return latin1(bytes, start, end);
  let text = '';
  for (let i = start; i < end; i += 8) text += upTo8Chars(bytes, i, Math.min(8, end - i));
  return text;
}

/** The `count` (≤ 8) bytes from `at` as characters, in one call. */
function upTo8Chars(b: Uint8Array, at: number, count: number): string {
  switch (count) {
    case 1:
      return String.fromCharCode(b[at]!);
    case 2:
      return String.fromCharCode(b[at]!, b[at + 1]!);
    case 3:
      return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!);
    case 4:
      return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    case 5:
      return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!);
    case 6:
      return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!);
    case 7:
      return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!);
    case 8:
      return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    default:
      return '';
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i += 4096) text += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  return text;
}

/** 1 for the bytes a string without escapes may hold: not the quote, the backslash or a control character. */
const PLAIN = new Uint8Array(256).map((_, c) => (c >= 0x20 && c !== QUOTE && c !== BACKSLASH ? 1 : 0));

/** 1 for the phases the scanner reads: spans and flow points (X B E b e, s t f). */
const SCANNED_PHASE = new Uint8Array(256).map((_, c) => ('XBEbestf'.includes(String.fromCharCode(c)) ? 1 : 0));

/** The fields of one scanned event (EventScanner.read). `ph` is the phase's character code; args are bytes [argsStart, argsEnd) of the line, or -1. */
export interface ScannedFields {
  name: string;
  cat: string | undefined;
  ph: number;
  ts: number;
  dur: number | undefined;
  pid: number;
  tid: number;
  /** A numeric id; a string id is given by its bytes (idStart), so no string is made per event. */
  id: number | undefined;
  /** A string id's text is bytes [idStart, idEnd) of the line (no escapes; ASCII when idAscii), or idStart is -1. */
  idStart: number;
  idEnd: number;
  idAscii: boolean;
  s: string | undefined;
  bp: string | undefined;
  argsStart: number;
  argsEnd: number;
  argsMayFail: boolean;
}

/** Scanner state reused across lines (no allocation per event beyond the event itself). */
export class EventScanner {
  /** What the last readNumber / readDigits found besides its end (no object per call). */
  private number = 0;
  private digits = 0;
  private readonly interner = new StringInterner();
  private viewBytes: Uint8Array | undefined = undefined;
  private viewLength = 0;
  private view: DataView = new DataView(new ArrayBuffer(0));

  /** The event on bytes [start, end) (no trailing comma), or undefined: parse that line with JSON.parse. */
  scan(bytes: Uint8Array, start: number, end: number): ScannedEvent | undefined {
    if (!this.read(bytes, start, end)) return undefined;
    const f = this.fields;
    const event = new ScannedEvent(f.name, String.fromCharCode(f.ph) as Phase, f.ts, f.pid, f.tid, bytes, f.argsStart, f.argsEnd, f.argsMayFail);
    if (f.cat !== undefined) event.cat = f.cat;
    if (f.dur !== undefined) event.dur = f.dur;
    if (f.idStart >= 0) event.id = plainStringText(bytes, f.idStart, f.idEnd, f.idAscii);
    else if (f.id !== undefined) event.id = f.id;
    if (f.s !== undefined) event.s = f.s as 'g' | 'p' | 't';
    if (f.bp !== undefined) event.bp = f.bp as 'e';
    return event;
  }

  /**
   * What the last successful `read` or `readLine` found (valid until the next call): for
   * readers that copy the fields elsewhere (event-summary-builder.ts) and need no object per event.
   */
  readonly fields: ScannedFields = { name: '', cat: undefined, ph: 0, ts: 0, dur: undefined, pid: 0, tid: 0, id: undefined, idStart: -1, idEnd: -1, idAscii: true, s: undefined, bp: undefined, argsStart: -1, argsEnd: -1, argsMayFail: false };

  /** As `scan`, into `fields` instead of a new event: false means "parse that line with JSON.parse". */
  read(bytes: Uint8Array, start: number, end: number): boolean {
    return bytes[end - 1] === CLOSE_BRACE && this.readEvent(bytes, start, end) === end;
  }

  /**
   * As `read` for the event line starting at `start` when its end is not known yet: the scan
   * finds it, so a reader need not look for the newline first (one pass over the bytes, not
   * two). Answers the offset of the newline when the event is followed by "\n" or ",\n" (the
   * line is then exactly what `read` would read, with the same fields), else -1: nothing can
   * be said, find the line's end and `read` it.
   */
  readLine(bytes: Uint8Array, start: number): number {
    const end = bytes.length;
    const after = this.readEvent(bytes, start, end);
    if (after < 0 || after >= end) return -1;
    if (bytes[after] === NEWLINE) return after;
    return bytes[after] === COMMA && after + 1 < end && bytes[after + 1] === NEWLINE ? after + 1 : -1;
  }

  /**
   * The event object at `start`, its fields into `fields`: answers the offset after its closing
   * brace, or -1 (not one we read). Nothing it answers depends on bytes at or past `end`; a raw
   * newline is never part of an event (the line ends there), so a scan that does not know the
   * line's end stops at it.
   */
  private readEvent(b: Uint8Array, start: number, end: number): number {
    if (b[start] !== OPEN_BRACE) return -1;
    let name: string | undefined;
    let cat: string | undefined;
    let ph = 0;
    let ts = Number.NaN;
    let dur: number | undefined;
    let pid = Number.NaN;
    let tid = Number.NaN;
    let id: number | undefined;
    let idStart = -1;
    let idEnd = -1;
    let idAscii = true;
    let s: string | undefined;
    let bp: string | undefined;
    let argsStart = -1;
    let argsEnd = -1;
    let failed = false;
    let seen = 0; // one bit per key: a repeated key would make JSON.parse keep the last one
    const view = this.viewOf(b);
    let i = start + 1;
    for (;;) {
      // The shortest key and value with the closing brace need 6 bytes.
      if (b[i] !== QUOTE || i + 5 >= end) return -1;
      const found = keyAt(view, b, i);
      const key = found >>> 3;
      i += found & 7;
      if (key === 0 || (seen & key) !== 0 || i > end) return -1;
      seen |= key;
      switch (key) {
        case KEY_NAME:
        case KEY_CAT:
        case KEY_S:
        case KEY_BP: {
          const close = this.interner.read(b, view, i, end);
          if (close < 0) return -1;
          const text = this.interner.text;
          if (key === KEY_NAME) name = text;
          else if (key === KEY_CAT) cat = text;
          else if (key === KEY_S) s = text;
          else bp = text;
          i = close + 1;
          break;
        }
        case KEY_PH:
          // One character, a phase we read (which is never a quote, backslash or control).
          if (i + 2 >= end || b[i] !== QUOTE || b[i + 2] !== QUOTE) return -1;
          ph = b[i + 1]!;
          if (SCANNED_PHASE[ph] !== 1) return -1;
          i += 3;
          break;
        case KEY_TS:
        case KEY_DUR:
        case KEY_PID:
        case KEY_TID:
          i = this.readNumber(view, b, i, end);
          if (i < 0) return -1;
          if (key === KEY_TS) ts = this.number;
          else if (key === KEY_DUR) dur = this.number;
          else if (key === KEY_PID) pid = this.number;
          else tid = this.number;
          break;
        case KEY_ID:
          if (b[i] === QUOTE) {
            const close = plainString(b, i, end);
            if (close < 0) return -1;
            // Ids are mostly unique: their bytes, for the reader to intern or decode (no string here).
            idStart = i + 1;
            idEnd = close;
            idAscii = lastStringAscii;
            i = close + 1;
          } else {
            i = this.readNumber(view, b, i, end);
            if (i < 0) return -1;
            id = this.number;
          }
          break;
        default: {
          // KEY_ARGS
          if (b[i] !== OPEN_BRACE) return -1;
          argsStart = i;
          i = skipArgs(view, b, i, end);
          if (i < 0) return -1;
          failed = lastArgsFailed;
          argsEnd = i;
        }
      }
      if (i >= end) return -1;
      const c = b[i];
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) return -1;
      i++;
    }
    // Only spans and flow points (the phase checked above), and only what read.ts's isUsableEvent
    // accepts unchanged. Instants, counters, metadata and profiles are few, and read fully.
    if (ph === 0 || name === undefined || !Number.isFinite(ts) || !Number.isFinite(pid) || !Number.isFinite(tid)) return -1;
    if (dur !== undefined && !(dur >= 0)) return -1;
    if (ph === 0x58 && dur === undefined) return -1;
    const f = this.fields;
    f.name = name;
    f.cat = cat;
    f.ph = ph;
    f.ts = ts;
    f.dur = dur;
    f.pid = pid;
    f.tid = tid;
    f.id = id;
    f.idStart = idStart;
    f.idEnd = idEnd;
    f.idAscii = idAscii;
    f.s = s;
    f.bp = bp;
    f.argsStart = argsStart;
    f.argsEnd = argsEnd;
    f.argsMayFail = failed;
    return i + 1;
  }

  /** A view of `b` for 4-byte reads, kept while the same bytes come (a chunk holds many lines). */
  private viewOf(b: Uint8Array): DataView {
    // (The length too: a typed array on a resizable buffer can grow under the same object.)
    if (this.viewBytes !== b || this.viewLength !== b.length) {
      this.viewBytes = b;
      this.viewLength = b.length;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.view;
  }

  /**
   * Reads the decimal digits from `i` (before `end`, within the view): their value in `digits`,
   * exact up to 15 digits (the only values readNumber uses); answers where they stop. Four
   * digits per 4-byte read while four follow: timestamps have 16 or 17.
   */
  private readDigits(view: DataView, b: Uint8Array, i: number, end: number): number {
    let value = 0;
    while (i + 4 <= end) {
      const word = view.getUint32(i, true);
      // Every byte 0x30–0x39: high nibble 3, and adding 6 to the low one does not carry.
      if ((word & 0xf0f0f0f0) !== 0x30303030 || ((word + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) break;
      const d = word - 0x30303030; // the digits, first one in the lowest byte
      value = value * 10000 + ((d & 0xff) * 1000 + ((d >>> 8) & 0xff) * 100 + ((d >>> 16) & 0xff) * 10 + (d >>> 24));
      i += 4;
    }
    while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) {
      value = value * 10 + (b[i]! - 0x30);
      i++;
    }
    this.digits = value;
    return i;
  }

  /**
   * A number in JSON's grammar at `start`: answers the offset after it (its value in `number`),
   * or -1. Up to 15 significant digits the value is exactly JSON.parse's (an exact mantissa
   * divided by an exact power of ten is one correctly rounded operation); with more
   * (timestamps like 1000135368.3399502) it is the exact integer part plus the fraction, at
   * most one unit in the last place away — far below the 1 ns the viewer shows.
   */
  private readNumber(view: DataView, b: Uint8Array, start: number, end: number): number {
    let i = start;
    let negative = false;
    if (b[i] === 0x2d) {
      negative = true;
      i++;
    }
    const intStart = i;
    let integer = 0;
    if (i < end && b[i] === 0x30) {
      i++;
    } else {
      i = this.readDigits(view, b, i, end);
      integer = this.digits;
    }
    if (i === intStart) return -1;
    const intDigits = i - intStart;
    let fraction = 0;
    let fracDigits = 0;
    if (i < end && b[i] === 0x2e) {
      i++;
      const fracStart = i;
      i = this.readDigits(view, b, i, end);
      fraction = this.digits;
      fracDigits = i - fracStart;
      if (fracDigits === 0) return -1;
    }
    let exponent = false;
    if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      const expStart = i;
      while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      if (i === expStart) return -1;
      exponent = true;
    }
    let value: number;
    if (exponent || intDigits > 15 || fracDigits > 15) {
      value = Number(latin1(b, start, i));
    } else if (fracDigits === 0) {
      value = negative ? -integer : integer;
    } else if (intDigits + fracDigits <= 15) {
      const exact = (integer * POWERS_OF_TEN[fracDigits]! + fraction) / POWERS_OF_TEN[fracDigits]!;
      value = negative ? -exact : exact;
    } else {
      const near = integer + fraction / POWERS_OF_TEN[fracDigits]!;
      value = negative ? -near : near;
    }
    this.number = value;
    return i;
  }
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

const KEY_NAME = 1;
const KEY_CAT = 2;
const KEY_PH = 4;
const KEY_TS = 8;
const KEY_DUR = 16;
const KEY_PID = 32;
const KEY_TID = 64;
const KEY_ID = 128;
const KEY_ARGS = 256;
const KEY_S = 512;
const KEY_BP = 1024;

/** The 4 bytes of `text` as one little-endian u32 (as DataView.getUint32(at, true) reads them). */
function wordOf(text: string): number {
  return (text.charCodeAt(0) | (text.charCodeAt(1) << 8) | (text.charCodeAt(2) << 16) | (text.charCodeAt(3) << 24)) >>> 0;
}

// The 4 bytes after a key's opening quote, for each key we read.
const NAME_WORD = wordOf('name');
const CAT_WORD = wordOf('cat"');
const PH_WORD = wordOf('ph":');
const TS_WORD = wordOf('ts":');
const PID_WORD = wordOf('pid"');
const TID_WORD = wordOf('tid"');
const ID_WORD = wordOf('id":');
const ARGS_WORD = wordOf('args');
const DUR_WORD = wordOf('dur"');
const S_WORD = wordOf('s":"'); // with the value's opening quote: `s` is read only as a string
const BP_WORD = wordOf('bp":');

/**
 * At the quote `q` opening a key (q + 4 within the view): when the key is one of ours followed
 * by its closing quote and a colon, answers its KEY_ code shifted left by 3 plus the distance
 * from `q` to its value; else 0. One 4-byte read tells the keys apart: they are short, fixed
 * and without escapes, and keys are a third of a line's bytes.
 */
function keyAt(view: DataView, b: Uint8Array, q: number): number {
  switch (view.getUint32(q + 1, true)) {
    case NAME_WORD:
      return b[q + 5] === QUOTE && b[q + 6] === COLON ? (KEY_NAME << 3) | 7 : 0;
    case CAT_WORD:
      return b[q + 5] === COLON ? (KEY_CAT << 3) | 6 : 0;
    case PH_WORD:
      return (KEY_PH << 3) | 5;
    case TS_WORD:
      return (KEY_TS << 3) | 5;
    case PID_WORD:
      return b[q + 5] === COLON ? (KEY_PID << 3) | 6 : 0;
    case TID_WORD:
      return b[q + 5] === COLON ? (KEY_TID << 3) | 6 : 0;
    case ID_WORD:
      return (KEY_ID << 3) | 5;
    case ARGS_WORD:
      return b[q + 5] === QUOTE && b[q + 6] === COLON ? (KEY_ARGS << 3) | 7 : 0;
    case DUR_WORD:
      return b[q + 5] === COLON ? (KEY_DUR << 3) | 6 : 0;
    case S_WORD:
      return (KEY_S << 3) | 4;
    case BP_WORD:
      return (KEY_BP << 3) | 5;
    default:
      return 0;
  }
}

/** Set by skipArgs: what it found (a module variable, so no object per call). */
let lastArgsFailed = false;

/**
 * Skips the args object at `start` (brackets balanced, strings skipped, nesting within the
 * reader's limit, no raw newline) and notes whether its own `status` is ≥ 500 or its own
 * `error` is a string, the two facts drawing needs (in lastArgsFailed, a hint: may be true when
 * the value is not ≥ 500). Answers the offset after it, or -1 to give up.
 */
function skipArgs(view: DataView, b: Uint8Array, start: number, end: number): number {
  // The top object, the traceEvents array and the event are three levels above args.
  const maxDepth = MAX_DOCUMENT_DEPTH - 3;
  let depth = 0;
  let failed = false;
  let expectKey = false;
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c === QUOTE) {
      const stringStart = i + 1;
      i++;
      for (;;) {
        // Four bytes at a time while they are plain: most of an args object is string content.
        while (i + 4 <= end && plainWord(view.getUint32(i, true))) i += 4;
        if (i >= end) return -1;
        const d = b[i]!;
        if (PLAIN[d] === 1) {
          i++;
          continue;
        }
        if (d === QUOTE) break;
        // An escape never takes the newline that ends the line (a scan that does not know the
        // line's end must stop there as one that does).
        if (d !== BACKSLASH || b[i + 1] === NEWLINE) return -1;
        i += 2;
      }
      const stringEnd = i;
      i++;
      if (expectKey && depth === 1 && b[i] === COLON) failed ||= failsAt(view, b, stringStart, stringEnd, end);
      expectKey = false;
      continue;
    }
    switch (c) {
      case OPEN_BRACE:
        if (++depth > maxDepth) return -1;
        expectKey = true;
        break;
      case OPEN_BRACKET:
        if (++depth > maxDepth) return -1;
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        depth--;
        if (depth === 0) {
          lastArgsFailed = failed;
          return i + 1;
        }
        break;
      case COMMA:
        expectKey = true;
        break;
      case NEWLINE:
        return -1;
    }
    i++;
  }
  return -1;
}

/**
 * Whether none of the 4 bytes of `word` is a quote, a backslash or a control character (bit
 * tricks that flag a byte below 0x20, or equal to one of the two, in each byte's top bit).
 */
function plainWord(word: number): boolean {
  const quotes = word ^ 0x22222222;
  const backslashes = word ^ 0x5c5c5c5c;
  const below = ((word - 0x20202020) & ~word) | ((quotes - 0x01010101) & ~quotes) | ((backslashes - 0x01010101) & ~backslashes);
  return (below & 0x80808080) === 0;
}

/**
 * For the key on bytes [keyStart, keyEnd) of a top-level args object, its colon at keyEnd + 1:
 * whether it is `status` with a value that may be ≥ 500 or `error` with a string value.
 */
function failsAt(view: DataView, b: Uint8Array, keyStart: number, keyEnd: number, end: number): boolean {
  const length = keyEnd - keyStart;
  const v = b[keyEnd + 2];
  if (length === 6 && view.getUint32(keyStart, true) === STAT_WORD && b[keyStart + 4] === 0x75 && b[keyStart + 5] === 0x73 && v !== undefined && v >= 0x31 && v <= 0x39) {
    // 500 and up (JSON numbers have no leading zeros); an exponent might be too.
    let j = keyEnd + 2;
    while (j < end && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
    const digits = j - (keyEnd + 2);
    return digits >= 4 || (digits === 3 && v >= 0x35) || b[j] === 0x65 || b[j] === 0x45;
  }
  return length === 5 && view.getUint32(keyStart, true) === ERRO_WORD && b[keyStart + 4] === 0x72 && v === QUOTE;
}

// The first 4 bytes of `status` and `error`.
const STAT_WORD = wordOf('stat');
const ERRO_WORD = wordOf('erro');
