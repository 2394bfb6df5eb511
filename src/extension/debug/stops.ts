// Which debugger stops take a snapshot, and the expressions evaluated in the paused program.
// Pure (no vscode import): unit-tested.

export type SnapshotOnBreakpoint = 'always' | 'snapshotPoints' | 'off';

/**
 * DAP `stopped` reasons that mean "the program reached a place someone marked": breakpoints of
 * every kind and exceptions the user asked to break on. Steps, pauses (the pause button) and
 * entry stops are not: a snapshot per step would bury the one that matters.
 */
const BREAKPOINT_REASONS = new Set(['breakpoint', 'function breakpoint', 'data breakpoint', 'instruction breakpoint', 'exception']);

export function capturesAtStop(reason: string | undefined, mode: SnapshotOnBreakpoint): boolean {
  if (mode !== 'always') return false; // snapshot points never stop; they capture in the program
  return reason !== undefined && BREAKPOINT_REASONS.has(reason);
}

export function parseMode(value: unknown): SnapshotOnBreakpoint {
  return value === 'snapshotPoints' || value === 'off' ? value : 'always';
}

/** The global hook the recorder publishes (src/recorder/snapshot-points.ts). */
export const HOOK_KEY = 'node-flight-recorder.snapshotPoint';

/**
 * Evaluated in the paused frame: the debuggee's pid and whether the recorder is loaded. A
 * string result (JSON) because DAP returns values as display text.
 */
export const PROBE_EXPRESSION = `JSON.stringify({ pid: process.pid, recorder: typeof globalThis[Symbol.for(${JSON.stringify(HOOK_KEY)})] === 'function', main: (() => { try { const load = typeof require === 'function' ? require : process.getBuiltinModule; return load ? load('node:worker_threads').isMainThread : true; } catch { return true; } })() })`;

/** Evaluated in the paused frame: the recorder takes the snapshot in-process. */
export function captureExpression(location: string): string {
  return `globalThis[Symbol.for(${JSON.stringify(HOOK_KEY)})](${JSON.stringify(location)}, 'breakpoint')`;
}

export interface Probe {
  pid: number;
  recorder: boolean;
  /** False in a worker thread's session (js-debug runs one per worker, the recorder's own included). */
  main: boolean;
}

/** DAP gives a string result as its display text: `'{"pid":1}'` or `"{\"pid\":1}"`. */
export function parseProbe(result: string | undefined): Probe | undefined {
  if (!result) return undefined;
  let text = result.trim();
  for (let i = 0; i < 2 && !text.startsWith('{'); i++) {
    try {
      if (text.startsWith("'") && text.endsWith("'")) text = JSON.parse(`"${text.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
      else text = JSON.parse(text) as string;
    } catch {
      return undefined;
    }
    if (typeof text !== 'string') return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<Probe>;
    if (typeof value.pid !== 'number') return undefined;
    return { pid: value.pid, recorder: value.recorder === true, main: value.main !== false };
  } catch {
    return undefined;
  }
}

/**
 * `file:line` as the snapshot's `trigger.location`. A source given as a URI (`file://`, or
 * `vscode-remote://host/...` when the editor runs remotely, as code-server does) is shown as
 * its path, so the location reads the same everywhere.
 */
export function stopLocation(sourcePath: string | undefined, sourceName: string | undefined, line: number): string {
  let file = sourcePath ?? sourceName ?? 'unknown';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
    try {
      file = decodeURIComponent(new URL(file).pathname);
    } catch {}
  }
  return `${file}:${line}`;
}
