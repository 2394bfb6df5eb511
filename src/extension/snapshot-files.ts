// Snapshot files in a folder, parsed from their names
// (`<program>-<pid>-<YYYYMMDDTHHMMSSZ>-<reason>.nodetrace.json`, see snapshotFileName()).
// Pure Node: unit-tested without VS Code.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { SNAPSHOT_EXTENSION } from '../format/snapshot';

export interface SnapshotFile {
  path: string;
  programName: string;
  /** Undefined when the name does not follow the pattern (renamed files still list). */
  pid?: number;
  /** When it was taken (from the name, else the file's mtime). */
  time: Date;
  reason: string;
  bytes: number;
}

const NAME = /^(.*)-(\d+)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-(.*)\.nodetrace\.json$/;

export function parseSnapshotName(name: string): Omit<SnapshotFile, 'path' | 'bytes'> | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const time = new Date(Date.UTC(Number(m[3]), Number(m[4]) - 1, Number(m[5]), Number(m[6]), Number(m[7]), Number(m[8])));
  return { programName: m[1] ?? '', pid: Number(m[2]), time, reason: (m[9] ?? '').replace(/_/g, ' ') };
}

/** Snapshot files of `dir`, newest first, at most `limit`. A missing folder lists nothing. */
export async function listSnapshotFiles(dir: string, limit = 200): Promise<SnapshotFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const files: SnapshotFile[] = [];
  for (const name of names) {
    if (!name.endsWith(SNAPSHOT_EXTENSION)) continue;
    const file = path.join(dir, name);
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      continue;
    }
    if (!stat.isFile()) continue;
    const parsed = parseSnapshotName(name);
    files.push({
      path: file,
      programName: parsed?.programName ?? name.slice(0, -SNAPSHOT_EXTENSION.length),
      pid: parsed?.pid,
      time: parsed?.time ?? stat.mtime,
      reason: parsed?.reason ?? '',
      bytes: stat.size,
    });
  }
  files.sort((a, b) => b.time.getTime() - a.time.getTime() || b.path.localeCompare(a.path));
  return files.slice(0, limit);
}

export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
