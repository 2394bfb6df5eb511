// Writes a snapshot file atomically: JSON streamed into a temp file in the target directory,
// then put in place under its name, so a reader never sees half a file. Synchronous: it runs
// in the watchdog thread, or on the main thread only when the process is exiting. Cleans temp
// files that killed writers left behind.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotFileName, type Snapshot, type SnapshotMetadata } from '../../format/snapshot';
import type { TraceEvent } from '../../format/trace-event';
import { SnapshotWriter } from '../../format/write';
import { decodeSnapshot, type SnapshotInput } from './build';
import { isProcessAlive } from '../process-alive';
import type { PublishGate } from './write-claim';

/** Events are serialised in batches of this many (SnapshotWriter.events). */
const BATCH_EVENTS = 512;

export interface WrittenFile {
  path: string;
  bytes: number;
  events: number;
}

/** The file was complete, but another writer publishes this request (write-claim.ts). */
export class PublishedElsewhereError extends Error {}

/**
 * Decodes and writes a snapshot in one pass: each batch of decoded events is serialised
 * (src/format/write.ts) and written out before the next is decoded, so memory holds at most
 * one batch and one chunk, whatever the ring size. `gate`, when given, decides at the rename
 * whether this file or another writer's is the request's.
 */
export function writeSnapshot(
  input: SnapshotInput, outDir: string, when = new Date(), onDecoded?: (metadata: SnapshotMetadata) => void, gate?: PublishGate,
): WrittenFile & { decodeErrors: number } {
  let decodeErrors = 0;
  const written = writeAtomically(outDir, input.facts.programName, input.facts.pid, input.trigger.reason, when, gate, (writer, flush, failed) => {
    let batch: TraceEvent[] = [];
    const decoded = decodeSnapshot(input, (event) => {
      batch.push(event);
      if (batch.length >= BATCH_EVENTS) {
        if (!failed()) flush(writer.events(batch));
        batch = [];
      }
    });
    flush(writer.events(batch));
    decodeErrors = decoded.decodeErrors;
    onDecoded?.(decoded.metadata);
    return decoded.metadata;
  });
  return { ...written, decodeErrors };
}

/** An in-memory snapshot to a file (same format and atomicity as writeSnapshot). */
export function writeSnapshotFile(snapshot: Snapshot, outDir: string, when = new Date()): WrittenFile {
  const meta = snapshot.metadata;
  return writeAtomically(outDir, meta.programName, meta.pid, meta.trigger.reason, when, undefined, (writer, flush) => {
    const events = snapshot.traceEvents;
    for (let i = 0; i < events.length; i += BATCH_EVENTS) flush(writer.events(events.slice(i, i + BATCH_EVENTS)));
    return meta;
  });
}

/**
 * JSON streamed into a temp file in the target directory, then put in place under its name: a
 * reader never sees half a file. `produce` writes the events through `flush` and returns the
 * metadata.
 */
function writeAtomically(
  outDir: string, programName: string, pid: number, reason: string, when: Date, gate: PublishGate | undefined,
  produce: (writer: SnapshotWriter, flush: (text: string) => void, failed: () => boolean) => SnapshotMetadata,
): WrittenFile {
  mkdirSync(outDir, { recursive: true });
  removeStaleTempFiles(outDir);
  const temp = join(outDir, `.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(temp, 'w', 0o644);
  const writer = new SnapshotWriter();
  let bytes = 0;
  // A failed write (ENOSPC) is kept, not thrown: flush runs inside decoders, whose errors are
  // counted and skipped. Once failed, nothing more is encoded; the error is thrown after.
  // Each batch's text goes straight to the file: no megabyte strings or Buffers are built
  // (they were old-generation garbage that made the watchdog's heap run major GCs, whose
  // helper threads then competed with the program for its cores).
  let failure: unknown;
  const flush = (text: string) => {
    if (failure !== undefined) return;
    try {
      bytes += writeAll(fd, text);
    } catch (error) {
      failure = error;
    }
  };
  try {
    flush(writer.begin());
    const metadata = produce(writer, flush, () => failure !== undefined);
    if (failure !== undefined) throw failure;
    bytes += writeAll(fd, writer.end(metadata));
    try {
      fsyncSync(fd);
    } catch {}
  } catch (error) {
    closeSync(fd);
    removeQuietly(temp);
    throw error;
  }
  closeSync(fd);
  if (gate && !gate.claim()) {
    removeQuietly(temp);
    throw new PublishedElsewhereError('this snapshot was written by the main thread as the program exited');
  }
  let path: string;
  try {
    path = publish(temp, outDir, snapshotFileName(programName, pid, when, reason));
  } catch (error) {
    gate?.failed();
    removeQuietly(temp);
    throw error;
  }
  gate?.published();
  return { path, bytes, events: writer.count };
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}

/** Batches of JSON are encoded into this reused buffer (a batch of 512 events is ~100 KB). */
const ENCODE_BYTES = 1 << 20;
let encodeBuffer: Buffer | undefined;

/**
 * Writes all of `text`; returns its byte length. Encoded once into a reused buffer (no Buffer
 * per batch, no separate byte count); a text too long for it gets a Buffer of its own.
 * writeSync may write less than asked: the rest is written in a loop. A full disk answers a
 * short write, then 0 (or ENOSPC): 0 is an error here, never a reason to try again.
 */
function writeAll(fd: number, text: string): number {
  let buffer: Buffer;
  let byteLength: number;
  if (text.length * 3 <= ENCODE_BYTES) {
    encodeBuffer ??= Buffer.allocUnsafe(ENCODE_BYTES);
    buffer = encodeBuffer;
    byteLength = encodeBuffer.write(text, 0, 'utf8'); // at most 3 bytes per UTF-16 unit: it all fits
  } else {
    buffer = Buffer.from(text, 'utf8');
    byteLength = buffer.length;
  }
  let offset = 0;
  while (offset < byteLength) {
    const written = writeSync(fd, buffer, offset, byteLength - offset);
    if (!(written > 0)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    offset += written;
  }
  return byteLength;
}

/**
 * The complete temp file under its snapshot name, or the first free `-2`, `-3`… variant: two
 * snapshots in the same second with the same reason never overwrite each other, even when
 * two threads publish at once (the watchdog, and the main thread at exit). A hard link fails
 * if the name is taken, where a rename would replace it; a file system without hard links
 * gets the rename, after a look.
 */
function publish(temp: string, outDir: string, name: string): string {
  const stem = name.slice(0, -'.nodetrace.json'.length);
  for (let n = 1; n < 1000; n++) {
    const candidate = join(outDir, n === 1 ? name : `${stem}-${n}.nodetrace.json`);
    try {
      linkSync(temp, candidate);
      removeQuietly(temp);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      if (exists(candidate)) continue;
      renameSync(temp, candidate);
      return candidate;
    }
  }
  throw new Error(`${join(outDir, name)}: 999 snapshots of this name in the same second; none written`);
}

function exists(path: string): boolean {
  try {
    closeSync(openSync(path, 'r'));
    return true;
  } catch {
    return false;
  }
}

/** `.<pid>-<random>.tmp`: the temp file name used above. */
const TEMP_NAME = /^\.(\d+)-[a-z0-9]*\.tmp$/;
/** No snapshot write takes this long: an older temp file is a leftover even if its pid lives. */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * A process killed mid-write (kill -9, OOM) leaves its temp file behind: removed the next
 * time any recorder writes into the directory, when its writer is dead or it is very old.
 * Only names of our own pattern are touched; every error is ignored.
 */
export function removeStaleTempFiles(outDir: string, nowMs = Date.now()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const path = join(outDir, name);
    try {
      const stale = (pid !== process.pid && !isProcessAlive(pid)) || nowMs - statSync(path).mtimeMs > STALE_TEMP_MS;
      if (!stale) continue;
      unlinkSync(path);
      removed++;
    } catch {}
  }
  return removed;
}
