// The ring's string table: a byte region written as a ring of entries
//   [ id: u32 ][ byteLength: u32 ][ UTF-8 bytes, padded to 4 ]
// An entry's id is the low 32 bits of its absolute word position (positions only grow), so a
// reader can tell whether an id still points at its entry: it must lie within the last
// `stringWords` words written and the word there must repeat the id. Wrapped-over ids resolve
// to `undefined` instead of to someone else's text.
import { H_STRING_WRITE_WORD } from './layout';

/** Longest string kept, bytes (longer ones are cut at a character boundary). */
export const MAX_STRING_BYTES = 1024;
/** Interned strings remembered; the cache is cleared when full (it only saves re-writes). */
export const INTERN_CACHE_ENTRIES = 4096;

export class StringTableWriter {
  private readonly words: Uint32Array;
  private readonly bytes: Buffer;
  private readonly cache = new Map<string, number>();
  private readonly maxBytes: number;
  private writeWord: number; // absolute

  constructor(
    buffer: SharedArrayBuffer,
    private readonly offset: number,
    private readonly stringWords: number,
    private readonly header: Float64Array,
  ) {
    this.words = new Uint32Array(buffer, offset, stringWords);
    this.bytes = Buffer.from(buffer, offset, stringWords * 4);
    this.maxBytes = Math.min(MAX_STRING_BYTES, Math.floor(stringWords / 4) * 4);
    this.writeWord = 1; // id 0 means "no string"
    header[H_STRING_WRITE_WORD] = this.writeWord;
  }

  intern(text: string): number {
    const cached = this.cache.get(text);
    // Re-write strings whose copy is in the older half of the table, so live records keep
    // finding their text for as long as possible.
    if (cached !== undefined && ((this.writeWord - cached) >>> 0) < this.stringWords / 2) return cached;
    const id = this.append(text);
    if (this.cache.size >= INTERN_CACHE_ENTRIES) this.cache.clear();
    this.cache.set(text, id);
    return id;
  }

  private append(text: string): number {
    const maxEntryWords = 2 + Math.ceil(Math.min(text.length * 3, this.maxBytes) / 4);
    let position = this.writeWord % this.stringWords;
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
    const id = this.writeWord >>> 0;
    const byteLength = this.bytes.write(text, position * 4 + 8, this.maxBytes, 'utf8');
    this.words[position] = id;
    this.words[position + 1] = byteLength;
    this.writeWord += 2 + ((byteLength + 3) >>> 2);
    this.header[H_STRING_WRITE_WORD] = this.writeWord;
    return id;
  }

  /** For tests: the region's byte offset inside the ring buffer. */
  get regionOffset(): number {
    return this.offset;
  }
}

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
