// A large file's event summary built by two threads: the file is cut at the first line start
// after its middle, a second worker reads the events from there to the end into a builder of
// its own (EventSummaryBuilder's eventLinesFrom) and posts them, and the first worker, having
// read the bytes before the cut, appends them (appendPart) and lays out the spans as before.
// Reading the events is most of a build (the byte scanner: ~1–2 s of a million-event file on
// the VMs measured), and every line is read by one thread or the other: on the two vCPUs
// measured, which run two threads ~1.6× as fast as one, a million events' columns were ready
// ~0.3 s sooner (1.72 → 1.42 s; docs/benchmarks.md). The summary is byte for byte
// the one a single thread makes; wherever anything goes wrong with the second half (its worker
// fails, the cut is not between two event lines, the part is not in our layout) the first
// worker reads on from the cut itself, as it would have.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { EventSummaryBuilder, type SummaryPart } from '../format/event-summary-builder';

/** Files read in pieces of this size, into two buffers used in turn. */
export const READ_BYTES = 4 << 20;
/**
 * Files at least this large are read in two parts, on a machine with two cores or more: below
 * it a build takes ~0.1 s, less than starting a second worker and posting its columns.
 */
export const PARALLEL_MIN_BYTES = 24 << 20;
/** How far past the middle a line start is looked for (a line longer than this: no cut). */
const CUT_SEARCH_BYTES = 1 << 16;
const NEWLINE = 0x0a;

/**
 * Feeds bytes [from, to) of the file to `builder` while it stays active; answers the offset
 * read up to. The next piece is read (on libuv's pool) while this one is scanned: the scan
 * waited ~0.2 s for reads of a 177 MB file while a browser started on the other core.
 */
export async function feedFile(handle: FileHandle, builder: EventSummaryBuilder, from: number, to = Infinity): Promise<number> {
  const buffers = [new Uint8Array(READ_BYTES), new Uint8Array(READ_BYTES)];
  let position = from;
  const readNext = (buffer: Uint8Array) => handle.read(buffer, 0, Math.max(0, Math.min(READ_BYTES, to - position)), position);
  let reading = readNext(buffers[0]!);
  try {
    for (let turn = 0; builder.active; turn ^= 1) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      position += bytesRead;
      reading = readNext(buffers[turn ^ 1]!);
      builder.feed(buffers[turn]!.subarray(0, bytesRead));
    }
  } finally {
    // A read still under way (the builder gave up) ends before the caller closes the file.
    await reading.catch(() => undefined);
  }
  return position;
}

/** How many threads read a file of `fileBytes` for its summary: two from `minBytes` on two cores or more (cutPoint's rule). */
export function summaryThreadsFor(fileBytes: number, cores = availableParallelism(), minBytes = PARALLEL_MIN_BYTES): 1 | 2 {
  return fileBytes >= minBytes && cores >= 2 ? 2 : 1;
}

/**
 * Where to cut a file of `fileBytes` in two for two threads: just after the first newline from
 * its middle (a raw newline is never inside a JSON string, so in our layout it always ends an
 * event line, or the head or closing line — which the builders tell apart). Undefined for a
 * file too small to be worth it, on a single core, or with no newline near the middle.
 */
export async function cutPoint(handle: FileHandle, fileBytes: number, cores = availableParallelism(), minBytes = PARALLEL_MIN_BYTES): Promise<number | undefined> {
  if (summaryThreadsFor(fileBytes, cores, minBytes) < 2) return undefined;
  const middle = Math.floor(fileBytes / 2);
  const window = new Uint8Array(CUT_SEARCH_BYTES);
  const { bytesRead } = await handle.read(window, 0, window.length, middle);
  const newline = window.subarray(0, bytesRead).indexOf(NEWLINE);
  return newline < 0 ? undefined : middle + newline + 1;
}

/**
 * The events of `tracePath` from `from` (a cut from cutPoint) to its end, for the builder of the
 * bytes before (EventSummaryBuilder.appendPart); undefined when they are not in our layout or
 * the file cannot be read. Never rejects.
 */
export async function buildSummaryPartHere(tracePath: string, from: number): Promise<SummaryPart | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(tracePath, 'r');
    const { size } = await handle.stat();
    const builder = new EventSummaryBuilder(size - from, from);
    await feedFile(handle, builder, from);
    return builder.takePart();
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
