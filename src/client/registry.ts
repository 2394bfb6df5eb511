// The per-user registry of recorded processes: `<pid>.json` + `<pid>.sock` in a private
// directory (src/format/control.ts). Reading it skips and removes the entries of processes that
// are gone, and refuses a directory another user could have planted entries in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROL_PROTOCOL_VERSION, type RegistryEntry } from '../format/control';
import { registryDirectory } from '../recorder/control/registry-path';
import { isProcessAlive } from '../recorder/process-alive';

export interface RegistryListing {
  directory: string;
  entries: RegistryEntry[];
  /** pids whose files were removed because the process is gone. */
  removed: number[];
  /** Files that could not be read or are not registry entries (left in place). */
  unreadable: string[];
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

export { registryDirectory, isProcessAlive };

/**
 * Lists live recorded processes. Entries of dead processes are removed (`clean`, default true).
 * A missing directory means nothing is recorded; a directory that is not private is an error.
 */
export async function listRegistry(options: { directory?: string; clean?: boolean } = {}): Promise<RegistryListing> {
  const directory = options.directory ?? registryDirectory();
  const clean = options.clean ?? true;
  const listing: RegistryListing = { directory, entries: [], removed: [], unreadable: [] };
  let names: string[];
  try {
    checkPrivate(directory, await fs.promises.lstat(directory));
    names = await fs.promises.readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return listing;
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(`cannot read the registry directory ${directory}: ${(error as Error).message}`);
  }
  const seenPids = new Set<number>();
  for (const name of names.sort()) {
    const match = /^(\d+)\.json$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    seenPids.add(pid);
    if (!isProcessAlive(pid)) {
      if (clean) await removeEntryFiles(directory, pid, listing);
      continue;
    }
    const entry = await readEntry(path.join(directory, name), pid);
    if (entry) listing.entries.push(entry);
    else listing.unreadable.push(name);
  }
  // Sockets left behind without their JSON (a crash between the two writes or removals).
  if (clean) {
    for (const name of names) {
      const match = /^(\d+)\.sock$/.exec(name);
      if (!match) continue;
      const pid = Number(match[1]);
      if (!seenPids.has(pid) && !isProcessAlive(pid)) await removeEntryFiles(directory, pid, listing);
    }
  }
  listing.entries.sort((a, b) => a.pid - b.pid);
  return listing;
}

function checkPrivate(directory: string, stat: fs.Stats): void {
  if (!stat.isDirectory()) throw new RegistryError(`the registry path ${directory} is not a directory`);
  if (process.platform === 'win32') return;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new RegistryError(`the registry directory ${directory} belongs to uid ${stat.uid}, not you (uid ${uid}); refusing to use it`);
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new RegistryError(`the registry directory ${directory} is readable or writable by others (mode ${(stat.mode & 0o777).toString(8)}); refusing to use it — it should be 700`);
  }
}

async function readEntry(file: string, pid: number): Promise<RegistryEntry | undefined> {
  let value: unknown;
  try {
    const text = await fs.promises.readFile(file, 'utf8');
    if (text.length > 256 * 1024) return undefined;
    value = JSON.parse(text);
  } catch {
    return undefined; // half-written by a starting process, or garbage: skip, do not delete
  }
  return isRegistryEntry(value, pid) ? value : undefined;
}

export function isRegistryEntry(value: unknown, pid?: number): value is RegistryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return e.protocol === CONTROL_PROTOCOL_VERSION
    && Number.isSafeInteger(e.pid) && (pid === undefined || e.pid === pid)
    && Number.isSafeInteger(e.ppid)
    && typeof e.programName === 'string'
    && Array.isArray(e.argv) && e.argv.every((a) => typeof a === 'string')
    && typeof e.socket === 'string' && e.socket.length > 0
    && typeof e.startTime === 'string'
    && typeof e.cwd === 'string' && typeof e.out === 'string' && typeof e.nodeVersion === 'string'
    && typeof e.maxBytes === 'number';
}

async function removeEntryFiles(directory: string, pid: number, listing: RegistryListing): Promise<void> {
  let removedAny = false;
  for (const suffix of ['.json', '.sock']) {
    try {
      await fs.promises.unlink(path.join(directory, `${pid}${suffix}`));
      removedAny = true;
    } catch {
      // Already gone (another client cleaned it) or not ours to remove.
    }
  }
  if (removedAny) listing.removed.push(pid);
}
