// Reading a ring: from a copy made by its own thread (consistent), from a stuck thread's live
// buffer, or from a running thread's buffer (user worker threads, copied by the watchdog while
// they keep writing: slots written during the copy are discarded).
import type { RecordView } from '../contracts';
import {
  layoutFromHeader, type RingLayout, HEADER_BYTES, RECORD_F64, RECORD_U32, RECORD_KIND_U32,
  H_TOTAL_RECORDS, H_STRING_WRITE_WORD,
} from './layout';
import { copyRing } from './ring';
import { StringTableReader, MAX_STRING_BYTES } from './strings';

export interface RingCopyInfo {
  layout: RingLayout;
  totalRecords: number;
  stringWriteWord: number;
}

export function readHeader(buffer: ArrayBufferLike): RingCopyInfo {
  const layout = layoutFromHeader(buffer);
  const header = new Float64Array(buffer, 0, HEADER_BYTES / 8);
  return { layout, totalRecords: header[H_TOTAL_RECORDS] ?? 0, stringWriteWord: header[H_STRING_WRITE_WORD] ?? 0 };
}

/** Copies a ring whose writer is stopped or stuck (no concurrent writes). */
export function copyQuiescentRing(ring: SharedArrayBuffer, target: Uint8Array): void {
  const info = readHeader(ring);
  copyRing(new Uint8Array(ring), info.layout, target, info.totalRecords, info.stringWriteWord);
}

/**
 * Copies a ring another thread keeps writing. Records written while we copied may be torn:
 * their slots are blanked in the copy (kind 0), and strings are judged live against the
 * table position after the copy (plus one entry of margin for one being written).
 */
export function copyLiveRing(ring: SharedArrayBuffer, target: Uint8Array): void {
  const source = new Uint8Array(ring);
  const header = new Float64Array(ring, 0, HEADER_BYTES / 8);
  const layout = layoutFromHeader(ring);
  const totalBefore = header[H_TOTAL_RECORDS] ?? 0;
  // Before the ring first wraps only the written prefixes matter (and copying the rest into
  // fresh memory would page-fault for nothing). One extra record and string entry of margin.
  copyRing(source, layout, target, totalBefore + 1, (header[H_STRING_WRITE_WORD] ?? 0) + 2 + MAX_STRING_BYTES / 4);
  const totalAfter = header[H_TOTAL_RECORDS] ?? 0;
  const stringAfter = (header[H_STRING_WRITE_WORD] ?? 0) + 2 + MAX_STRING_BYTES / 4;
  const copyHeader = new Float64Array(target.buffer, target.byteOffset, HEADER_BYTES / 8);
  const capacity = layout.recordCapacity;
  const u32 = new Uint32Array(target.buffer, target.byteOffset + layout.recordsOffset, capacity * RECORD_U32);
  // The slot at totalAfter may be mid-write too, hence `<=`.
  const suspect = Math.min(capacity, totalAfter - totalBefore + 1);
  for (let k = 0; k < suspect; k++) u32[((totalBefore + k) % capacity) * RECORD_U32 + RECORD_KIND_U32] = 0;
  copyHeader[H_TOTAL_RECORDS] = totalAfter;
  copyHeader[H_STRING_WRITE_WORD] = stringAfter;
}

/**
 * Calls `visit` for every record of a ring copy, oldest first, with one reused view
 * (strings resolved). Slots of kind 0 (never written, or blanked) are skipped.
 */
export function forEachRecord(copy: Uint8Array, visit: (record: RecordView) => void): { records: number; oldestTsUs: number; newestTsUs: number } {
  const buffer = copy.buffer;
  const base = copy.byteOffset;
  const headerView = new Float64Array(buffer, base, HEADER_BYTES / 8);
  const layout = layoutFromHeader(buffer, base, copy.byteLength);
  const total = headerView[H_TOTAL_RECORDS] ?? 0;
  const capacity = layout.recordCapacity;
  const count = Math.min(total, capacity);
  const first = total > capacity ? total % capacity : 0;
  const f64 = new Float64Array(buffer, base + layout.recordsOffset, capacity * RECORD_F64);
  const u32 = new Uint32Array(buffer, base + layout.recordsOffset, capacity * RECORD_U32);
  const strings = new StringTableReader(buffer, base + layout.stringsOffset, layout.stringWords, headerView[H_STRING_WRITE_WORD] ?? 0);
  const view: RecordView = { kind: 0, tsUs: 0, durUs: 0, id: 0, a: 0, b: 0, s1: undefined, s2: undefined, string: (id) => strings.resolve(id) };
  let records = 0;
  let oldestTsUs = Infinity;
  let newestTsUs = -Infinity;
  for (let n = 0; n < count; n++) {
    const slot = (first + n) % capacity;
    const u = slot * RECORD_U32;
    const kind = u32[u + RECORD_KIND_U32] ?? 0;
    if (kind === 0) continue;
    const f = slot * RECORD_F64;
    view.kind = kind;
    view.tsUs = f64[f] ?? 0;
    view.durUs = f64[f + 1] ?? 0;
    view.a = f64[f + 2] ?? 0;
    view.b = f64[f + 3] ?? 0;
    view.id = u32[u + RECORD_KIND_U32 + 1] ?? 0;
    view.s1 = strings.resolve(u32[u + RECORD_KIND_U32 + 2] ?? 0);
    view.s2 = strings.resolve(u32[u + RECORD_KIND_U32 + 3] ?? 0);
    records++;
    if (view.tsUs < oldestTsUs) oldestTsUs = view.tsUs;
    if (view.tsUs + view.durUs > newestTsUs) newestTsUs = view.tsUs + view.durUs;
    visit(view);
  }
  return { records, oldestTsUs, newestTsUs };
}

/** ts of the oldest record still held by a live ring (status: window length); NaN if empty. */
export function oldestRecordTsUs(ring: SharedArrayBuffer): number {
  const layout = layoutFromHeader(ring);
  const header = new Float64Array(ring, 0, HEADER_BYTES / 8);
  const total = header[H_TOTAL_RECORDS] ?? 0;
  if (total === 0) return NaN;
  const first = total > layout.recordCapacity ? total % layout.recordCapacity : 0;
  return new Float64Array(ring, layout.recordsOffset, layout.recordCapacity * RECORD_F64)[first * RECORD_F64] ?? NaN;
}
