// Writes snapshot files as a sequence of string chunks, so a recorder can stream a large
// snapshot to disk (or a socket) batch by batch instead of building one giant string.
//
// File layout (readers must not depend on key order; this is what we write):
//   {"traceEvents":[
//   <event>,
//   <event>,
//   ...
//   ],
//   "displayTimeUnit":"ms",
//   "metadata":{...}}
// Metadata comes last so a writer can fill in what it learns while encoding events
// (counts, decode errors) without holding the events back.
import type { Snapshot, SnapshotMetadata } from './snapshot';
import type { TraceEvent } from './trace-event';

/** Args deeper than this are cut when an event has to take the careful path. */
const MAX_SAFE_DEPTH = 32;

/**
 * One event as one line of JSON; never throws and never yields invalid JSON, whatever the
 * event holds (BigInt, cycles, throwing getters or toJSON, lone surrogates, NaN).
 */
export function serializeEvent(event: TraceEvent): string {
  if (hasSaneCore(event)) {
    try {
      const text = JSON.stringify(event);
      if (typeof text === 'string') return text;
    } catch {
      // Fall through to the careful path.
    }
  }
  return carefulEvent(event);
}

function hasSaneCore(event: TraceEvent): boolean {
  return typeof event === 'object' && event !== null && typeof event.name === 'string' && typeof event.ph === 'string'
    && Number.isFinite(event.ts) && Number.isFinite(event.pid) && Number.isFinite(event.tid)
    && (event.dur === undefined || Number.isFinite(event.dur));
}

function carefulEvent(event: unknown): string {
  const source = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const read = (key: string): unknown => {
    try {
      return source[key];
    } catch {
      return undefined;
    }
  };
  const finite = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
  const out: Record<string, unknown> = {
    name: textOf(read('name')),
    ph: typeof read('ph') === 'string' ? read('ph') : 'i',
    ts: finite(read('ts'), 0),
    pid: finite(read('pid'), 0),
    tid: finite(read('tid'), 0),
  };
  const cat = read('cat');
  if (cat !== undefined) out.cat = textOf(cat);
  for (const key of ['dur', 'tdur'] as const) {
    const value = read(key);
    if (value !== undefined) out[key] = Math.max(0, finite(value, 0));
  }
  const id = read('id');
  if (typeof id === 'number' && Number.isFinite(id)) out.id = id;
  else if (id !== undefined) out.id = textOf(id);
  for (const key of ['s', 'bp'] as const) {
    const value = read(key);
    if (typeof value === 'string') out[key] = value;
  }
  const args = read('args');
  if (args !== undefined) {
    const safe = safeValue(args, MAX_SAFE_DEPTH, new Set());
    out.args = typeof safe === 'object' && safe !== null && !Array.isArray(safe) ? safe : { value: safe };
  }
  return JSON.stringify(out);
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}

/** A JSON-safe copy: cycles and depth cut, BigInt as text, functions and symbols dropped. */
function safeValue(value: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[circular]';
  if (depth <= 0) return '[too deep]';
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items: unknown[] = [];
      for (let i = 0; i < object.length; i++) {
        let item: unknown;
        try {
          item = object[i];
        } catch {
          item = '[unreadable]';
        }
        const safe = safeValue(item, depth - 1, seen);
        items.push(safe === undefined ? null : safe);
      }
      return items;
    }
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      let item: unknown;
      try {
        item = (object as Record<string, unknown>)[key];
      } catch {
        item = '[unreadable]';
      }
      const safe = safeValue(item, depth - 1, seen);
      if (safe !== undefined) result[key] = safe;
    }
    return result;
  } catch {
    return '[unreadable]';
  } finally {
    seen.delete(object);
  }
}

/** Metadata is ours, but may carry user strings (argv, reasons): same careful fallback. */
function serializeMetadata(metadata: SnapshotMetadata): string {
  try {
    const text = JSON.stringify(metadata);
    if (typeof text === 'string') return text;
  } catch {
    // Fall through.
  }
  return JSON.stringify(safeValue(metadata, MAX_SAFE_DEPTH, new Set()) ?? {});
}

/**
 * Incremental writer: `begin()`, then `events(batch)` any number of times, then `end(metadata)`.
 * Concatenating every returned chunk gives one valid snapshot file. Holds no events itself.
 */
export class SnapshotWriter {
  private eventCount = 0;
  private state: 'new' | 'open' | 'closed' = 'new';

  /** Events written so far. */
  get count(): number {
    return this.eventCount;
  }

  begin(): string {
    if (this.state !== 'new') throw new Error('SnapshotWriter.begin() called twice');
    this.state = 'open';
    return '{"traceEvents":[';
  }

  /** One chunk for a batch of events ('' for an empty batch). */
  events(batch: readonly TraceEvent[]): string {
    if (this.state !== 'open') throw new Error('SnapshotWriter.events() outside begin()/end()');
    if (batch.length === 0) return '';
    const lines = new Array<string>(batch.length);
    for (let i = 0; i < batch.length; i++) lines[i] = serializeEvent(batch[i]!);
    const prefix = this.eventCount === 0 ? '\n' : ',\n';
    this.eventCount += batch.length;
    return prefix + lines.join(',\n');
  }

  end(metadata: SnapshotMetadata, displayTimeUnit: 'ms' | 'ns' = 'ms'): string {
    if (this.state !== 'open') throw new Error('SnapshotWriter.end() outside begin()');
    this.state = 'closed';
    return `\n],\n"displayTimeUnit":${JSON.stringify(displayTimeUnit)},\n"metadata":${serializeMetadata(metadata)}}\n`;
  }
}

/** The whole file as chunks of at most `batchSize` events each. */
export function* snapshotChunks(events: Iterable<TraceEvent>, metadata: SnapshotMetadata, batchSize = 1000): Generator<string> {
  const writer = new SnapshotWriter();
  yield writer.begin();
  let batch: TraceEvent[] = [];
  for (const event of events) {
    batch.push(event);
    if (batch.length >= batchSize) {
      yield writer.events(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield writer.events(batch);
  yield writer.end(metadata);
}

/** Small snapshots (tests, tools) as one string. */
export function serializeSnapshot(snapshot: Snapshot): string {
  let text = '';
  for (const chunk of snapshotChunks(snapshot.traceEvents, snapshot.metadata)) text += chunk;
  return text;
}
