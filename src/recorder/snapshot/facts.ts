// Facts about the process that every snapshot carries, gathered once on the recording thread
// (argv redacted) and handed to the watchdog, which cannot read another thread's `process`.
// What the program may change later (argv, cwd) is taken at start-up (startFacts, a few
// copies); the rest, and the redaction, when first needed (gatherFacts), off the start-up path.
import { basename, extname } from 'node:path';
import { os } from '../lazy-builtins';
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

/** What the process looked like when the recorder started (a program may rewrite argv or chdir). */
export interface StartFacts {
  ppid: number;
  argv: string[];
  execArgv: string[];
  cwd: string;
}

export function startFacts(): StartFacts {
  return { ppid: process.ppid, argv: process.argv.slice(), execArgv: process.execArgv.slice(), cwd: safeCwd() };
}

export function gatherFacts(options: ResolvedOptions, start: StartFacts = startFacts()): ProcessFacts {
  let host = '';
  try {
    host = os().hostname();
  } catch {}
  const startEpochMs = Date.now() - process.uptime() * 1000;
  return {
    pid: process.pid,
    ppid: start.ppid,
    programName: programNameOf(start.argv),
    argv: redactArgv(start.argv, options.redact),
    execArgv: redactArgv(start.execArgv, options.redact),
    nodeVersion: process.version,
    platform: process.platform,
    arch: process.arch,
    cwd: start.cwd,
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
