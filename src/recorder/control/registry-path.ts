// Where recorded processes register: one directory per user, mode 0700, holding
// `<pid>.json` (RegistryEntry) and `<pid>.sock` (the control socket) for each process.
// Shared by the recorder (writes) and the CLI / extension (read).
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { os } from '../lazy-builtins';

export const REGISTRY_ENV = 'FLIGHT_RECORDER_REGISTRY';

function uid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/**
 * The registry directory: `$FLIGHT_RECORDER_REGISTRY` if set, else
 * `$XDG_RUNTIME_DIR/node-flight-recorder`, else `<os.tmpdir()>/node-flight-recorder-<uid>`.
 * Pure: creates nothing (see ensureRegistryDirectory).
 */
export function registryDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[REGISTRY_ENV];
  if (override) return override;
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'node-flight-recorder');
  return join(os().tmpdir(), `node-flight-recorder-${uid() ?? (env.USERNAME || env.USER || 'user')}`);
}

/**
 * Creates the directory (0700) if missing and checks it is safe to use: a real directory (not
 * a symlink) owned by this user, not writable by others. An own directory with looser
 * permissions is tightened; anything else is refused with an Error saying why.
 */
export function ensureRegistryDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const dir = registryDirectory(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`);
  const me = uid();
  if (me !== undefined && stat.uid !== me) throw new Error(`${dir} belongs to another user (uid ${stat.uid})`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

export function registryEntryPath(dir: string, pid: number): string {
  return join(dir, `${pid}.json`);
}

export function registrySocketPath(dir: string, pid: number): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\node-flight-recorder-${pid}`;
  return join(dir, `${pid}.sock`);
}
