// The one reader every part uses (viewer in a browser, extension, CLI): text in, a normalized
// trace or one clear sentence out. It never throws: a hostile or broken file is an answer, not
// an exception. Accepts our snapshots, plain Chrome traces (array or object form, e.g. from
// `node --trace-events-enabled`) and V8 `.cpuprofile` files (turned into Profile events).
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotMetadata } from './snapshot';
import { PHASES, type TraceEvent } from './trace-event';
import { isJsonObject } from './json-object';

export type TraceKind = 'snapshot' | 'chrome-trace' | 'cpuprofile';

/** What readers work with, whatever the file was. */
export interface LoadedTrace {
  /** Usable events in file order (events that are not trace events are skipped, see warnings). */
  traceEvents: TraceEvent[];
  /** Our metadata; present only for kind `snapshot`. */
  metadata?: SnapshotMetadata;
  /** µs on the trace clock: metadata.window for snapshots, else the span of the events. */
  window: { startTs: number; endTs: number };
  displayTimeUnit?: 'ms' | 'ns';
}

export type ParseResult =
  | { kind: TraceKind; trace: LoadedTrace; warnings: string[] }
  | { error: string };

/**
 * Files nested deeper than this are refused before parsing: JSON.parse takes seconds on 10^6
 * levels, and every reader walks args recursively. So whatever a parsed trace holds, its
 * values nest at most this deep, and code walking args may recurse without a guard.
 */
export const MAX_DOCUMENT_DEPTH = 64;
const PHASE_SET: ReadonlySet<string> = new Set(PHASES);

type Json = Record<string, unknown>;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Parses a trace file's text. `fileName` only names the file in messages. Never throws. */
export function parseTraceText(text: string, fileName: string): ParseResult {
  try {
    return parseUnsafe(text, fileName);
  } catch (error) {
    // Only an engine limit gets here (e.g. out of memory for a huge string); still an answer.
    const message = error instanceof Error ? error.message : String(error);
    return { error: `${fileName}: could not be read (${message})` };
  }
}

function parseUnsafe(text: string, fileName: string): ParseResult {
  if (typeof text !== 'string') return { error: `${fileName}: no text to read` };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return { error: `${fileName} is empty (0 bytes)` };
  if (/^\s*$/.test(text.length > 4096 ? text.slice(0, 4096) : text) && text.trim().length === 0) {
    return { error: `${fileName} contains only whitespace` };
  }
  const tooDeep = depthBeyond(text, MAX_DOCUMENT_DEPTH);
  if (tooDeep >= 0) {
    return { error: `${fileName}: too deeply nested — more than ${MAX_DOCUMENT_DEPTH} levels of arrays/objects at byte ${utf8Length(text, tooDeep)}; a trace needs a handful` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `${fileName}: ${describeJsonError(text, error)}` };
  }
  if (Array.isArray(value)) return normalize('chrome-trace', value, undefined, undefined);
  if (isJsonObject(value)) {
    if (Array.isArray(value.traceEvents)) {
      const metadata = value.metadata;
      const ours = isJsonObject(metadata) && metadata.format === SNAPSHOT_FORMAT;
      const unit = value.displayTimeUnit === 'ms' || value.displayTimeUnit === 'ns' ? value.displayTimeUnit : undefined;
      return normalize(ours ? 'snapshot' : 'chrome-trace', value.traceEvents, ours ? (metadata as unknown as SnapshotMetadata) : undefined, unit);
    }
    if (Array.isArray(value.nodes)) return fromCpuProfile(value, fileName);
  }
  return { error: `${fileName}: not a trace — expected { "traceEvents": [...] }, an array of trace events, or a .cpuprofile (nodes, samples, timeDeltas); found ${describeTop(value)}` };
}

function describeTop(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isJsonObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 30))).join(', ');
    return `an object with keys ${shown}${keys.length > 5 ? ', …' : ''}`;
  }
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function normalize(kind: TraceKind, raw: unknown[], metadata: SnapshotMetadata | undefined, unit: 'ms' | 'ns' | undefined): ParseResult {
  const warnings: string[] = [];
  const events: TraceEvent[] = [];
  let skipped = 0;
  let firstSkipped = -1;
  let minTs = Number.POSITIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < raw.length; index++) {
    const event = raw[index];
    if (!isUsableEvent(event)) {
      skipped++;
      if (firstSkipped < 0) firstSkipped = index;
      continue;
    }
    events.push(event);
    if (event.ph !== 'M') {
      if (event.ts < minTs) minTs = event.ts;
      const end = event.ts + (event.dur ?? 0);
      if (end > maxTs) maxTs = end;
    }
  }
  if (skipped > 0) {
    warnings.push(`${skipped} of ${raw.length} entries are not usable trace events and were skipped (the first is entry ${firstSkipped}); \`flight-recorder validate\` lists why`);
  }
  if (metadata && metadata.version !== SNAPSHOT_VERSION) {
    warnings.push(`written by format version ${String(metadata.version)}; this reader knows version ${SNAPSHOT_VERSION}`);
  }
  const metaWindow = metadata && isJsonObject(metadata.window) ? metadata.window : undefined;
  const window = metaWindow && isFiniteNumber(metaWindow.startTs) && isFiniteNumber(metaWindow.endTs) && metaWindow.startTs <= metaWindow.endTs
    ? { startTs: metaWindow.startTs, endTs: metaWindow.endTs }
    : Number.isFinite(minTs) ? { startTs: minTs, endTs: maxTs } : { startTs: 0, endTs: 0 };
  const trace: LoadedTrace = { traceEvents: events, window };
  if (metadata) trace.metadata = metadata;
  if (unit) trace.displayTimeUnit = unit;
  return { kind, trace, warnings };
}

/**
 * Keeps what every reader can draw without checking again: a known phase, a finite ts,
 * numeric pid/tid, a string name, dur ≥ 0 on complete events, object args. Fixes in place
 * what is harmless to fix (missing name, numeric-string pid, ts missing on metadata events).
 */
export function isUsableEvent(event: unknown): event is TraceEvent {
  if (!isJsonObject(event)) return false;
  if (typeof event.ph !== 'string' || !PHASE_SET.has(event.ph)) return false;
  if (!isFiniteNumber(event.ts)) {
    if (event.ph !== 'M' || event.ts !== undefined) return false;
    event.ts = 0;
  }
  if (typeof event.name !== 'string') {
    if (event.name !== undefined) return false;
    event.name = '';
  }
  for (const key of ['pid', 'tid'] as const) {
    const id = event[key];
    if (isFiniteNumber(id)) continue;
    if (id === undefined) event[key] = 0;
    else if (typeof id === 'string' && id.trim() !== '' && Number.isFinite(Number(id))) event[key] = Number(id);
    else if (typeof id === 'string') event[key] = stableNumber(id);
    else return false;
  }
  if (event.dur !== undefined && (!isFiniteNumber(event.dur) || event.dur < 0)) return false;
  if (event.ph === 'X' && event.dur === undefined) return false;
  if (event.args !== undefined && !isJsonObject(event.args)) return false;
  if (event.cat !== undefined && typeof event.cat !== 'string') return false;
  return true;
}

/** Chrome traces sometimes name processes with strings; give each a stable number. */
function stableNumber(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  return 1_000_000_000 + (Math.abs(hash) % 1_000_000_000);
}

/**
 * Offset of the first bracket that nests deeper than `limit`, or -1. Strings are skipped with
 * indexOf, so the scan costs little next to JSON.parse. Assumes nothing about validity.
 */
function depthBeyond(text: string, limit: number): number {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the closing quote: one not preceded by an odd number of backslashes.
      let j = text.indexOf('"', i + 1);
      while (j > 0) {
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - k) % 2 === 1) break;
        j = text.indexOf('"', j + 1);
      }
      if (j < 0) return -1; // an unterminated string: JSON.parse reports it
      i = j;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// .cpuprofile → Profile / ProfileChunk events (the shape DevTools reads in a trace).

function fromCpuProfile(profile: Json, fileName: string): ParseResult {
  const bad = (why: string): ParseResult => ({ error: `${fileName}: not a valid .cpuprofile — ${why}` });
  const nodes = profile.nodes as unknown[];
  const samples = profile.samples === undefined ? [] : profile.samples;
  const deltas = profile.timeDeltas === undefined ? [] : profile.timeDeltas;
  if (!Array.isArray(samples) || !samples.every(Number.isSafeInteger)) return bad('samples must be an array of node ids');
  if (!Array.isArray(deltas) || !deltas.every(isFiniteNumber)) return bad('timeDeltas must be an array of numbers');
  if (deltas.length !== samples.length) return bad(`timeDeltas has ${deltas.length} entries but samples has ${samples.length}`);
  const parentOf = new Map<number, number>();
  const ids = new Set<number>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (!isJsonObject(node) || !Number.isSafeInteger(node.id)) return bad(`node ${i} has no integer id`);
    const frame = node.callFrame;
    if (!isJsonObject(frame) || typeof frame.functionName !== 'string') return bad(`node ${i} has no callFrame.functionName`);
    ids.add(node.id as number);
    if (Array.isArray(node.children)) for (const child of node.children) if (Number.isSafeInteger(child)) parentOf.set(child as number, node.id as number);
  }
  for (let i = 0; i < samples.length; i++) if (!ids.has(samples[i] as number)) return bad(`sample ${i} refers to unknown node ${String(samples[i])}`);
  const startTime = isFiniteNumber(profile.startTime) ? profile.startTime : 0;
  let endTime = startTime;
  for (const delta of deltas as number[]) endTime += delta;
  if (isFiniteNumber(profile.endTime) && profile.endTime > endTime) endTime = profile.endTime;
  const chunkNodes = (nodes as Json[]).map((node) => {
    const out: Json = { id: node.id, callFrame: node.callFrame };
    const parent = Number.isSafeInteger(node.parent) ? (node.parent as number) : parentOf.get(node.id as number);
    if (parent !== undefined) out.parent = parent;
    return out;
  });
  const pid = 1;
  const tid = 1;
  const id = '0x1';
  const traceEvents: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid, cat: '__metadata', args: { name: fileName } },
    { name: 'thread_name', ph: 'M', ts: 0, pid, tid, cat: '__metadata', args: { name: 'CPU profile' } },
    { name: 'Profile', cat: 'cpu', ph: 'P', ts: startTime, pid, tid, id, args: { data: { startTime } } },
    {
      name: 'ProfileChunk', cat: 'cpu', ph: 'P', ts: startTime, pid, tid, id,
      args: { data: { cpuProfile: { nodes: chunkNodes, samples }, timeDeltas: deltas } },
    },
  ];
  return { kind: 'cpuprofile', trace: { traceEvents, window: { startTs: startTime, endTs: endTime } }, warnings: [] };
}

// ---------------------------------------------------------------------------------------------
// Why JSON.parse failed, worded the same in every engine: the parse error messages of V8,
// SpiderMonkey and JavaScriptCore differ, and only some give a position. This scanner runs
// only after a failed parse; it finds the first offending character, or the end of a cut file.

interface JsonProblem {
  /** UTF-16 offset of the problem. */
  offset: number;
  /** The text ended inside a value: most likely the file was cut off. */
  truncated: boolean;
  what: string;
}

function describeJsonError(text: string, error: unknown): string {
  const problem = findJsonProblem(text);
  if (!problem) {
    // The scanner found nothing: an engine limit (e.g. nesting) rather than a syntax error.
    const message = error instanceof Error ? error.message : String(error);
    return /stack|recursion|nest/i.test(message) ? 'too deeply nested to read' : `not valid JSON (${message})`;
  }
  if (problem.truncated) {
    return `file ends early at byte ${utf8Length(text, text.length)} — was it cut off while being written? (${problem.what})`;
  }
  const { line, column } = lineAndColumn(text, problem.offset);
  return `not valid JSON at line ${line}, column ${column} (byte ${utf8Length(text, problem.offset)}): ${problem.what}`;
}

function utf8Length(text: string, end: number): number {
  let bytes = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < end) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NUMBER_PREFIX = /^-?(?:0|[1-9]\d*)?(?:\.\d*)?(?:[eE][+-]?\d*)?$/;

function showChar(text: string, offset: number): string {
  const ch = text[offset] ?? '';
  return ch === '\n' ? 'a line break' : JSON.stringify(ch);
}

/** Iterative (no recursion, whatever the nesting); null when the text is valid JSON. */
export function findJsonProblem(text: string): JsonProblem | null {
  type Mode = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'after';
  const stack: number[] = []; // 0x5b '[' or 0x7b '{'
  let mode = 'value' as Mode;
  let i = 0;
  const n = text.length;
  const cut = (what: string): JsonProblem => ({ offset: n, truncated: true, what });
  const fail = (offset: number, what: string): JsonProblem => ({ offset, truncated: false, what });
  while (true) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    if (i >= n) {
      if (mode === 'after' && stack.length === 0) return null;
      if (stack.length === 0 && mode === 'value') return cut('no value');
      if (stack.length === 1) return cut(`an unclosed ${stack[0] === 0x5b ? 'array' : 'object'}`);
      return cut(stack.length > 1 ? `${stack.length} unclosed arrays/objects` : 'incomplete value');
    }
    const c = text.charCodeAt(i);
    const expectingKey: boolean = mode === 'key' || mode === 'keyOrClose';
    switch (mode) {
      case 'after':
        if (stack.length === 0) return fail(i, `unexpected ${showChar(text, i)} after the end of the JSON value`);
        if (c === 0x2c) { i++; mode = stack[stack.length - 1] === 0x5b ? 'value' : 'key'; continue; }
        if ((c === 0x5d && stack[stack.length - 1] === 0x5b) || (c === 0x7d && stack[stack.length - 1] === 0x7b)) {
          stack.pop(); i++; mode = 'after'; continue;
        }
        return fail(i, `expected ',' or '${stack[stack.length - 1] === 0x5b ? ']' : '}'}' but found ${showChar(text, i)}`);
      case 'colon':
        if (c === 0x3a) { i++; mode = 'value'; continue; }
        return fail(i, `expected ':' after a property name but found ${showChar(text, i)}`);
      case 'key':
      case 'keyOrClose':
        if (c === 0x7d && mode === 'keyOrClose') { stack.pop(); i++; mode = 'after'; continue; }
        if (c !== 0x22) return fail(i, `expected a property name in double quotes but found ${showChar(text, i)}`);
        break;
      case 'value':
      case 'valueOrClose':
        if (c === 0x5d && mode === 'valueOrClose') { stack.pop(); i++; mode = 'after'; continue; }
        break;
    }
    // A string (value or key), a container opening, a number or a literal.
    if (c === 0x22) {
      let j = i + 1;
      for (;;) {
        if (j >= n) return cut('inside a string');
        const d = text.charCodeAt(j);
        if (d === 0x22) break;
        if (d < 0x20) return fail(j, 'a control character inside a string (line breaks must be written \\n)');
        if (d === 0x5c) {
          if (j + 1 >= n) return cut('inside a string');
          const e = text[j + 1]!;
          if (e === 'u') {
            const hex = text.slice(j + 2, j + 6);
            if (!/^[0-9a-fA-F]*$/.test(hex)) return fail(j, 'a bad \\u escape in a string');
            if (j + 6 > n) return cut('inside a string');
            j += 6;
            continue;
          }
          if (!'"\\/bfnrt'.includes(e)) return fail(j, `a bad escape \\${e} in a string`);
          j += 2;
          continue;
        }
        j++;
      }
      i = j + 1;
      mode = expectingKey ? 'colon' : 'after';
      continue;
    }
    if (c === 0x5b) { stack.push(c); i++; mode = 'valueOrClose'; continue; }
    if (c === 0x7b) { stack.push(c); i++; mode = 'keyOrClose'; continue; }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      const end = match ? i + match[0].length : i;
      if (end >= n) return stack.length === 0 && match ? null : cut('inside a number');
      const next = text.charCodeAt(end);
      const isDelimiter = next === 0x2c || next === 0x5d || next === 0x7d || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09;
      if (!match || !isDelimiter) {
        // Cut off inside a number ("1.", "-", "2e") when the rest of the text is a number's start.
        if (n - i <= 40 && NUMBER_PREFIX.test(text.slice(i))) return cut('inside a number');
        return fail(match ? end : i, `a malformed number near ${JSON.stringify(text.slice(i, Math.min(n, end + 2)))}`);
      }
      i = end;
      mode = 'after';
      continue;
    }
    let literal = '';
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) { literal = word; break; }
      if (i + word.length > n && word.startsWith(text.slice(i))) return cut(`inside "${word}"`);
    }
    if (literal) { i += literal.length; mode = 'after'; continue; }
    return fail(i, `unexpected ${showChar(text, i)} where a value should be`);
  }
}
