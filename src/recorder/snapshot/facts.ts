// Facts about the process that every snapshot carries, gathered once on the recording thread
// (argv redacted) and handed to the watchdog, which cannot read another thread's `process`.
import { basename, extname } from 'node:path';
import { hostname } from 'node:os';
import { redactArgv } from '../redact';
import type { ResolvedOptions } from '../config';

export const RECORDER_VERSION = '0.1.0';

export interface ProcessFacts {
  pid: number;
  ppid: number;
  programName: string;
  argv: string[];
  execArgv: string[];
  nodeVersion: string;
  platform: string;
  arch: string;
  cwd: string;
  hostname: string;
  startTime: string;
}

/** `server` for `node server.js`, `node` for `node -e ...`. */
export function programNameOf(argv: readonly string[]): string {
  const script = argv[1];
  if (!script) return 'node';
  const name = basename(script);
  const ext = extname(name);
  return (ext ? name.slice(0, -ext.length) : name) || 'node';
}

export function gatherFacts(options: ResolvedOptions): ProcessFacts {
  let host = '';
  try {
    host = hostname();
  } catch {}
  const startEpochMs = Date.now() - process.uptime() * 1000;
  return {
    pid: process.pid,
    ppid: process.ppid,
    programName: programNameOf(process.argv),
    argv: redactArgv(process.argv, options.redact),
    execArgv: redactArgv(process.execArgv, options.redact),
    nodeVersion: process.version,
    platform: process.platform,
    arch: process.arch,
    cwd: safeCwd(),
    hostname: host,
    startTime: new Date(startEpochMs).toISOString(),
  };
}

function safeCwd(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}
