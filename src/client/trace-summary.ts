// The event summary of a trace file (src/format/event-summary.ts) for a Node host of the viewer
// — the `cli view` server and the VS Code timeline editor — built once, on a worker thread so
// the host's own thread stays free (the server starts it as soon as it starts, while the
// browser loads the page), and kept in memory; and the two things a
// viewer then asks its host: byte ranges of the file (args the summary left there) and a search
// over those args. The file is read in 4 MiB pieces into one reused buffer, never as one
// string. A file not in our writer's layout has no summary: the host sends it whole as before.
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { searchRemoteArgs } from '../format/args-search';
import { decodeEventSummary, type EventSummary } from '../format/event-summary';
import { EventSummaryBuilder, type SummaryPart } from '../format/event-summary-builder';
import { prefaultShared } from '../format/memory-arena';
import { concatBytes } from '../format/snapshot-lines';
import type { ByteRange } from '../format/viewer-protocol';
import { cutPoint, feedFile, READ_BYTES } from './summary-parts';

export interface BuiltSummary {
  /** The summary, as pieces to write in order. */
  pieces: Uint8Array[];
  byteLength: number;
  /** The file it describes: a changed file makes byte ranges meaningless. */
  fileBytes: number;
  fileMtimeMs: number;
  buildMs: number;
  /**
   * Where it was built: a worker thread, two (a large file read in two parts: summary-parts.ts),
   * or the host's own thread (no worker bundle, or the worker failed).
   */
  builtOn: 'worker' | 'two workers' | 'host thread';
}

export type SummaryOutcome = { summary: BuiltSummary } | { reason: string };

/** A summary's pieces before its span layout (what a host can send while the layout is computed). */
export interface SummaryColumns {
  pieces: Uint8Array[];
  builtOn: BuiltSummary['builtOn'];
}

/** Bounds on one request for byte ranges: a viewer asks for a few hundred event lines at most. */
export const MAX_RANGES = 256;
export const MAX_RANGE_BYTES = 16 << 20;
export const MAX_TOTAL_BYTES = 64 << 20;

/** The byte ranges and searches refer to a summary of the file as it was; it changed since. */
export class FileChangedError extends Error {
  constructor() {
    super('the file changed on disk since the viewer opened it (or has no summary); reload to read it again');
  }
}

/** A sentence saying what is wrong with these ranges for a file of `fileBytes`, or undefined. */
export function checkRanges(ranges: readonly ByteRange[], fileBytes: number): string | undefined {
  if (ranges.length === 0) return 'no range asked for';
  if (ranges.length > MAX_RANGES) return `at most ${MAX_RANGES} ranges per request`;
  let total = 0;
  for (const { offset, length } of ranges) {
    if (!Number.isSafeInteger(offset) || offset < 0) return `${String(offset).slice(0, 40)} is not a file offset`;
    if (!Number.isSafeInteger(length) || length < 1 || length > MAX_RANGE_BYTES) return `a range is 1 to ${MAX_RANGE_BYTES} bytes long`;
    if (offset + length > fileBytes) return `the range ${offset}:${length} ends past the end of the file (${fileBytes} bytes)`;
    total += length;
    if (total > MAX_TOTAL_BYTES) return `at most ${MAX_TOTAL_BYTES} bytes per request`;
  }
  return undefined;
}

export class TraceSummaryCache {
  private building: Promise<SummaryOutcome> | undefined;
  /** The current build's pieces before its span layout, as soon as they are ready (undefined: no summary). */
  private buildingColumns: Promise<SummaryColumns | undefined> | undefined;
  /** Whether the current build has finished. */
  private built = false;
  /** How far the current build has read (EventSummaryBuilder.memoryAhead's `progress`), when it says. */
  private progress: Int32Array | undefined;
  /** The size of the file the current build reads, once known. */
  private buildingBytes: number | undefined;
  /** The current summary read back into columns (for searches), made on first use. */
  private readable: { summary: BuiltSummary; decoded: EventSummary } | undefined;

  constructor(private readonly tracePath: string) {}

  /** Starts building now (idempotent). */
  prepare(): void {
    void this.get();
  }

  /** The summary of the file as it is now: rebuilt when the file changed since the last build. */
  async get(): Promise<SummaryOutcome> {
    const current = this.building;
    if (current) {
      const outcome = await current;
      if (!('summary' in outcome) || (await this.unchanged(outcome.summary))) return outcome;
      if (this.building !== current) return this.building!;
    }
    let columnsReady: (columns: SummaryColumns | undefined) => void = () => undefined;
    this.buildingColumns = new Promise((resolve) => (columnsReady = resolve));
    this.built = false;
    this.progress = undefined;
    this.buildingBytes = undefined;
    void stat(this.tracePath).then((info) => (this.buildingBytes = info.size), () => undefined);
    const building = buildSummary(this.tracePath, (pieces, builtOn) => columnsReady({ pieces, builtOn }), (progress) => (this.progress = progress)).then((outcome) => {
      columnsReady(undefined); // no-op when the columns came first
      if (this.building === building) this.built = true;
      return outcome;
    });
    this.building = building;
    return building;
  }

  /**
   * For a host that streams: while a build is under way, its pieces before the span layout as
   * soon as they are ready, and the whole outcome after (the layout's block is the pieces past
   * those). Undefined when there is nothing under way (ask `get`).
   */
  inProgress(): { columns: Promise<SummaryColumns | undefined>; outcome: Promise<SummaryOutcome> } | undefined {
    if (this.built || !this.building || !this.buildingColumns) return undefined;
    return { columns: this.buildingColumns, outcome: this.building };
  }

  /**
   * While a build is under way and has read some of the file: the events it found per byte
   * read (a page sizes its spare memory by it). Undefined before, after, or without a worker.
   */
  eventsPerByteSoFar(): number | undefined {
    if (!this.inProgress() || !this.progress) return undefined;
    const events = Atomics.load(this.progress, 0);
    const kib = Atomics.load(this.progress, 1);
    return kib >= 1024 ? events / (kib * 1024) : undefined;
  }

  /**
   * While a build is under way and has read some of the file: the share read (0–1) of what
   * the worker building the summary reads — the whole file, or with two workers its half (the
   * other reads the second half alongside it) — and the file's size, for a loading screen.
   * Undefined before, after, or without a worker.
   */
  readProgress(): { readFraction: number; fileBytes: number } | undefined {
    const fileBytes = this.buildingBytes;
    if (!this.inProgress() || !this.progress || fileBytes === undefined) return undefined;
    const readKib = Atomics.load(this.progress, 1);
    const toReadKib = Atomics.load(this.progress, 2);
    if (toReadKib === 0) return undefined;
    // Whole KiB read, the extent rounded up: within one of the end, the read is done.
    return { readFraction: toReadKib - readKib <= 1 ? 1 : readKib / toReadKib, fileBytes };
  }

  /** The last summary built, if the file has not changed since (for byte-range checks). */
  async current(): Promise<BuiltSummary | undefined> {
    if (!this.building) return undefined;
    const outcome = await this.building;
    return 'summary' in outcome && (await this.unchanged(outcome.summary)) ? outcome.summary : undefined;
  }

  /** The current summary's columns (searches walk them), or undefined when there is none or the file changed. */
  async decoded(): Promise<EventSummary | undefined> {
    const summary = await this.current();
    if (!summary) return undefined;
    if (this.readable?.summary !== summary) {
      this.readable = { summary, decoded: decodeEventSummary(concatBytes(summary.pieces, summary.byteLength)) };
    }
    return this.readable.decoded;
  }

  /**
   * The bytes of `ranges`, in order. Throws FileChangedError when the file is not the one the
   * current summary describes, and an Error with a sentence for ranges out of bounds.
   */
  async readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array> {
    const summary = await this.current();
    if (!summary) throw new FileChangedError();
    const problem = checkRanges(ranges, summary.fileBytes);
    if (problem) throw new RangeError(problem);
    const body = new Uint8Array(ranges.reduce((sum, range) => sum + range.length, 0));
    const handle = await open(this.tracePath, 'r');
    try {
      let at = 0;
      for (const range of ranges) {
        const { bytesRead } = await handle.read(body, at, range.length, range.offset);
        if (bytesRead !== range.length) throw new FileChangedError();
        at += range.length;
      }
    } finally {
      await handle.close();
    }
    return body;
  }

  /** Indices of the events with args still in the file that match `needle` (trimmed, lower case). */
  async searchArgs(needle: string): Promise<Int32Array> {
    const decoded = await this.decoded();
    if (!decoded) throw new FileChangedError();
    const handle = await open(this.tracePath, 'r');
    try {
      const buffer = new Uint8Array(READ_BYTES);
      return await searchRemoteArgs(decoded, needle, async (offset, length) => {
        const target = length <= buffer.length ? buffer : new Uint8Array(length);
        const { bytesRead } = await handle.read(target, 0, length, offset);
        return target.subarray(0, bytesRead);
      });
    } finally {
      await handle.close();
    }
  }

  private async unchanged(summary: BuiltSummary): Promise<boolean> {
    try {
      const info = await stat(this.tracePath);
      return info.size === summary.fileBytes && info.mtimeMs === summary.fileMtimeMs;
    } catch {
      return false;
    }
  }
}

/** dist/summary-worker.js, next to the bundle this code runs in (dist/cli.js, dist/extension.js). */
const WORKER_SCRIPT = join(__dirname, 'summary-worker.js');

/**
 * The summary of `tracePath`, built on a worker thread (summary-worker.ts) when the worker
 * bundle is there, on this thread otherwise (running from source) or when the worker cannot
 * start or dies. Never rejects.
 */
export async function buildSummary(tracePath: string, onColumns?: (pieces: Uint8Array[], builtOn: BuiltSummary['builtOn']) => void, onProgress?: (progress: Int32Array) => void): Promise<SummaryOutcome> {
  const here = (pieces: Uint8Array[]) => onColumns?.(pieces, 'host thread');
  if (!existsSync(WORKER_SCRIPT)) return buildSummaryHere(tracePath, here);
  const startMs = performance.now();
  let columns: Uint8Array[] | undefined;
  const outcome = await buildInWorker(tracePath, (pieces, twoParts) => {
    columns = pieces;
    onColumns?.(pieces, twoParts ? 'two workers' : 'worker');
  }, onProgress).catch(() => undefined);
  if (!outcome) {
    // The worker failed. Before it sent anything: build here. After (someone may be streaming
    // its first pieces): no summary, and the viewer reads the whole file.
    return columns ? { reason: 'the summary\'s builder stopped' } : buildSummaryHere(tracePath, here);
  }
  if ('summary' in outcome) {
    outcome.summary.buildMs = performance.now() - startMs;
    outcome.summary.builtOn = outcome.summary.builtOn === 'two workers' ? 'two workers' : 'worker';
  }
  return outcome;
}

/**
 * What the worker posts: the memory its build will write (for this thread to touch ahead while
 * it idles), the pieces before the span layout, then the outcome with the layout's pieces only.
 */
export type SummaryWorkerMessage = { memoryAhead: MemoryAhead } | { columns: Uint8Array[]; twoParts: boolean } | { outcome: SummaryOutcome };

type MemoryAhead = NonNullable<ReturnType<EventSummaryBuilder['memoryAhead']>>;

/**
 * How far ahead of the build its memory is touched: this share of the events expected (~60 k
 * events of a million, two or three of its 4 MiB chunks).
 */
const PREFAULT_AHEAD = 0.05;

/** What a summary worker is given (summary-worker.ts). */
export interface SummaryWorkerData {
  tracePath: string;
  /** A cut from cutPoint: this worker reads the bytes before it and appends the rest's events from `restPort`. */
  cutAt?: number;
  /** A worker reading the bytes from `cutAt` to the end posts their events here (and builds nothing else). */
  restPort?: MessagePort;
  role: 'summary' | 'rest';
}

/** What the worker reading the rest posts to the one building the summary (undefined: it could not read them). */
export interface RestMessage {
  rest: SummaryPart | undefined;
}

/** Where to cut the file for two workers (summary-parts.ts), or undefined to read it with one. */
async function cutForWorkers(tracePath: string): Promise<number | undefined> {
  const handle = await open(tracePath, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    return await cutPoint(handle, (await handle.stat()).size);
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Starts the worker that reads the file from `cutAt` to its end and posts its events to the
 * summary worker over the port returned (worker to worker: this thread, the extension host
 * shared by every extension, never holds them). `onLost` hears, once, that it failed.
 */
function startRestWorker(threads: typeof import('node:worker_threads'), tracePath: string, cutAt: number, onLost: () => void): { port: MessagePort; stop: () => void } {
  const { port1, port2 } = new threads.MessageChannel();
  const data: SummaryWorkerData = { tracePath, cutAt, restPort: port1, role: 'rest' };
  const rest = new threads.Worker(WORKER_SCRIPT, { workerData: data, transferList: [port1] });
  let lost = false;
  const lose = () => {
    if (lost) return;
    lost = true;
    onLost();
  };
  rest.once('error', lose);
  rest.once('exit', (code) => {
    if (code !== 0) lose();
  });
  return { port: port2, stop: () => void rest.terminate() };
}

async function buildInWorker(tracePath: string, onColumns: (pieces: Uint8Array[], twoParts: boolean) => void, onProgress?: (progress: Int32Array) => void): Promise<SummaryOutcome | undefined> {
  // Loaded when a summary is first built, not when the extension activates.
  const threads = await import('node:worker_threads');
  const cutAt = await cutForWorkers(tracePath);
  return new Promise((resolve, reject) => {
    let settled = false;
    // A rest worker that fails: the summary worker reads the rest itself.
    const rest = cutAt === undefined ? undefined : startRestWorker(threads, tracePath, cutAt, () => {
      if (!settled) worker.postMessage({ rest: undefined } satisfies RestMessage);
    });
    const stopRest = () => rest?.stop();
    const summaryData: SummaryWorkerData = rest ? { tracePath, cutAt, restPort: rest.port, role: 'summary' } : { tracePath, role: 'summary' };
    const worker = new threads.Worker(WORKER_SCRIPT, { workerData: summaryData, transferList: rest ? [rest.port] : [] });
    let columns: Uint8Array[] = [];
    let stopPrefault = () => {};
    worker.on('message', (message: SummaryWorkerMessage) => {
      if ('memoryAhead' in message) {
        // The page faults of the memory the worker is about to fill, taken here instead of on
        // its thread (~0.1–0.2 s of a million-event build on the VMs measured: docs/benchmarks.md).
        const { buffers, progress, expectedEvents } = message.memoryAhead;
        onProgress?.(progress);
        stopPrefault = prefaultShared(buffers, {
          limit: () => Atomics.load(progress, 0) / expectedEvents + PREFAULT_AHEAD,
          yieldThen: (next) => setImmediate(next),
          waitThen: (next) => setTimeout(next, 5),
        });
        return;
      }
      if ('columns' in message) {
        columns = message.columns;
        onColumns(columns, message.twoParts);
        return;
      }
      settled = true;
      stopPrefault();
      const { outcome } = message;
      if ('summary' in outcome) {
        outcome.summary.pieces = [...columns, ...outcome.summary.pieces];
        outcome.summary.byteLength = outcome.summary.pieces.reduce((sum, piece) => sum + piece.length, 0);
      }
      resolve(outcome);
      stopRest();
      void worker.terminate();
    });
    worker.once('error', (error) => {
      stopRest();
      if (!settled) reject(error);
    });
    worker.once('exit', () => {
      stopPrefault();
      stopRest();
      if (!settled) resolve(undefined);
    });
  });
}

/**
 * The file's bytes after `at` (a cut from cutPoint, summary-parts.ts) as another thread reads
 * them: `rest` settles with their events, or undefined when that thread could not read them.
 */
export interface SummarySplit {
  at: number;
  rest: () => Promise<SummaryPart | undefined>;
}

/**
 * The summary built on this thread (the worker's own work; 4 MiB reads, one builder).
 * `onColumns` hears the pieces before the span layout as soon as they are ready. With `split`,
 * this thread reads the bytes before the cut and appends the events another thread read after
 * it (`twoParts`); when it gets none, or cannot append them, it reads on itself.
 */
export async function buildSummaryHere(tracePath: string, onColumns?: (pieces: Uint8Array[], twoParts: boolean) => void, onMemoryAhead?: (memory: MemoryAhead) => void, split?: SummarySplit): Promise<SummaryOutcome> {
  const startMs = performance.now();
  let handle;
  try {
    handle = await open(tracePath, 'r');
  } catch (error) {
    return { reason: `cannot read the file: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    const info = await handle.stat();
    const builder = new EventSummaryBuilder(info.size);
    const memoryAhead = builder.memoryAhead();
    // Split, the two workers keep both cores busy: a host touching memory ahead of this one
    // only competed with them (columns ready ~0.1 s later, docs/benchmarks.md); its progress
    // still goes out.
    if (memoryAhead) onMemoryAhead?.(split ? { ...memoryAhead, buffers: [] } : memoryAhead);
    builder.willRead(split?.at ?? info.size);
    let position = await feedFile(handle, builder, 0, split?.at);
    let twoParts = false;
    if (split && position === split.at && builder.active) {
      // While the other thread finishes, the memory the rest's events are about to fill is
      // touched here: its page faults were ~40 of the ~90 ms of appending them.
      const stopTouching = memoryAhead ? prefaultShared(memoryAhead.buffers, { yieldThen: (next) => setImmediate(next) }) : () => undefined;
      const rest = await split.rest();
      stopTouching();
      twoParts = rest !== undefined && builder.appendPart(rest);
      if (twoParts) position = info.size;
      else {
        // Reading on alone: the rest of the file is this worker's to read too.
        builder.willRead(info.size);
        position = await feedFile(handle, builder, position);
      }
    }
    const columns = builder.active ? builder.finishColumns() : undefined;
    if (columns) onColumns?.(columns, twoParts);
    const spans = columns ? builder.finishSpans() : undefined;
    if (!columns || !spans) return { reason: 'the file is not in the recorder\'s one-event-per-line layout (or is damaged); the viewer reads it whole' };
    const pieces = [...columns, ...spans];
    return {
      summary: {
        pieces,
        byteLength: pieces.reduce((sum, piece) => sum + piece.length, 0),
        fileBytes: position,
        fileMtimeMs: info.mtimeMs,
        buildMs: performance.now() - startMs,
        builtOn: twoParts ? 'two workers' : 'host thread',
      },
    };
  } catch (error) {
    return { reason: `cannot read the file: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await handle.close();
  }
}
