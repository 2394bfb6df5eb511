// The ring's string table: a byte region written as a ring of entries
//   [ id: u32 ][ byteLength: u32 ][ UTF-8 bytes, padded to 4 ]
// An entry's id is the low 32 bits of its absolute word position (positions only grow), so a
// reader can tell whether an id still points at its entry: it must lie within the last
// `stringWords` words written and the word there must repeat the id. Wrapped-over ids resolve
// to `undefined` instead of to someone else's text.
import { H_STRING_WRITE_WORD } from './layout';

/** Longest string kept, bytes (longer ones are cut at a character boundary). */
export const MAX_STRING_BYTES = 1024;
/**
 * Interned strings remembered per generation. Two generations: when the young one fills, it
 * becomes the old one and the previous old one is dropped, so a string used in the last
 * 4096–8192 distinct strings still hits (clearing one map instead left every string cold
 * right after each clear). The cache only saves re-writes; a miss is still correct.
 */
export const INTERN_CACHE_ENTRIES = 4096;

export class StringTableWriter {
  private young = new Map<string, number>();
  private old = new Map<string, number>();
  private readonly encoder = new TextEncoder();
  // `declare`d and assigned in the constructor (no class field, no constructor parameter
  // properties): those set once V8 then keeps constant and embeds in the optimised hooks, typed
  // arrays' data pointers included (see Ring); `writeWord` and `position` change with every
  // entry and are declared the same way only so no field starts as undefined.
  private declare readonly f64: Float64Array;
  private declare readonly u32: Uint32Array;
  private declare readonly bytes: Uint8Array;
  private declare readonly offset: number;
  private declare readonly stringWords: number;
  private declare readonly maxBytes: number;
  /** The region's first uint32 index in `u32` (its byte offset is `offset`). */
  private declare readonly wordBase: number;
  private declare writeWord: number; // absolute
  /** writeWord % stringWords, kept alongside so the hot path divides nothing. */
  private declare position: number;

  /**
   * `f64`, `u32` and `bytes` view the whole ring buffer (the ring's own views, shared: fewer
   * objects on the hot path); the table is the `stringWords` words from byte `offset`, and the
   * write position is published in the header's H_STRING_WRITE_WORD slot of `f64`.
   */
  constructor(f64: Float64Array, u32: Uint32Array, bytes: Uint8Array, offset: number, stringWords: number) {
    this.f64 = f64;
    this.u32 = u32;
    this.bytes = bytes;
    this.offset = offset;
    this.stringWords = stringWords;
    this.wordBase = offset / 4;
    this.maxBytes = Math.min(MAX_STRING_BYTES, Math.floor(stringWords / 4) * 4);
    this.writeWord = 1; // id 0 means "no string"
    this.position = 1;
    f64[H_STRING_WRITE_WORD] = this.writeWord;
  }

  /** Entry `id`'s text while the table still holds it (a reader over the live region: only the writer's own thread may ask). */
  text(id: number): string | undefined {
    return new StringTableReader(this.bytes.buffer, this.offset, this.stringWords, this.writeWord).resolve(id);
  }

  intern(text: string): number {
    // Re-write strings whose copy is in the older half of the table, so live records keep
    // finding their text for as long as possible.
    const young = this.young.get(text);
    if (young !== undefined && ((this.writeWord - young) >>> 0) < this.stringWords / 2) return young;
    if (young === undefined) {
      const old = this.old.get(text);
      if (old !== undefined && ((this.writeWord - old) >>> 0) < this.stringWords / 2) {
        this.remember(text, old); // still in use: keep it through the next generation swap
        return old;
      }
    }
    const id = this.append(text);
    this.remember(text, id);
    return id;
  }

  private remember(text: string, id: number): void {
    if (this.young.size >= INTERN_CACHE_ENTRIES) {
      this.old = this.young;
      this.young = new Map<string, number>();
    }
    this.young.set(text, id);
  }

  /**
   * Writes `text` as UTF-8 at `start`, at most `maxBytes` bytes, cut at a character boundary;
   * returns the byte count. ASCII (URLs, methods, names: nearly everything recorded) is copied
   * by a plain loop, which beats the native call of Buffer#write / TextEncoder for the short
   * strings recorded; anything else goes through TextEncoder#encodeInto.
   */
  private writeUtf8(text: string, start: number): number {
    const bytes = this.bytes;
    const length = text.length < this.maxBytes ? text.length : this.maxBytes;
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      bytes[start + i] = code;
    }
    if (i === text.length || i === this.maxBytes) return i;
    const { written } = this.encoder.encodeInto(text.slice(i), bytes.subarray(start + i, start + this.maxBytes));
    return i + written;
  }

  /** Writes `text` as a new entry (no lookup, nothing remembered); returns its id. */
  append(text: string): number {
    const position = this.reserve(Math.min(text.length * 3, this.maxBytes));
    return this.commit(position, this.writeUtf8(text, this.offset + position * 4 + 8));
  }

  /**
   * The word position where an entry of up to `maxTextBytes` bytes fits without crossing the
   * region's end (wrapping to 0 when it would), never at an absolute position whose id is 0.
   */
  private reserve(maxTextBytes: number): number {
    const maxEntryWords = 2 + ((maxTextBytes + 3) >>> 2);
    const position = this.position;
    if (position + maxEntryWords <= this.stringWords && (this.writeWord >>> 0) !== 0) return position;
    return this.reserveSlow(maxEntryWords);
  }

  /** reserve's rare cases: the entry would cross the end, or sits where its id would be 0. */
  private reserveSlow(maxEntryWords: number): number {
    let position = this.position;
    if (position + maxEntryWords > this.stringWords) {
      this.writeWord += this.stringWords - position; // skip the tail: next lap starts at 0
      position = 0;
    }
    if ((this.writeWord >>> 0) === 0) {
      this.writeWord += 1;
      position += 1;
      if (position + maxEntryWords > this.stringWords) {
        this.writeWord += this.stringWords - position;
        position = 0;
      }
    }
    this.position = position;
    return position;
  }

  /** Writes the entry header for `byteLength` text bytes already at `position`; returns its id. */
  private commit(position: number, byteLength: number): number {
    const id = this.writeWord >>> 0;
    const entryWords = 2 + ((byteLength + 3) >>> 2);
    const word = this.wordBase + position;
    this.u32[word] = id;
    this.u32[word + 1] = byteLength;
    this.writeWord += entryWords;
    const next = position + entryWords;
    this.position = next === this.stringWords ? 0 : next;
    this.f64[H_STRING_WRITE_WORD] = this.writeWord;
    return id;
  }

  /** For tests: the region's byte offset inside the ring buffer. */
  get regionOffset(): number {
    return this.offset;
  }
}

/**
 * Decoded strings kept for ids that come back (interned names repeat in many records). Bounded:
 * unique strings (URLs) would otherwise all be kept for the whole snapshot, promoted to the
 * old generation of the watchdog's heap and collected by major GCs. Cleared when full.
 */
const DECODED_CACHE_ENTRIES = 16_384;

/** Resolves ids against a copy of the string table (or the live one when its writer is stuck). */
export class StringTableReader {
  private readonly words: Uint32Array;
  private readonly bytes: Buffer;
  private readonly decoded = new Map<number, string | undefined>();

  constructor(
    buffer: ArrayBufferLike,
    offset: number,
    private readonly stringWords: number,
    private readonly writeWord: number,
  ) {
    this.words = new Uint32Array(buffer, offset, stringWords);
    this.bytes = Buffer.from(buffer, offset, stringWords * 4);
  }

  resolve(id: number): string | undefined {
    if (id === 0) return undefined;
    if (this.decoded.has(id)) return this.decoded.get(id);
    const text = this.read(id);
    if (this.decoded.size >= DECODED_CACHE_ENTRIES) this.decoded.clear();
    this.decoded.set(id, text);
    return text;
  }

  private read(id: number): string | undefined {
    const distance = (this.writeWord - id) >>> 0; // modulo 2^32, like the ids
    if (distance < 2 || distance > this.stringWords) return undefined; // wrapped over, or never written
    const position = (this.writeWord - distance) % this.stringWords;
    if (this.words[position] !== id) return undefined;
    const byteLength = this.words[position + 1] ?? 0;
    if (byteLength > MAX_STRING_BYTES || position + 2 + Math.ceil(byteLength / 4) > this.stringWords) return undefined;
    const start = position * 4 + 8;
    return this.bytes.toString('utf8', start, start + byteLength);
  }
}
