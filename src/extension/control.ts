// The extension's view of the control channel: recorded processes of this user, their status,
// live metrics and snapshots. Implemented over the project's Node client (src/client), which
// the CLI shares; this file is the only place the extension touches it. The client (and with
// it `node:net`) is loaded on the first request, not at activation.
import type { SnapshotRequest } from '../client/index';
import { ensureRegistryDirectory, registryDirectory } from '../recorder/control/registry-path';
import type { LiveMetrics, RecorderStatus, RegistryEntry } from '../format/control';

export interface SnapshotResult {
  path: string;
  bytes: number;
  events: number;
}

export interface ControlPort {
  list(): Promise<RegistryEntry[]>;
  status(pid: number): Promise<RecorderStatus>;
  live(pid: number): Promise<LiveMetrics>;
  snapshot(pid: number, options: { reason: string; out?: string; source?: string; location?: string }): Promise<SnapshotResult>;
  /** Directory the recorded processes register in (watched for changes). */
  registryDirectory(): string;
}

/** The ControlPort over src/client; every call is time-bounded there. */
export function createControlPort(): ControlPort {
  const client = () => import('../client/index');
  return {
    list: async () => (await client()).listProcesses(),
    status: async (pid) => (await client()).status(pid),
    live: async (pid) => (await client()).live(pid),
    snapshot: async (pid, options) => {
      const request: SnapshotRequest = { reason: options.reason };
      if (options.out !== undefined) request.out = options.out;
      if (options.source !== undefined) request.source = options.source;
      if (options.location !== undefined) request.location = options.location;
      return (await client()).snapshot(pid, request);
    },
    registryDirectory: () => {
      try {
        return ensureRegistryDirectory();
      } catch {
        return registryDirectory();
      }
    },
  };
}
