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
    const b = this.bytes;
    const last = this.argsEnd - needle.length;
    const first = needle[0]!;
    for (let i = this.argsStart; i < this.argsEnd; i++) {
      const c = b[i]!;
      if (c === BACKSLASH || c >= 0x80) return true;
      if (i > last || lowerAscii(c) !== first) continue;
      let k = 1;
      while (k < needle.length && lowerAscii(b[i + k]!) === needle[k]) k++;
      if (k === needle.length) return true;
    }
    return false;
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

function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** Whether the event carries args (without parsing them when scanned). */
export function hasArgs(event: TraceEvent): boolean {
  return event instanceof LazyArgsEvent ? event.hasArgs : event.args !== undefined;
}

/** Strings seen before, keyed by a hash of their bytes: names and categories repeat a lot. */
export class StringInterner {
  private readonly table = new Map<number, string[]>();

  get(bytes: Uint8Array, start: number, end: number, hash: number, ascii: boolean): string {
    const key = (hash ^ (end - start)) | 0;
    const bucket = this.table.get(key);
    if (bucket) {
      for (const text of bucket) if (sameAscii(text, bytes, start, end)) return text;
    }
    const text = ascii ? shortAscii(bytes, start, end) : utf8.decode(bytes.subarray(start, end));
    // Only ASCII strings compare byte for char; others are decoded each time (rare).
    if (ascii) {
      if (bucket) {
        if (bucket.length < 8) bucket.push(text);
      } else this.table.set(key, [text]);
    }
    return text;
  }
}

function sameAscii(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

/** Short ASCII strings without a temporary typed array per call. */
function shortAscii(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > 24) return latin1(bytes, start, end);
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i += 4096) text += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  return text;
}

/** The fields of one scanned event (EventScanner.read). `ph` is the phase's character code; args are bytes [argsStart, argsEnd) of the line, or -1. */
export interface ScannedFields {
  name: string;
  cat: string | undefined;
  ph: number;
  ts: number;
  dur: number | undefined;
  pid: number;
  tid: number;
  id: string | number | undefined;
  s: string | undefined;
  bp: string | undefined;
  argsStart: number;
  argsEnd: number;
  argsMayFail: boolean;
}

/** Scanner state reused across lines (no allocation per event beyond the event itself). */
export class EventScanner {
  private pos = 0;
  private stringEnd = 0;
  private stringHash = 0;
  private stringAscii = true;
  private number = 0;
  private readonly interner = new StringInterner();
  private bytes: Uint8Array = new Uint8Array(0);

  /** The event on bytes [start, end) (no trailing comma), or undefined: parse that line with JSON.parse. */
  scan(bytes: Uint8Array, start: number, end: number): ScannedEvent | undefined {
    if (!this.read(bytes, start, end)) return undefined;
    const f = this.fields;
    const event = new ScannedEvent(f.name, String.fromCharCode(f.ph) as Phase, f.ts, f.pid, f.tid, bytes, f.argsStart, f.argsEnd, f.argsMayFail);
    if (f.cat !== undefined) event.cat = f.cat;
    if (f.dur !== undefined) event.dur = f.dur;
    if (f.id !== undefined) event.id = f.id;
    if (f.s !== undefined) event.s = f.s as 'g' | 'p' | 't';
    if (f.bp !== undefined) event.bp = f.bp as 'e';
    return event;
  }

  /**
   * What the last successful `read` found (valid until the next call): for readers that copy
   * the fields elsewhere (event-summary-builder.ts) and need no object per event.
   */
  readonly fields: ScannedFields = { name: '', cat: undefined, ph: 0, ts: 0, dur: undefined, pid: 0, tid: 0, id: undefined, s: undefined, bp: undefined, argsStart: -1, argsEnd: -1, argsMayFail: false };

  /** As `scan`, into `fields` instead of a new event: false means "parse that line with JSON.parse". */
  read(bytes: Uint8Array, start: number, end: number): boolean {
    this.bytes = bytes;
    const b = bytes;
    if (b[start] !== OPEN_BRACE || b[end - 1] !== CLOSE_BRACE) return false;
    let name: string | undefined;
    let cat: string | undefined;
    let ph = 0;
    let ts = Number.NaN;
    let dur: number | undefined;
    let pid = Number.NaN;
    let tid = Number.NaN;
    let id: string | number | undefined;
    let s: string | undefined;
    let bp: string | undefined;
    let argsStart = -1;
    let argsEnd = -1;
    let failed = false;
    let seen = 0; // one bit per key: a repeated key would make JSON.parse keep the last one
    this.pos = start + 1;
    if (b[this.pos] === CLOSE_BRACE) return false;
    for (;;) {
      if (b[this.pos] !== QUOTE) return false;
      const keyStart = this.pos + 1;
      if (!this.skipPlainString(end)) return false;
      const keyEnd = this.stringEnd;
      if (b[this.pos] !== COLON) return false;
      this.pos++;
      const key = keyCode(b, keyStart, keyEnd);
      if (key === 0 || (seen & key) !== 0) return false;
      seen |= key;
      switch (key) {
        case KEY_NAME:
        case KEY_CAT:
        case KEY_PH:
        case KEY_S:
        case KEY_BP: {
          if (b[this.pos] !== QUOTE) return false;
          const valueStart = this.pos + 1;
          if (!this.skipPlainString(end)) return false;
          const valueEnd = this.stringEnd;
          if (key === KEY_PH) {
            if (valueEnd - valueStart !== 1) return false;
            ph = b[valueStart]!;
          } else {
            const text = this.interner.get(b, valueStart, valueEnd, this.stringHash, this.stringAscii);
            if (key === KEY_NAME) name = text;
            else if (key === KEY_CAT) cat = text;
            else if (key === KEY_S) s = text;
            else bp = text;
          }
          break;
        }
        case KEY_TS:
        case KEY_DUR:
        case KEY_PID:
        case KEY_TID:
          if (!this.readNumber(end)) return false;
          if (key === KEY_TS) ts = this.number;
          else if (key === KEY_DUR) dur = this.number;
          else if (key === KEY_PID) pid = this.number;
          else tid = this.number;
          break;
        case KEY_ID:
          if (b[this.pos] === QUOTE) {
            const valueStart = this.pos + 1;
            if (!this.skipPlainString(end)) return false;
            // Ids are mostly unique: not worth interning.
            id = this.stringAscii ? shortAscii(b, valueStart, this.stringEnd) : utf8.decode(b.subarray(valueStart, this.stringEnd));
          } else {
            if (!this.readNumber(end)) return false;
            id = this.number;
          }
          break;
        case KEY_ARGS: {
          if (b[this.pos] !== OPEN_BRACE) return false;
          argsStart = this.pos;
          const after = skipArgs(b, this.pos, end);
          if (after < 0) return false;
          failed = lastArgsFailed;
          this.pos = after;
          argsEnd = after;
          break;
        }
        default:
          return false;
      }
      const c = b[this.pos];
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c === CLOSE_BRACE && this.pos === end - 1) break;
      return false;
    }
    // Only spans and flow points (X B E b e, s t f), and only what read.ts's isUsableEvent
    // accepts unchanged. Instants, counters, metadata and profiles are few, and read fully.
    if (ph !== 0x58 && ph !== 0x42 && ph !== 0x45 && ph !== 0x62 && ph !== 0x65 && ph !== 0x73 && ph !== 0x74 && ph !== 0x66) return false;
    if (name === undefined || !Number.isFinite(ts) || !Number.isFinite(pid) || !Number.isFinite(tid)) return false;
    if (dur !== undefined && !(dur >= 0)) return false;
    if (ph === 0x58 && dur === undefined) return false;
    const f = this.fields;
    f.name = name;
    f.cat = cat;
    f.ph = ph;
    f.ts = ts;
    f.dur = dur;
    f.pid = pid;
    f.tid = tid;
    f.id = id;
    f.s = s;
    f.bp = bp;
    f.argsStart = argsStart;
    f.argsEnd = argsEnd;
    f.argsMayFail = failed;
    return true;
  }

  /**
   * At an opening quote: skips a string without escapes or control characters, leaves `pos`
   * after the closing quote, its content end in `stringEnd`, a hash of it in `stringHash`.
   */
  private skipPlainString(end: number): boolean {
    const b = this.bytes;
    let i = this.pos + 1;
    let hash = 0x811c9dc5;
    let ascii = true;
    for (; i < end; i++) {
      const c = b[i]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20) return false;
      if (c >= 0x80) ascii = false;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    if (i >= end) return false;
    this.stringEnd = i;
    this.stringHash = hash;
    this.stringAscii = ascii;
    this.pos = i + 1;
    return true;
  }

  /**
   * A number in JSON's grammar. Up to 15 significant digits the value is exactly JSON.parse's
   * (an exact mantissa divided by an exact power of ten is one correctly rounded operation);
   * with more (timestamps like 1000135368.3399502) it is the exact integer part plus the
   * fraction, at most one unit in the last place away — far below the 1 ns the viewer shows.
   */
  private readNumber(end: number): boolean {
    const b = this.bytes;
    const start = this.pos;
    let i = start;
    let negative = false;
    if (b[i] === 0x2d) {
      negative = true;
      i++;
    }
    const intStart = i;
    let integer = 0;
    if (b[i] === 0x30) {
      i++;
    } else {
      while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) {
        integer = integer * 10 + (b[i]! - 0x30);
        i++;
      }
    }
    if (i === intStart) return false;
    const intDigits = i - intStart;
    let fraction = 0;
    let fracDigits = 0;
    if (b[i] === 0x2e) {
      i++;
      const fracStart = i;
      while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) {
        fraction = fraction * 10 + (b[i]! - 0x30);
        i++;
      }
      fracDigits = i - fracStart;
      if (fracDigits === 0) return false;
    }
    let exponent = false;
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      const expStart = i;
      while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      if (i === expStart) return false;
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
    this.pos = i;
    return true;
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

function keyCode(b: Uint8Array, start: number, end: number): number {
  const length = end - start;
  const c0 = b[start];
  const c1 = b[start + 1];
  switch (length) {
    case 1:
      return c0 === 0x73 ? KEY_S : 0; // s
    case 2:
      if (c0 === 0x70 && c1 === 0x68) return KEY_PH;
      if (c0 === 0x74 && c1 === 0x73) return KEY_TS;
      if (c0 === 0x69 && c1 === 0x64) return KEY_ID;
      if (c0 === 0x62 && c1 === 0x70) return KEY_BP;
      return 0;
    case 3: {
      const c2 = b[start + 2];
      if (c0 === 0x63 && c1 === 0x61 && c2 === 0x74) return KEY_CAT;
      if (c0 === 0x64 && c1 === 0x75 && c2 === 0x72) return KEY_DUR;
      if (c0 === 0x70 && c1 === 0x69 && c2 === 0x64) return KEY_PID;
      if (c0 === 0x74 && c1 === 0x69 && c2 === 0x64) return KEY_TID;
      return 0;
    }
    case 4:
      if (c0 === 0x6e && c1 === 0x61 && b[start + 2] === 0x6d && b[start + 3] === 0x65) return KEY_NAME;
      if (c0 === 0x61 && c1 === 0x72 && b[start + 2] === 0x67 && b[start + 3] === 0x73) return KEY_ARGS;
      return 0;
    default:
      return 0;
  }
}

/** Set by skipArgs: what it found (a module variable, so no object per call). */
let lastArgsFailed = false;

/**
 * Skips the args object at `start` (brackets balanced, strings skipped, nesting within the
 * reader's limit) and notes whether its own `status` is ≥ 500 or its own `error` is a string,
 * the two facts drawing needs (in lastArgsFailed, a hint: may be true when the value is not ≥ 500). Answers the offset after it, or -1 to give up.
 */
function skipArgs(b: Uint8Array, start: number, end: number): number {
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
        if (i >= end) return -1;
        const d = b[i]!;
        if (d === QUOTE) break;
        if (d < 0x20) return -1;
        i += d === BACKSLASH ? 2 : 1;
      }
      const stringEnd = i;
      i++;
      if (expectKey && depth === 1 && b[i] === COLON) {
        const length = stringEnd - stringStart;
        const v = b[i + 1];
        if (length === 6 && isWord(b, stringStart, 'status') && v !== undefined && v >= 0x31 && v <= 0x39) {
          // 500 and up (JSON numbers have no leading zeros); an exponent might be too.
          let j = i + 1;
          while (j < end && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
          const digits = j - (i + 1);
          if (digits >= 4 || (digits === 3 && v >= 0x35) || b[j] === 0x65 || b[j] === 0x45) failed = true;
        } else if (length === 5 && isWord(b, stringStart, 'error') && v === QUOTE) {
          failed = true;
        }
      }
      expectKey = false;
      continue;
    }
    if (c === OPEN_BRACE) {
      if (++depth > maxDepth) return -1;
      expectKey = true;
    } else if (c === OPEN_BRACKET) {
      if (++depth > maxDepth) return -1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) {
        lastArgsFailed = failed;
        return i + 1;
      }
    } else if (c === COMMA) {
      expectKey = true;
    }
    i++;
  }
  return -1;
}

function isWord(b: Uint8Array, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (b[start + i] !== word.charCodeAt(i)) return false;
  return true;
}
