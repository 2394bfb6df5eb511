// Maps a generated location (a bundled or compiled file's line and column) to its original
// source through the `//# sourceMappingURL` comment of that file, with Node's own source map
// parser (node:module SourceMap). Pure Node: unit-tested without VS Code.
import * as fs from 'node:fs/promises';
import { SourceMap, type SourceMapPayload } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SourceLocation {
  /** Absolute path. */
  file: string;
  /** 1-based. */
  lineNumber: number;
  /** 1-based. */
  columnNumber: number;
}

const MAX_MAP_BYTES = 64 * 1024 * 1024;
/** Only the file's tail is searched for the comment (it must be the last one). */
const TAIL_BYTES = 64 * 1024;

async function readTail(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The payload named by the file's last sourceMappingURL comment, and the directory its sources are relative to. */
async function loadMap(file: string): Promise<{ payload: SourceMapPayload; baseDir: string } | undefined> {
  const tail = await readTail(file);
  const matches = [...tail.matchAll(/\/[/*][#@]\s*sourceMappingURL=([^\s*'"]+)/g)];
  const reference = matches.at(-1)?.[1];
  if (!reference) return undefined;
  let text: string;
  let baseDir = path.dirname(file);
  const inline = /^data:application\/json(?:;charset=[^;,]+)?(;base64)?,(.*)$/i.exec(reference);
  if (inline) {
    text = inline[1] ? Buffer.from(inline[2] ?? '', 'base64').toString('utf8') : decodeURIComponent(inline[2] ?? '');
  } else {
    const mapFile = reference.startsWith('file:') ? fileURLToPath(reference) : path.resolve(baseDir, decodeURIComponent(reference));
    const stat = await fs.stat(mapFile);
    if (stat.size > MAX_MAP_BYTES) return undefined;
    text = await fs.readFile(mapFile, 'utf8');
    baseDir = path.dirname(mapFile);
  }
  const payload = JSON.parse(text) as SourceMapPayload;
  if (!payload || !Array.isArray(payload.sources) || typeof payload.mappings !== 'string') return undefined;
  return { payload, baseDir };
}

function resolveSource(source: string, sourceRoot: string | undefined, baseDir: string): string {
  if (source.startsWith('file:')) return fileURLToPath(source);
  // webpack://name/./src/x.ts and similar: keep the path part.
  const schemeless = source.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '');
  const root = sourceRoot ? (sourceRoot.startsWith('file:') ? fileURLToPath(sourceRoot) : path.resolve(baseDir, sourceRoot)) : baseDir;
  return path.resolve(root, schemeless);
}

/**
 * The original location of `location`, or undefined when the file has no source map, the map
 * has no entry there, or the original file does not exist on disk.
 */
export async function mapToOriginal(location: SourceLocation): Promise<SourceLocation | undefined> {
  let loaded: Awaited<ReturnType<typeof loadMap>>;
  try {
    loaded = await loadMap(location.file);
  } catch {
    return undefined;
  }
  if (!loaded) return undefined;
  const map = new SourceMap(loaded.payload);
  const entry = map.findEntry(Math.max(0, location.lineNumber - 1), Math.max(0, location.columnNumber - 1)) as Partial<{
    originalSource: string;
    originalLine: number;
    originalColumn: number;
  }>;
  if (!entry || typeof entry.originalSource !== 'string' || typeof entry.originalLine !== 'number') return undefined;
  const file = resolveSource(entry.originalSource, loaded.payload.sourceRoot, loaded.baseDir);
  try {
    await fs.access(file);
  } catch {
    return undefined;
  }
  return { file, lineNumber: entry.originalLine + 1, columnNumber: (entry.originalColumn ?? 0) + 1 };
}
