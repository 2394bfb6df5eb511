// Byte layout of the ring's SharedArrayBuffer. One buffer of exactly `maxBytes` holds three
// regions; nothing the ring stores lives outside it:
//
//   [ header: 128 bytes ][ records: N × 48 bytes ][ string table: the rest, 8-byte aligned ]
//
// A record is 48 bytes: four float64 (tsUs, durUs, a, b) then four uint32 (kind, id, s1, s2).
// Float64 keeps µs timestamps exact; a/b carry any measured number (status, bytes, MB).
// Header slots are float64 (counters that outgrow int32) except the int32 slots shared with
// Atomics (heartbeat, rule snapshot count). The write cursor is total % capacity.

export const HEADER_BYTES = 128;
export const RECORD_BYTES = 48;
export const RECORD_F64 = RECORD_BYTES / 8; // 6
export const RECORD_U32 = RECORD_BYTES / 4; // 12
/** u32 index of `kind` inside a record (after the four float64). */
export const RECORD_KIND_U32 = 8;

/** Float64 header slots. */
export const H_TOTAL_RECORDS = 0; // records ever written (dropped = total - capacity when > 0)
export const H_STRING_WRITE_WORD = 1; // absolute write position in the string table, in 4-byte words
export const H_CLOCK_OFFSET_US = 2; // unused by readers; kept for diagnostics
/** When the thread's event-loop tick is next due (trace µs; 0: no event-loop source): overdue means blocked. */
export const H_LOOP_TICK_DUE_US = 3;
// (slots 4–5 and 8 unused: live memory and utilisation are read from the newest records)
export const H_HOOK_ERRORS = 10;
/** Int32 header slots (byte offset 96 → int32 index 24). */
// (slot 24 unused: the write cursor is H_TOTAL_RECORDS % capacity)
export const H_I32_HEARTBEAT = 25; // incremented by the main thread's heartbeat timer
export const H_I32_MAGIC = 26;
export const H_I32_RECORD_CAPACITY = 27;
export const H_I32_STRING_WORDS = 28;
export const H_I32_RULE_SNAPSHOTS = 29; // snapshots rules have written (shared by main and watchdog)
export const RING_MAGIC = 0x4e465231; // "NFR1"

/** The smallest ring we accept: a few hundred records and a usable string table. */
export const MIN_RING_BYTES = 64 * 1024;

export interface RingLayout {
  totalBytes: number;
  recordCapacity: number;
  recordsOffset: number;
  stringsOffset: number;
  /** String table size in 4-byte words. */
  stringWords: number;
}

/**
 * Splits `maxBytes` into the three regions: 1/4 of what follows the header goes to strings.
 * An HTTP request writes two 48-byte records and appends its URL once (8 bytes + the text,
 * ~40 bytes for a 30-character path), so with a quarter for strings the URLs of a busy
 * server's requests last about as long as their records.
 */
export function computeLayout(maxBytes: number): RingLayout {
  const totalBytes = Math.floor(maxBytes);
  if (!(totalBytes >= MIN_RING_BYTES)) throw new RangeError(`ring size must be at least ${MIN_RING_BYTES} bytes`);
  const body = totalBytes - HEADER_BYTES;
  const stringBytes = Math.floor(body / 4 / 8) * 8;
  const recordCapacity = Math.floor((body - stringBytes) / RECORD_BYTES);
  const recordsOffset = HEADER_BYTES;
  const stringsOffset = recordsOffset + recordCapacity * RECORD_BYTES;
  const stringWords = Math.floor((totalBytes - stringsOffset) / 4);
  return { totalBytes, recordCapacity, recordsOffset, stringsOffset, stringWords };
}

/** Reads the layout back from a ring buffer's header (a copy or the live buffer). */
export function layoutFromHeader(buffer: ArrayBufferLike, byteOffset = 0, byteLength = buffer.byteLength - byteOffset): RingLayout {
  const i32 = new Int32Array(buffer, byteOffset, HEADER_BYTES / 4);
  if (i32[H_I32_MAGIC] !== RING_MAGIC) throw new Error('not a flight-recorder ring');
  const recordCapacity = i32[H_I32_RECORD_CAPACITY] ?? 0;
  const recordsOffset = HEADER_BYTES;
  const stringsOffset = recordsOffset + recordCapacity * RECORD_BYTES;
  return { totalBytes: byteLength, recordCapacity, recordsOffset, stringsOffset, stringWords: i32[H_I32_STRING_WORDS] ?? 0 };
}
