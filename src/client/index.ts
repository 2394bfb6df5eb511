// What the CLI and the VS Code extension use to talk to recorded processes: list them (as a
// tree), ask one for its status, live metrics, or a snapshot. Every call has a time bound.
import type { LiveMetrics, RecorderStatus, RegistryEntry } from '../format/control';
import { ControlError, controlRequest, type RequestOptions } from './control-client';
import { isProcessAlive, listRegistry, type RegistryListing } from './registry';

export { ControlError, type ControlErrorCode, type RequestOptions } from './control-client';
export { buildProcessTree, flattenTree, type TreeNode } from './process-tree';
export { isProcessAlive, listRegistry, registryDirectory, RegistryError, type RegistryListing } from './registry';

export interface ClientOptions extends RequestOptions {
  /** Registry directory; default `registryDirectory()` (honours FLIGHT_RECORDER_REGISTRY). */
  directory?: string;
}

/** A snapshot can take a while when the main thread is stuck (the watchdog answers). */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 15_000;
export const DEFAULT_STATUS_TIMEOUT_MS = 3_000;

/** Recorded processes of this user, stale entries skipped and cleaned. */
export async function listProcesses(options: ClientOptions = {}): Promise<RegistryEntry[]> {
  const listing: RegistryListing = await listRegistry(options.directory === undefined ? {} : { directory: options.directory });
  return listing.entries;
}

/**
 * How long a live process may take to appear in the registry: the recorder registers after
 * the program's first turn of the event loop (so a short program never pays for it), a few
 * hundred milliseconds after start on a busy machine.
 */
export const REGISTRATION_GRACE_MS = 2_000;
const REGISTRATION_POLL_MS = 50;

/** The registry entry of `pid`, or a ControlError saying it is not recorded. */
export async function findProcess(pid: number, options: ClientOptions = {}): Promise<RegistryEntry> {
  const deadline = Date.now() + REGISTRATION_GRACE_MS;
  for (;;) {
    const entry = (await listProcesses(options)).find((e) => e.pid === pid);
    if (entry) return entry;
    if (!isProcessAlive(pid)) throw new ControlError(`process ${pid} is not running`, 'no-socket');
    if (Date.now() >= deadline) {
      throw new ControlError(`process ${pid} is not recorded (no registry entry after ${REGISTRATION_GRACE_MS / 1000} s; is it running with the recorder, and has its main thread ever been idle?)`, 'no-socket');
    }
    await new Promise((resolve) => setTimeout(resolve, REGISTRATION_POLL_MS));
  }
}

function label(entry: RegistryEntry): string {
  return `process ${entry.pid} (${entry.programName})`;
}

async function ask<T>(target: number | RegistryEntry, options: ClientOptions, defaultAnswerMs: number, send: (entry: RegistryEntry, o: RequestOptions) => Promise<T>): Promise<T> {
  const entry = typeof target === 'number' ? await findProcess(target, options) : target;
  const requestOptions: RequestOptions = { answerTimeoutMs: options.answerTimeoutMs ?? defaultAnswerMs };
  if (options.connectTimeoutMs !== undefined) requestOptions.connectTimeoutMs = options.connectTimeoutMs;
  try {
    return await send(entry, requestOptions);
  } catch (error) {
    if (error instanceof ControlError) throw new ControlError(`${label(entry)}: ${error.message}`, error.code, error.remoteCode);
    throw error;
  }
}

export function status(target: number | RegistryEntry, options: ClientOptions = {}): Promise<RecorderStatus> {
  return ask(target, options, DEFAULT_STATUS_TIMEOUT_MS, async (entry, o) => {
    const answer = await controlRequest(entry.socket, { type: 'status' }, o);
    if (answer.type !== 'status') throw new ControlError(`answered "${answer.type}" to a status request`, 'bad-answer');
    return answer.status;
  });
}

export function live(target: number | RegistryEntry, options: ClientOptions = {}): Promise<LiveMetrics> {
  return ask(target, options, DEFAULT_STATUS_TIMEOUT_MS, async (entry, o) => {
    const answer = await controlRequest(entry.socket, { type: 'live' }, o);
    if (answer.type !== 'live') throw new ControlError(`answered "${answer.type}" to a live request`, 'bad-answer');
    return answer.metrics;
  });
}

export interface SnapshotRequest {
  reason?: string;
  /** Absolute directory (the recorded process has its own cwd). Default: the process's `out`. */
  out?: string;
  /** Who asks: `control` (default), `breakpoint`, `snapshotPoint`, ... */
  source?: string;
  location?: string;
}

export interface SnapshotResult {
  pid: number;
  path: string;
  bytes: number;
  events: number;
}

export function snapshot(target: number | RegistryEntry, request: SnapshotRequest = {}, options: ClientOptions = {}): Promise<SnapshotResult> {
  return ask(target, options, DEFAULT_SNAPSHOT_TIMEOUT_MS, async (entry, o) => {
    const body: { type: 'snapshot'; reason?: string; out?: string; source?: string; location?: string } = {
      type: 'snapshot',
      reason: request.reason ?? 'manual',
      source: request.source ?? 'control',
    };
    if (request.out !== undefined) body.out = request.out;
    if (request.location !== undefined) body.location = request.location;
    const answer = await controlRequest(entry.socket, body, o);
    if (answer.type !== 'snapshot' || typeof answer.path !== 'string') throw new ControlError(`answered "${answer.type}" to a snapshot request`, 'bad-answer');
    return { pid: entry.pid, path: answer.path, bytes: answer.bytes, events: answer.events };
  });
}
