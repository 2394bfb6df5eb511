// The snapshot validator: collects every invariant violation with the index of the event that
// breaks it (index null for file-level problems), the way Go's trace validator does. Strict mode
// checks our own files (metadata, window, categories); lenient mode checks only what any Chrome
// trace must satisfy, so traces from `node --trace-events-enabled` or Chrome validate too.
import { CATEGORIES, PHASES, type Phase } from './trace-event';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './snapshot';
import { isJsonObject } from './json-object';

export interface Violation {
  /** Index in `traceEvents` (or in the top-level array), null for file-level problems. */
  index: number | null;
  /** Where inside the event or file, e.g. `dur`, `args.data.timeDeltas`, `metadata.window`. */
  path: string;
  message: string;
}

export interface ValidateOptions {
  /**
   * `auto` (default): strict when `metadata.format` is ours, lenient otherwise.
   * `strict`: our snapshot contract. `lenient`: any Chrome trace.
   */
  mode?: 'auto' | 'strict' | 'lenient';
  /** Stop collecting after this many (a corrupt 1 M-event file would list millions). Default: no limit. */
  maxViolations?: number;
}

/** Timestamps are rounded to 0.001 µs by some writers; allow that much slack at window edges. */
const WINDOW_SLACK_US = 1;
const PHASE_SET: ReadonlySet<string> = new Set(PHASES);
const CATEGORY_SET: ReadonlySet<string> = new Set(CATEGORIES);
/** Categories other tools put on events we also accept in our files (DevTools' profiler, M events). */
const FOREIGN_CATEGORIES: ReadonlySet<string> = new Set(['__metadata', 'disabled-by-default-v8.cpu_profiler']);
const METADATA_NAMES: ReadonlySet<string> = new Set([
  'process_name', 'thread_name', 'thread_sort_index', 'process_sort_index', 'process_labels', 'process_uptime_seconds',
]);

class Collector {
  readonly violations: Violation[] = [];
  constructor(private readonly max: number) {}
  get full(): boolean {
    return this.violations.length >= this.max;
  }
  add(index: number | null, path: string, message: string): void {
    if (this.violations.length < this.max) this.violations.push({ index, path, message });
  }
}

type Json = Record<string, unknown>;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);
const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value === 'object' ? 'an object' : String(value);

/** Validates a parsed snapshot or Chrome trace; an empty result means valid. */
export function validateSnapshot(value: unknown, options: ValidateOptions = {}): Violation[] {
  const out = new Collector(options.maxViolations ?? Number.POSITIVE_INFINITY);
  let events: unknown[];
  let metadata: unknown;
  if (Array.isArray(value)) {
    events = value;
  } else if (isJsonObject(value)) {
    if (!Array.isArray(value.traceEvents)) {
      out.add(null, 'traceEvents', `traceEvents must be an array of events, found ${describe(value.traceEvents)}`);
      return out.violations;
    }
    events = value.traceEvents;
    metadata = value.metadata;
    if (value.displayTimeUnit !== undefined && value.displayTimeUnit !== 'ms' && value.displayTimeUnit !== 'ns') {
      out.add(null, 'displayTimeUnit', `displayTimeUnit must be "ms" or "ns", found ${describe(value.displayTimeUnit)}`);
    }
  } else {
    out.add(null, '', `a trace is an object with traceEvents or an array of events, found ${describe(value)}`);
    return out.violations;
  }

  const ours = isJsonObject(metadata) && metadata.format === SNAPSHOT_FORMAT;
  const strict = options.mode === 'strict' || (options.mode !== 'lenient' && ours);
  if (strict && Array.isArray(value)) out.add(null, '', 'a snapshot is an object { traceEvents, metadata }, found an array');
  const window = strict ? validateMetadata(metadata, out) : undefined;
  validateEvents(events, strict, window, out);
  return out.violations;
}

/** Checks `metadata`; returns the window when it is usable for the per-event check. */
function validateMetadata(metadata: unknown, out: Collector): { startTs: number; endTs: number } | undefined {
  if (!isJsonObject(metadata)) {
    out.add(null, 'metadata', `metadata must be an object, found ${describe(metadata)}`);
    return undefined;
  }
  const need = (key: string, ok: (v: unknown) => boolean, what: string, optional = false) => {
    const v = metadata[key];
    if (v === undefined && optional) return;
    if (!ok(v)) out.add(null, `metadata.${key}`, `metadata.${key} must be ${what}, found ${v === undefined ? 'nothing' : describe(v)}`);
  };
  if (metadata.format !== SNAPSHOT_FORMAT) out.add(null, 'metadata.format', `metadata.format must be "${SNAPSHOT_FORMAT}", found ${describe(metadata.format)}`);
  if (metadata.version !== SNAPSHOT_VERSION) {
    const newer = isInteger(metadata.version) && (metadata.version as number) > SNAPSHOT_VERSION;
    out.add(null, 'metadata.version', newer
      ? `metadata.version ${metadata.version} is newer than this reader (${SNAPSHOT_VERSION}); update Node Flight Recorder`
      : `metadata.version must be ${SNAPSHOT_VERSION}, found ${describe(metadata.version)}`);
  }
  const isString = (v: unknown) => typeof v === 'string';
  const isStringArray = (v: unknown) => Array.isArray(v) && v.every(isString);
  need('pid', isInteger, 'an integer');
  need('ppid', isInteger, 'an integer', true);
  need('programName', isString, 'a string');
  need('argv', isStringArray, 'an array of strings');
  need('execArgv', isStringArray, 'an array of strings', true);
  need('nodeVersion', isString, 'a string');
  need('platform', isString, 'a string');
  need('startTime', isString, 'an ISO date string', true);
  need('droppedEvents', (v) => isInteger(v) && (v as number) >= 0, 'an integer ≥ 0');
  need('config', isJsonObject, 'an object', true);
  if (metadata.clockSync !== undefined) {
    const sync = metadata.clockSync;
    if (!isJsonObject(sync) || !isFiniteNumber(sync.ts) || !isFiniteNumber(sync.epochMs)) {
      out.add(null, 'metadata.clockSync', 'metadata.clockSync must be { ts: number, epochMs: number }');
    }
  }
  if (metadata.recorder !== undefined) {
    const rec = metadata.recorder;
    if (!isJsonObject(rec) || typeof rec.version !== 'string' || !isFiniteNumber(rec.maxBytes) || !isFiniteNumber(rec.minAgeMs)) {
      out.add(null, 'metadata.recorder', 'metadata.recorder must be { version: string, maxBytes: number, minAgeMs: number, ... }');
    }
  }

  let window: { startTs: number; endTs: number } | undefined;
  const w = metadata.window;
  if (!isJsonObject(w) || !isFiniteNumber(w.startTs) || !isFiniteNumber(w.endTs)) {
    out.add(null, 'metadata.window', 'metadata.window must be { startTs: number, endTs: number } (µs)');
  } else if (w.startTs > w.endTs) {
    out.add(null, 'metadata.window', `metadata.window starts after it ends (${w.startTs} > ${w.endTs})`);
  } else {
    window = { startTs: w.startTs, endTs: w.endTs };
  }

  const trigger = metadata.trigger;
  if (!isJsonObject(trigger)) {
    out.add(null, 'metadata.trigger', `metadata.trigger must be an object, found ${describe(trigger)}`);
  } else {
    if (typeof trigger.reason !== 'string') out.add(null, 'metadata.trigger.reason', 'metadata.trigger.reason must be a string');
    if (typeof trigger.source !== 'string') out.add(null, 'metadata.trigger.source', 'metadata.trigger.source must be a string');
    if (!isFiniteNumber(trigger.ts)) out.add(null, 'metadata.trigger.ts', 'metadata.trigger.ts must be a number (µs)');
    else if (window && (trigger.ts < window.startTs - WINDOW_SLACK_US || trigger.ts > window.endTs + WINDOW_SLACK_US)) {
      out.add(null, 'metadata.trigger.ts', `metadata.trigger.ts ${trigger.ts} is outside the window [${window.startTs}, ${window.endTs}]`);
    }
    for (const key of ['rule', 'location'] as const) {
      if (trigger[key] !== undefined && typeof trigger[key] !== 'string') out.add(null, `metadata.trigger.${key}`, `metadata.trigger.${key} must be a string`);
    }
    for (const key of ['value', 'threshold'] as const) {
      if (trigger[key] !== undefined && !isFiniteNumber(trigger[key])) out.add(null, `metadata.trigger.${key}`, `metadata.trigger.${key} must be a number`);
    }
  }
  return window;
}

interface ProfileState {
  /** Index of the `Profile` header, or -1 while only chunks were seen. */
  headerIndex: number;
  nodeIds: Set<number>;
}

function validateEvents(events: unknown[], strict: boolean, window: { startTs: number; endTs: number } | undefined, out: Collector): void {
  // Open async spans per (pid, cat, id) and sync B/E stacks per (pid, tid).
  const openAsync = new Map<string, number>();
  const openSync = new Map<string, number>();
  const profiles = new Map<string, ProfileState>();
  const chunks: { index: number; key: string; event: Json }[] = [];

  for (let index = 0; index < events.length && !out.full; index++) {
    const event = events[index];
    if (!isJsonObject(event)) {
      out.add(index, '', `an event must be an object, found ${describe(event)}`);
      continue;
    }
    const ph = event.ph;
    if (typeof ph !== 'string' || !PHASE_SET.has(ph)) {
      out.add(index, 'ph', `unknown phase ${describe(ph)} (expected one of ${PHASES.join(' ')})`);
      continue;
    }
    const phase = ph as Phase;
    if (typeof event.name !== 'string') out.add(index, 'name', `name must be a string, found ${describe(event.name)}`);
    if (event.cat !== undefined && typeof event.cat !== 'string') out.add(index, 'cat', `cat must be a string, found ${describe(event.cat)}`);
    if (strict && typeof event.cat === 'string' && !CATEGORY_SET.has(event.cat) && !FOREIGN_CATEGORIES.has(event.cat)) {
      out.add(index, 'cat', `unknown category "${event.cat}" (see docs/trace-format.md)`);
    }
    if (strict && event.cat === undefined && phase !== 'M') out.add(index, 'cat', 'cat is missing');
    const hasTs = isFiniteNumber(event.ts);
    if (!hasTs && (phase !== 'M' || event.ts !== undefined || strict)) out.add(index, 'ts', `ts must be a finite number (µs), found ${event.ts === undefined ? 'nothing' : describe(event.ts)}`);
    for (const key of ['pid', 'tid'] as const) {
      const v = event[key];
      const ok = strict ? isInteger(v) : isInteger(v) || typeof v === 'string' || (v === undefined && phase === 'M');
      if (!ok) out.add(index, key, `${key} must be an integer, found ${v === undefined ? 'nothing' : describe(v)}`);
    }
    if (phase === 'X') {
      if (!isFiniteNumber(event.dur) || event.dur < 0) out.add(index, 'dur', `a complete event needs dur ≥ 0 (µs), found ${event.dur === undefined ? 'nothing' : describe(event.dur)}`);
    } else if (event.dur !== undefined && (!isFiniteNumber(event.dur) || event.dur < 0)) {
      out.add(index, 'dur', `dur must be a number ≥ 0, found ${describe(event.dur)}`);
    }
    if (event.tdur !== undefined && (!isFiniteNumber(event.tdur) || event.tdur < 0)) out.add(index, 'tdur', `tdur must be a number ≥ 0, found ${describe(event.tdur)}`);
    if (event.args !== undefined && !isJsonObject(event.args)) out.add(index, 'args', `args must be an object, found ${describe(event.args)}`);
    if (event.s !== undefined && event.s !== 'g' && event.s !== 'p' && event.s !== 't') out.add(index, 's', `instant scope must be "g", "p" or "t", found ${describe(event.s)}`);

    const hasId = typeof event.id === 'string' || isFiniteNumber(event.id) || isJsonObject(event.id2);
    const idText = typeof event.id === 'string' || isFiniteNumber(event.id) ? String(event.id) : isJsonObject(event.id2) ? JSON.stringify(event.id2) : '';
    switch (phase) {
      case 'b':
      case 'e':
      case 'n': {
        if (!hasId) { out.add(index, 'id', `an async event ("${phase}") needs an id`); break; }
        if (phase === 'n') break;
        const key = `${String(event.pid)}\u0000${String(event.cat ?? '')}\u0000${idText}`;
        if (phase === 'b') {
          openAsync.set(key, (openAsync.get(key) ?? 0) + 1);
        } else {
          const open = openAsync.get(key) ?? 0;
          if (open === 0) out.add(index, 'id', `async end without a begin (cat "${String(event.cat ?? '')}", id ${idText})`);
          else if (open === 1) openAsync.delete(key);
          else openAsync.set(key, open - 1);
        }
        break;
      }
      case 'B':
      case 'E': {
        const key = `${String(event.pid)}\u0000${String(event.tid)}`;
        const open = openSync.get(key) ?? 0;
        if (phase === 'B') openSync.set(key, open + 1);
        else if (open === 0) out.add(index, 'ph', `"E" without a matching "B" on pid ${String(event.pid)} tid ${String(event.tid)}`);
        else openSync.set(key, open - 1);
        break;
      }
      case 's':
      case 't':
      case 'f':
        if (!hasId) out.add(index, 'id', `a flow event ("${phase}") needs an id`);
        break;
      case 'C':
        validateCounter(index, event, out);
        break;
      case 'M':
        if (strict && typeof event.name === 'string' && !METADATA_NAMES.has(event.name)) out.add(index, 'name', `unknown metadata event "${event.name}"`);
        if ((event.name === 'process_name' || event.name === 'thread_name') && !(isJsonObject(event.args) && typeof event.args.name === 'string')) {
          out.add(index, 'args.name', `${event.name} needs args.name (a string)`);
        }
        break;
      case 'P':
        if (event.name === 'Profile' || event.name === 'ProfileChunk') {
          if (!hasId) { out.add(index, 'id', `${event.name} needs an id`); break; }
          const key = `${String(event.pid)}\u0000${idText}`;
          if (event.name === 'Profile') {
            const data = isJsonObject(event.args) ? event.args.data : undefined;
            if (!isJsonObject(data) || !isFiniteNumber(data.startTime)) out.add(index, 'args.data.startTime', 'Profile needs args.data.startTime (µs)');
            const state = profiles.get(key);
            if (state && state.headerIndex >= 0) out.add(index, 'id', `a second Profile with id ${idText} (first at event ${state.headerIndex})`);
            else if (state) state.headerIndex = index;
            else profiles.set(key, { headerIndex: index, nodeIds: new Set() });
          } else {
            chunks.push({ index, key, event });
          }
        }
        break;
      default:
        break;
    }
    if (window && hasTs && phase !== 'M') {
      const ts = event.ts as number;
      if (ts < window.startTs - WINDOW_SLACK_US || ts > window.endTs + WINDOW_SLACK_US) {
        out.add(index, 'ts', `ts ${ts} is outside the window [${window.startTs}, ${window.endTs}]`);
      } else if (phase === 'X' && isFiniteNumber(event.dur) && ts + event.dur > window.endTs + WINDOW_SLACK_US) {
        out.add(index, 'dur', `ends at ${ts + event.dur}, after the window's end ${window.endTs}`);
      }
    }
  }
  // Chunks are checked after every header was seen: a writer may put the header anywhere.
  for (const chunk of chunks) {
    if (out.full) break;
    const state = profiles.get(chunk.key);
    if (!state || state.headerIndex < 0) {
      out.add(chunk.index, 'id', `ProfileChunk with id ${String(chunk.event.id)} has no Profile event`);
      if (!state) profiles.set(chunk.key, { headerIndex: -1, nodeIds: new Set() });
    }
    validateProfileChunk(chunk.index, chunk.event, profiles.get(chunk.key)!, out);
  }
}

function validateCounter(index: number, event: Json, out: Collector): void {
  if (!isJsonObject(event.args) || Object.keys(event.args).length === 0) {
    out.add(index, 'args', 'a counter needs args with at least one numeric series');
    return;
  }
  for (const [key, v] of Object.entries(event.args)) {
    if (!isFiniteNumber(v)) out.add(index, `args.${key}`, `counter series "${key}" must be a finite number, found ${describe(v)}`);
  }
}

/** DevTools' chunk shape: args.data = { cpuProfile: { nodes, samples }, timeDeltas }. */
function validateProfileChunk(index: number, event: Json, state: ProfileState, out: Collector): void {
  const data = isJsonObject(event.args) ? event.args.data : undefined;
  if (!isJsonObject(data)) { out.add(index, 'args.data', 'ProfileChunk needs args.data'); return; }
  const profile = data.cpuProfile;
  if (profile !== undefined && !isJsonObject(profile)) { out.add(index, 'args.data.cpuProfile', 'cpuProfile must be an object'); return; }
  const nodes = profile?.nodes;
  if (nodes !== undefined) {
    if (!Array.isArray(nodes)) out.add(index, 'args.data.cpuProfile.nodes', 'nodes must be an array');
    else nodes.forEach((node, n) => {
      const path = `args.data.cpuProfile.nodes[${n}]`;
      if (!isJsonObject(node) || !isInteger(node.id)) { out.add(index, path, 'a node needs an integer id'); return; }
      const frame = node.callFrame;
      if (!isJsonObject(frame) || typeof frame.functionName !== 'string' || !isFiniteNumber(frame.lineNumber) || !isFiniteNumber(frame.columnNumber)) {
        out.add(index, `${path}.callFrame`, 'callFrame needs functionName (string), lineNumber and columnNumber (numbers)');
      } else if (frame.url !== undefined && typeof frame.url !== 'string') {
        out.add(index, `${path}.callFrame.url`, 'callFrame.url must be a string');
      }
      if (node.parent !== undefined && !isInteger(node.parent)) out.add(index, `${path}.parent`, 'parent must be an integer node id');
      state.nodeIds.add(node.id);
    });
  }
  const samples = profile?.samples;
  if (samples !== undefined) {
    if (!Array.isArray(samples)) out.add(index, 'args.data.cpuProfile.samples', 'samples must be an array of node ids');
    else {
      const unknown = samples.findIndex((id) => !isInteger(id) || !state.nodeIds.has(id as number));
      if (unknown >= 0) out.add(index, `args.data.cpuProfile.samples[${unknown}]`, `sample refers to unknown node ${describe(samples[unknown])}`);
    }
  }
  const deltas = data.timeDeltas;
  if (deltas !== undefined) {
    if (!Array.isArray(deltas) || !deltas.every(isFiniteNumber)) out.add(index, 'args.data.timeDeltas', 'timeDeltas must be an array of numbers (µs)');
    else if (Array.isArray(samples) && deltas.length !== samples.length) {
      out.add(index, 'args.data.timeDeltas', `timeDeltas has ${deltas.length} entries but samples has ${samples.length}`);
    }
  } else if (Array.isArray(samples) && samples.length > 0) {
    out.add(index, 'args.data.timeDeltas', 'samples without timeDeltas');
  }
}
