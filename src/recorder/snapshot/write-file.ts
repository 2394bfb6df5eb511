// Writes a snapshot file atomically: JSON streamed into a temp file in the target directory,
// then renamed, so a reader never sees half a file. Synchronous: it runs in the watchdog
// thread, or on the main thread only when the process is exiting.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotFileName, type Snapshot } from '../../format/snapshot';

const CHUNK_CHARS = 1 << 20;

export interface WrittenFile {
  path: string;
  bytes: number;
  events: number;
}

export function writeSnapshotFile(snapshot: Snapshot, outDir: string, when = new Date()): WrittenFile {
  mkdirSync(outDir, { recursive: true });
  const meta = snapshot.metadata;
  let name = snapshotFileName(meta.programName, meta.pid, when, meta.trigger.reason);
  const path = uniquePath(outDir, name);
  name = path;
  const temp = join(outDir, `.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(temp, 'w', 0o644);
  let bytes = 0;
  try {
    let chunk = '{"traceEvents":[';
    const events = snapshot.traceEvents;
    for (let i = 0; i < events.length; i++) {
      chunk += (i === 0 ? '\n' : ',\n') + JSON.stringify(events[i]);
      if (chunk.length >= CHUNK_CHARS) {
        bytes += writeSync(fd, chunk);
        chunk = '';
      }
    }
    chunk += `\n],\n"displayTimeUnit":"ms",\n"metadata":${JSON.stringify(meta)}}\n`;
    bytes += writeSync(fd, chunk);
    try {
      fsyncSync(fd);
    } catch {}
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {}
    throw error;
  }
  closeSync(fd);
  renameSync(temp, name);
  return { path: name, bytes, events: snapshot.traceEvents.length };
}

/** Two snapshots in the same second with the same reason must not overwrite each other. */
function uniquePath(outDir: string, name: string): string {
  const first = join(outDir, name);
  if (!exists(first)) return first;
  const stem = name.slice(0, -'.nodetrace.json'.length);
  for (let n = 2; n < 1000; n++) {
    const candidate = join(outDir, `${stem}-${n}.nodetrace.json`);
    if (!exists(candidate)) return candidate;
  }
  return first;
}

function exists(path: string): boolean {
  try {
    closeSync(openSync(path, 'r'));
    return true;
  } catch {
    return false;
  }
}
