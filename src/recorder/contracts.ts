// The seam between the recorder's core (ring, snapshot, control channel, triggers) and its
// event sources (http, gc, event loop, console, ...). Sources write fixed-shape records into
// the ring; the core copies records out at snapshot time and hands them, off the main thread,
// to each source kind's decoder, which turns them into trace events.
import type { TraceEvent } from '../format/trace-event';

/** The ring as sources see it. Every method is safe to call on hot paths: no allocation. */
export interface EventRing {
  /** Now, µs on the trace clock (one clock read: reuse it for neighbouring records). */
  nowUs(): number;
  /** A string's id in the ring's string table; repeated strings are stored once while live. */
  intern(text: string): number;
  /**
   * Stores `text` as a new string-table entry without looking it up: for strings that rarely
   * repeat (request URLs with ids in them), where a lookup table would only cost time and keep
   * the strings alive. Returns its id, which a later record may reuse.
   */
  appendString(text: string): number;
  /**
   * Appends one record. Field meaning is the kind's own (documented at its decoder).
   * `s1`/`s2` are string ids from `intern` (0 = none).
   */
  write(kind: number, tsUs: number, durUs: number, id: number, a: number, b: number, s1: number, s2: number): void;
  /** As `write`; returns the record's sequence number (≥ 1), for `complete`. */
  writeOpen(kind: number, tsUs: number, durUs: number, id: number, a: number, b: number, s1: number, s2: number): number;
  /**
   * Turns record `sequence` into one of `kind` with `durUs` and `b`, in place: one record for a
   * span instead of a begin and an end. False when the record has been overwritten since (the
   * caller then writes a record of its own). `kind` must keep the fields a reader of the old
   * kind uses (ts, id, a, s1, s2), since a concurrent copy may see the old kind.
   */
  complete(sequence: number, kind: number, durUs: number, b: number): boolean;
  /**
   * The text of string-table entry `id` while the ring still holds it (undefined once it has
   * been written over): for a rare path that no longer has the value it stored.
   */
  stringText(id: number): string | undefined;
  /**
   * The event loop's next tick is due at `dueUs` (trace µs): a watchdog asking for a snapshot
   * long after that time knows the loop has been blocked since.
   */
  noteLoopTickDue(dueUs: number): void;
}

/** One record as the core hands it to a decoder, strings already resolved. */
export interface RecordView {
  kind: number;
  tsUs: number;
  durUs: number;
  id: number;
  a: number;
  b: number;
  s1: string | undefined;
  s2: string | undefined;
  /** Any string id of the record's ring (for kinds that pack one into a number field). */
  string?(id: number): string | undefined;
}

/** Where decoded events go; pid/tid of the thread that recorded them are filled in. */
export interface DecodeContext {
  pid: number;
  tid: number;
  emit(event: TraceEvent): void;
  /**
   * A URL from the ring as the snapshot may show it, redacted as configured: URLs enter the
   * ring unredacted (SourceContext.appendUrl), so every decoder of a URL field passes it here.
   */
  redactUrl(url: string): string;
}

/** Turns the records of the kinds it owns into trace events. Runs in the snapshot worker. */
export type RecordDecoder = (record: RecordView, out: DecodeContext) => void;

/** What rules (triggers) learn from sources; each call is a few comparisons when rules are off. */
export interface RuleHooks {
  /**
   * `name` may be a raw URL: when a rule fires on it, `redactName` (if given) is applied
   * first, so the per-request path never pays for redaction it does not need.
   */
  requestFinished(durationMs: number, status: number, name: string, redactName?: (name: string) => string): void;
  /** False when no rule watches requests: sources may then skip requestFinished (and what naming a request reads). */
  readonly watchesRequests?: boolean;
  loopBlocked(durationMs: number): void;
  /**
   * Work is under way: the loop's ticks in a row found work, or a request arrived (an idle
   * server's first request may block at once). Each caller calls it at most every few seconds.
   */
  loopActive?(): void;
  heapSampled(heapUsedMB: number): void;
  /** False when no rule watches GC pauses: a source may then hear of them later (gcPaused still called). */
  readonly watchesGcPauses?: boolean;
  gcPaused(durationMs: number): void;
}

export interface SourceContext {
  ring: EventRing;
  rules: RuleHooks;
  /** Wraps a hook so an exception inside it is swallowed, counted, and reported once. */
  guard<F extends (...args: never[]) => unknown>(name: string, hook: F): F;
  /** Redaction as configured: URL query values, header values, argv secrets. */
  redactUrl(url: string): string;
  /**
   * Appends a URL to the ring's string table as it came; returns its id. The hot path of every
   * HTTP span. Redaction waits for a snapshot (DecodeContext.redactUrl): the ring is this
   * process's own memory, which held the URL anyway, and what leaves it is the snapshot file.
   * Redacting while copying cost the request hook ~10 % of the recorder's share of a loaded
   * server (docs/benchmarks.md, finding 1).
   */
  appendUrl(url: string): number;
  redactHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string>;
  /** 0 on the main thread, the worker's threadId in workers. */
  tid: number;
  /**
   * Has `work` run at each tick of the event-loop source (every 50 ms while the loop works,
   * 100 ms while it idles; unref'd): periodic work without a timer of its own, whose wake-ups
   * and trips through Node's timer loop would cost more than the work. Returns how to stop.
   */
  onLoopTick(work: () => void): () => void;
  /** For the event-loop source's tick: runs the work given to onLoopTick. */
  runLoopTickWork(): void;
}

/** A finished profiler window (V8's profile as the inspector gives it when a profile ends) as JSON text, numbered in its process. */
export interface ProfileWindowText {
  serial: number;
  json: string;
}

/** The CPU profile windows of a snapshot: those overlapping [startUs, endUs], to be cut to it. */
export interface SnapshotProfiles {
  startUs: number;
  endUs: number;
  tid: number;
  windows: ProfileWindowText[];
}

/** An event source: installs its hooks, returns how to remove them. */
export interface EventSource {
  name: string;
  install(context: SourceContext): () => void;
  /**
   * Optional, for data kept outside the ring (CPU profile windows): called on the main thread
   * when a snapshot is taken and the main thread answers; returns the events of
   * [startUs, endUs]. Its memory must be bounded and counted by the source itself.
   */
  snapshotEvents?(startUs: number, endUs: number, pid: number, tid: number): TraceEvent[];
  /**
   * Optional, for CPU profile windows: called as snapshotEvents is; returns the windows
   * overlapping [startUs, endUs] as JSON text, which the thread writing the snapshot cuts to
   * the range and turns into events (sources/profile-events.ts). Bounded as snapshotEvents.
   */
  snapshotProfiles?(startUs: number, endUs: number): ProfileWindowText[];
  /**
   * Optional: writes to the ring now what the source would only write later (the event-loop
   * source: a block its tick has not reported yet — the thread is running again, so it is
   * over — and the counters of the interval under way). Called on the main thread just before
   * a snapshot copies the ring; true when it reported something that had happened (a block).
   */
  flush?(): boolean;
}
