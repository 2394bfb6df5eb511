// String ids of a trace (async span and flow ids: "0x1f", "flow42"), interned by their UTF-8
// bytes as the scanner finds them in the file: no JS string per event, no hash of a string.
// Ids are mostly distinct and come in pairs (begin and end, start and finish), so a summary of
// a large file met a hundred thousand of them; making a string of each and looking it up in a
// Map was ~10 % of the host's summary build, and most of its garbage (docs/benchmarks.md).
// Open addressing over a power-of-two slot array, each slot holding entry index + 1; entries'
// bytes live end to end in one growing buffer (which is also what the summary sends), with
// their hash kept so a grown table rehashes without reading bytes. An id's text is decoded
// only when asked (the span layout pairs async spans by it: a few of the ids).

import { asciiOrUtf8 } from './event-summary';

const INITIAL_SLOTS = 1024;
const INITIAL_BYTES = 4096;

export class IdByteTable {
  private slots = new Int32Array(INITIAL_SLOTS);
  private hashes = new Uint32Array(INITIAL_SLOTS / 2);
  /** offsets[i]..offsets[i + 1]: entry i's bytes in `bytes`. */
  private offsets = new Uint32Array(INITIAL_SLOTS / 2 + 1);
  private bytes = new Uint8Array(INITIAL_BYTES);
  private readonly texts: (string | undefined)[] = [];
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();
  private count = 0;

  get length(): number {
    return this.count;
  }

  /**
   * The index of the id whose UTF-8 bytes are `source[start, end)` (a new index, in order of
   * first appearance, when it is new). The bytes must be valid UTF-8: `internText` otherwise.
   */
  intern(source: Uint8Array, start: number, end: number): number {
    const hash = hashBytes(source, start, end);
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]! - 1;
      if (entry < 0) return this.add(source, start, end, hash, slot);
      if (this.hashes[entry] !== hash) continue;
      const at = this.offsets[entry]!;
      if (this.offsets[entry + 1]! - at !== length) continue;
      if (sameBytes(this.bytes, at, source, start, length)) return entry;
    }
  }

  /** As `intern`, for an id given as text (non-ASCII ids: their bytes as the text encodes them). */
  internText(text: string): number {
    const encoded = this.encoder.encode(text);
    return this.intern(encoded, 0, encoded.length);
  }

  /** Id `index` as text. */
  get(index: number): string {
    let text = this.texts[index];
    if (text === undefined) {
      const from = this.offsets[index]!;
      const to = this.offsets[index + 1]!;
      text = asciiOrUtf8(this.bytes, from, to, this.decoder);
      this.texts[index] = text;
    }
    return text;
  }

  /** The table as the summary carries it: offsets (one more than ids) and the bytes they point into. */
  encoded(): [Uint32Array, Uint8Array] {
    return [this.offsets.slice(0, this.count + 1), this.bytes.slice(0, this.offsets[this.count]!)];
  }

  private add(source: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const entry = this.count;
    const at = this.offsets[entry]!;
    const length = end - start;
    if (at + length > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(2 * this.bytes.length, at + length));
      bigger.set(this.bytes.subarray(0, at));
      this.bytes = bigger;
    }
    this.bytes.set(source.subarray(start, end), at);
    if (entry === this.hashes.length) {
      // offsets stays one longer than hashes: entry i's end is offsets[i + 1].
      const offsets = new Uint32Array(2 * this.hashes.length + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const hashes = new Uint32Array(2 * this.hashes.length);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.offsets[entry + 1] = at + length;
    this.hashes[entry] = hash;
    this.slots[slot] = entry + 1;
    this.count = entry + 1;
    // At most half full: probes stay short.
    if (2 * this.count > this.slots.length) this.rehash(2 * this.slots.length);
    return entry;
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount);
    const mask = slotCount - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the bytes, then a final mix (ids differ in their last digits). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return (hash ^ (hash >>> 12)) >>> 0;
}

function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}
