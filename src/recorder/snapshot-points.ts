// Snapshot points, recorder side: a source location that captures a snapshot every time the
// program reaches it, and never pauses it.
//
// How: one in-process `inspector.Session` (node:inspector, no debugger client needed) enables
// the Debugger domain and sets `Debugger.setBreakpointByUrl` with a *condition*. V8 evaluates the
// condition on the main thread each time the line runs; it calls the hook below (which asks the
// recorder for a snapshot) and evaluates to `false`, so V8 never pauses. The same hook serves
// the editor's snapshot points set through a debugger (a logpoint whose message calls it) and
// the capture at a breakpoint stop (an `evaluate` in the paused frame).
//
// Cost: while at least one point is armed the Debugger domain is on. V8 then keeps debug
// information for scripts (Debugger.scriptParsed is dispatched to this session once per script
// compiled: a few µs each), and the function holding the point runs with a debug break check;
// each hit costs the condition's evaluation (~10-30 µs) plus the snapshot's main-thread copy
// (≤ a few ms for a full ring; the encoding and the write happen off the main thread). When the
// last point is disarmed the domain is disabled and the session closed: zero cost again.
//
// Limits: the location is the *generated* code V8 runs: a TypeScript file run through a
// transpiler maps only when the transpiler preserves lines. A line with no statement binds to
// the next statement V8 finds. Only the main thread is covered (workers have their own
// isolates). Captures from one point are skipped while its previous capture is still being
// taken, and a point stops capturing after MAX_CAPTURES_PER_POINT files (a point inside a hot
// loop must not fill the disk); disarming and re-arming starts a fresh count.
//
// Threads: `installSnapshotPoints` runs on the main thread (the hook must live where the code
// runs). `armSnapshotPoint` / `disarmSnapshotPoint` may be called on the main thread or on a
// worker (the watchdog serving the control channel): there the session connects to the main
// thread's inspector, so arming works while the main thread is busy. A point lives as long as
// the session that set it, i.e. as long as that thread: the watchdog lives while recording.
//
// Never throws into the program: every entry point catches, the hook is wrapped, the session
// is unref'd by nature (an in-process session keeps nothing alive).
import type * as Inspector from 'node:inspector';
import { pathToFileURL } from 'node:url';
import { inspector, workerThreads } from './lazy-builtins';

/** The global (symbol-keyed, non-enumerable) through which conditions reach the recorder. */
export const SNAPSHOT_POINT_HOOK = 'node-flight-recorder.snapshotPoint';
export const MAX_CAPTURES_PER_POINT = 100;

/** What asked for the capture, as the snapshot's `trigger.source` tells. */
export type PointSource = 'snapshotPoint' | 'breakpoint';

/**
 * Takes a snapshot (core's pipeline). Returns a promise of the file path, or anything else
 * when the pipeline answers synchronously; throwing or rejecting means "not taken".
 */
export type PointCapture = (request: { reason: string; source: PointSource; location: string }) => unknown;

export type ArmResult = { ok: true; locations: number } | { ok: false; error: string };

interface PointState {
  inFlight: boolean;
  captured: number;
  skipped: number;
}

interface ArmedPoint {
  breakpointId: string;
  location: string;
}

let capture: PointCapture | undefined;
const points = new Map<string, PointState>();
const armed = new Map<string, ArmedPoint>();
let session: Inspector.Session | undefined;

function stateOf(location: string): PointState {
  let state = points.get(location);
  if (!state) {
    state = { inFlight: false, captured: 0, skipped: 0 };
    points.set(location, state);
  }
  return state;
}

/**
 * Called from conditions, logpoints and paused-frame evaluations. Returns a short text the
 * debugger shows (a logpoint prints it in the Debug Console). Never throws.
 */
function hit(location: unknown, source: unknown): string {
  try {
    const where = typeof location === 'string' ? location.slice(0, 1024) : 'unknown';
    const from: PointSource = source === 'breakpoint' ? 'breakpoint' : 'snapshotPoint';
    if (!capture) return 'Flight Recorder is not recording in this process';
    // A breakpoint stop is one deliberate capture; only snapshot points are rate-limited.
    const state = from === 'snapshotPoint' ? stateOf(where) : undefined;
    if (state) {
      if (state.captured >= MAX_CAPTURES_PER_POINT) return `snapshot point reached its limit of ${MAX_CAPTURES_PER_POINT} snapshots`;
      if (state.inFlight) {
        state.skipped++;
        return 'snapshot skipped: the previous one from this point is still being written';
      }
      state.inFlight = true;
      state.captured++;
    }
    const done = (): void => {
      if (state) state.inFlight = false;
    };
    let result: unknown;
    try {
      result = capture({ reason: from === 'breakpoint' ? `breakpoint ${where}` : `snapshot point ${where}`, source: from, location: where });
    } catch (error) {
      done();
      return `snapshot failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(done, done);
      return `capturing snapshot #${state?.captured ?? 1} (${where})`;
    }
    done();
    return typeof result === 'string' ? `snapshot written: ${result}` : `snapshot taken (${where})`;
  } catch {
    return 'snapshot failed';
  }
}

/**
 * Connects the points to core's snapshot pipeline and publishes the hook. Called once by the
 * recorder when recording starts; calling it again replaces the capture.
 */
export function installSnapshotPoints(pipeline: PointCapture): void {
  try {
    capture = pipeline;
    const holder = globalThis as unknown as Record<symbol, unknown>;
    const key = Symbol.for(SNAPSHOT_POINT_HOOK);
    if (typeof holder[key] !== 'function') {
      Object.defineProperty(globalThis, key, { value: hit, enumerable: false, configurable: true, writable: false });
    }
  } catch {}
}

/** Removes the hook and every armed point (recording stopped). */
export function uninstallSnapshotPoints(): void {
  try {
    capture = undefined;
    for (const key of [...armed.keys()]) disarmByKey(key);
    delete (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(SNAPSHOT_POINT_HOOK)];
    points.clear();
  } catch {}
}

/** The condition V8 evaluates at the point: calls the hook, is always false. */
export function conditionFor(location: string): string {
  // ASCII only: from the watchdog thread the condition crosses threads through the inspector,
  // which rejects non-ASCII characters in messages.
  const literal = JSON.stringify(location).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `(function(){try{var h=globalThis[Symbol.for(${JSON.stringify(SNAPSHOT_POINT_HOOK)})];if(typeof h==='function')h(${literal},'snapshotPoint');}catch(e){}return false;})()`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches the script whether V8 names it by path (CommonJS) or by file URL (ESM, Node ≥ 20 CJS). */
export function urlRegexFor(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return `^${escapeRegExp(url)}$`;
  let fileUrl = url;
  try {
    fileUrl = pathToFileURL(url).href;
  } catch {}
  return `^(?:${escapeRegExp(url)}|${escapeRegExp(fileUrl)})$`;
}

function keyOf(url: string, lineNumber: number): string {
  return `${url}:${lineNumber}`;
}

function post<T>(method: string, params: object): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      (session as Inspector.Session).post(method, params, (error, result) => (error ? reject(error) : resolve(result as T)));
    } catch (error) {
      reject(error);
    }
  });
}

async function ensureSession(): Promise<void> {
  if (session) return;
  const opened = new (inspector().Session)();
  // From the watchdog thread (which serves the control channel) the points go into the main
  // thread's isolate; the conditions still run on the main thread, where the hook lives.
  if (workerThreads().isMainThread) opened.connect();
  else opened.connectToMainThread();
  session = opened;
  try {
    await post('Debugger.enable', {});
  } catch (error) {
    closeSession();
    throw error;
  }
}

function closeSession(): void {
  const current = session;
  session = undefined;
  try {
    current?.disconnect();
  } catch {}
}

/**
 * Arms a snapshot point. `url` is an absolute file path or a file:// URL; `lineNumber` and
 * `columnNumber` are 1-based, as editors show them. Arming the same line again replaces it.
 * Resolves with how many loaded scripts it bound to (0 = bound later, when the script loads).
 * Never rejects.
 */
export async function armSnapshotPoint(url: string, lineNumber: number, columnNumber?: number): Promise<ArmResult> {
  try {
    if (typeof url !== 'string' || url === '') return { ok: false, error: 'url must be a file path or file:// URL' };
    if (!Number.isInteger(lineNumber) || lineNumber < 1) return { ok: false, error: 'lineNumber must be an integer ≥ 1 (1-based)' };
    if (columnNumber !== undefined && (!Number.isInteger(columnNumber) || columnNumber < 1)) return { ok: false, error: 'columnNumber must be an integer ≥ 1 (1-based)' };
    if (workerThreads().isMainThread && !capture) return { ok: false, error: 'the recorder is not recording in this process' };
    const key = keyOf(url, lineNumber);
    if (armed.has(key)) await disarmSnapshotPoint(url, lineNumber);
    await ensureSession();
    const location = `${url.replace(/^file:\/\//, '')}:${lineNumber}`;
    const params: Record<string, unknown> = { urlRegex: urlRegexFor(url), lineNumber: lineNumber - 1, condition: conditionFor(location) };
    if (columnNumber !== undefined) params.columnNumber = columnNumber - 1;
    const result = await post<{ breakpointId: string; locations: unknown[] }>('Debugger.setBreakpointByUrl', params);
    armed.set(key, { breakpointId: result.breakpointId, location });
    points.delete(location); // a fresh count for a fresh point
    return { ok: true, locations: result.locations.length };
  } catch (error) {
    if (armed.size === 0) closeSession();
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function disarmByKey(key: string): Promise<void> {
  const point = armed.get(key);
  if (!point) return Promise.resolve();
  armed.delete(key);
  const removal = session ? post('Debugger.removeBreakpoint', { breakpointId: point.breakpointId }).catch(() => undefined) : Promise.resolve();
  return removal.then(() => {
    if (armed.size === 0) closeSession();
  });
}

/** Removes the point at this url and 1-based line. Resolves whether or not one was armed. Never rejects. */
export async function disarmSnapshotPoint(url: string, lineNumber: number): Promise<{ ok: true; removed: boolean }> {
  try {
    const key = keyOf(url, lineNumber);
    const removed = armed.has(key);
    await disarmByKey(key);
    return { ok: true, removed };
  } catch {
    return { ok: true, removed: false };
  }
}

/** Armed points with their counts (for status and tests). */
export function armedSnapshotPoints(): Array<{ location: string; captured: number; skipped: number }> {
  return [...armed.values()].map(({ location }) => {
    const state = points.get(location);
    return { location, captured: state?.captured ?? 0, skipped: state?.skipped ?? 0 };
  });
}
