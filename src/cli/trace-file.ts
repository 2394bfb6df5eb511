// Reads a trace file for `summary` and `validate`: refuses what cannot be read in bounded
// memory before reading it, and turns every failure into one clear CommandError.
import * as fs from 'node:fs';
import { parseTraceText, type ParseResult } from '../format/read';
import { CommandError } from './errors';
import { formatBytes } from './units';

/**
 * JSON.parse needs several times a file's size in memory, and V8 strings stop near 512 MiB;
 * past this size the CLI says so instead of running out of memory.
 */
export const MAX_TRACE_FILE_BYTES = 256 * 1024 * 1024;

export function readTraceText(file: string, maxBytes = MAX_TRACE_FILE_BYTES): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new CommandError(describeFsError(file, error));
  }
  if (stat.isDirectory()) throw new CommandError(`${file} is a directory, not a trace file`);
  if (!stat.isFile()) throw new CommandError(`${file} is not a regular file`);
  if (stat.size > maxBytes) {
    throw new CommandError(`${file} is ${formatBytes(stat.size)}, larger than the ${formatBytes(maxBytes)} this command reads; take a snapshot with a smaller --max-bytes, or open it in Perfetto UI (ui.perfetto.dev), which streams large traces`);
  }
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(describeFsError(file, error));
  }
}

function describeFsError(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${file}: no such file`;
  if (code === 'EACCES' || code === 'EPERM') return `${file}: permission denied`;
  if (code === 'EISDIR') return `${file} is a directory, not a trace file`;
  return `${file}: cannot read (${(error as Error).message})`;
}

/** Reads and parses; a parse failure is a CommandError with the reader's message. */
export function loadTrace(file: string): Extract<ParseResult, { kind: string }> {
  const result = parseTraceText(readTraceText(file), file);
  if ('error' in result) throw new CommandError(result.error);
  return result;
}
