// Registering this process in the registry directory, removing it on exit, and sweeping out
// entries of processes that are gone.
import { readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_PROTOCOL_VERSION, type RegistryEntry } from '../../format/control';
import type { ProcessFacts } from '../snapshot/facts';
import { RECORDER_VERSION } from '../snapshot/facts';
import { registryEntryPath, registrySocketPath } from './registry-path';
import { isProcessAlive } from '../process-alive';

export function registryEntryFor(facts: ProcessFacts, dir: string, out: string, maxBytes: number): RegistryEntry {
  return {
    protocol: CONTROL_PROTOCOL_VERSION,
    pid: facts.pid,
    ppid: facts.ppid,
    programName: facts.programName,
    argv: facts.argv,
    cwd: facts.cwd,
    nodeVersion: facts.nodeVersion,
    startTime: facts.startTime,
    socket: registrySocketPath(dir, facts.pid),
    out,
    maxBytes,
    recorderVersion: RECORDER_VERSION,
  };
}

/** Written to a temp name then renamed, so a reader never parses half an entry. */
export function writeRegistryEntry(dir: string, entry: RegistryEntry): void {
  const path = registryEntryPath(dir, entry.pid);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** Synchronous: runs in the main thread's `exit` handler. Never throws. */
export function removeRegistryEntry(dir: string, pid: number): void {
  for (const path of [registryEntryPath(dir, pid), registrySocketPath(dir, pid)]) {
    try {
      unlinkSync(path);
    } catch {}
  }
}

/** Removes `<pid>.json` / `<pid>.sock` of processes that no longer exist. Returns how many. */
export function sweepStaleEntries(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const match = /^(\d+)\.(json|sock)$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {}
  }
  return removed;
}
