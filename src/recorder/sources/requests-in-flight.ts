// The in-flight server requests and their span state, with no property added to Node's objects
// (see http-server.ts) and nothing allocated per request.
//
// Open requests sit in a small circular table in the order they began, keyed by their
// connection: slot i holds the request's socket (compared by identity at its end: a compare of
// references, the object itself is not read) and in a Float64Array its span state (start,
// begin record, span id, method, URL entry). A request's end takes the oldest open request of
// its socket — the one whose response finishes next: Node finishes a connection's responses in
// the order their requests came (its server asserts it), so pipelined requests pair up too —
// which is the socket's first slot from the table's head. Requests mostly end in the order
// they began, so the one ending is usually at the head, which just moves on; otherwise the
// older ones move up a slot. The slots in use are as many as the server's concurrency (a few
// on most servers), the same few lines of memory request after request, warm in the cache.
// Keyed by the socket, not the request: a request is always a young object, and storing it in
// this long-lived table made V8's write barrier record the slot for the garbage collector on
// every request (13 % of the recorder's per-request samples; the recorder's share of a loaded
// server ×0.89–0.94 without it); a keep-alive connection's socket is long-lived itself
// (docs/benchmarks.md). What the table replaced before that — one state object per
// connection, reached through a Map keyed by the socket — read a different object at every
// request, cold by then on a loaded server: two cache misses per request on the measured VM (a
// quarter to a half of each hook's samples).
// Beyond SCANNED_REQUESTS open requests (a server holding thousands of slow requests), the
// rest go to a Map from socket to its requests, oldest first (an object each, allocated only
// then), so a request's end costs at most one scan of the table plus one lookup. A request
// that comes without a socket is keyed by itself.
//
// A request's start does not look at whether its connection is watched: the caller sweeps the
// table every few tens of ms (watchNew) and watches the close of each connection with a
// request still open then, once. Most requests end before any sweep sees them, so their
// connections are never looked up at all. The Set of watched sockets that each start used
// to look up (reading the socket's identity hash and the Set's table: two lines the program's
// own work had evicted) was ~11 % of the recorder's samples on a loaded server
// (docs/benchmarks.md).

/** Open requests kept in the scanned table (at most 64 references compared: 8 cache lines); more go to a Map. */
export const SCANNED_REQUESTS = 64;
/** Float64 slots per open request: one 64-byte cache line each. */
const STATE_F64 = 8;
const S_START_US = 0;
const S_RECORD = 1;
const S_SPAN_ID = 2;
const S_METHOD = 3;
const S_URL_ID = 4;

/** One request's span state, as handed to the caller at its end. */
export interface RequestState {
  spanId: number;
  startUs: number;
  method: number;
  urlId: number;
  /** The begin record's sequence number in the ring (to complete it in place). */
  record: number;
}

/** What the table keys a request by: its socket, or the request itself when it has none. */
type Key = object;

/** Slot arithmetic modulo SCANNED_REQUESTS (a power of two). */
const SLOT_MASK = SCANNED_REQUESTS - 1;

export class RequestsInFlight<Socket extends object, Request extends object> {
  /**
   * The open requests' keys in a circular table, oldest at `head`, in begin order (slots not in
   * use hold undefined). Requests mostly end in the order they began: the oldest leaves by
   * moving `head`, nothing else moves.
   */
  private readonly keys: (Key | undefined)[] = Array.from({ length: SCANNED_REQUESTS }, () => undefined);
  private readonly state = new Float64Array(SCANNED_REQUESTS * STATE_F64);
  private head = 0;
  private count = 0;
  /** Requests beyond the table's SCANNED_REQUESTS, by key, oldest first. */
  private readonly more = new Map<Key, RequestState[]>();
  /** Keys of requests that went to `more` since the last watchNew. */
  private readonly queuedSinceSweep: Key[] = [];
  /** The newest begin record watchNew has seen in the table (records only grow). */
  private sweptRecord = 0;
  /** What watchNew hands back (reused). */
  private readonly found: (Socket | Request)[] = [];
  /** Keys (sockets, or requests without one) whose close the caller watches. */
  private readonly watched = new Set<Key>();
  /** What `take` hands back: one object, overwritten by the next take (copy, don't keep). */
  private readonly taken: RequestState = { spanId: 0, startUs: 0, method: 0, urlId: 0, record: 0 };

  /** Notes `request`'s span (see watchNew for its connection's close). */
  begin(socket: Socket | undefined, request: Request, spanId: number, startUs: number, method: number, urlId: number, record: number): void {
    const key: Key = socket ?? request;
    if (this.count >= SCANNED_REQUESTS) return this.beginBeyondTable(key, { spanId, startUs, method, urlId, record });
    const slot = (this.head + this.count) & SLOT_MASK;
    this.keys[slot] = key;
    this.count++;
    const f = slot * STATE_F64;
    const state = this.state;
    state[f + S_START_US] = startUs;
    state[f + S_RECORD] = record;
    state[f + S_SPAN_ID] = spanId;
    state[f + S_METHOD] = method;
    state[f + S_URL_ID] = urlId;
  }

  /**
   * More requests open than the table scans: kept in `more`, by key. A method of its own, so
   * `begin`, which V8 inlines into the request hook, stays small enough to leave the hook's
   * inlining budget for the clock read (process.hrtime, whose array is then never made).
   */
  private beginBeyondTable(key: Key, state: RequestState): void {
    const queued = this.more.get(key);
    if (queued) queued.push(state);
    else this.more.set(key, [state]);
    this.queuedSinceSweep.push(key);
  }

  /**
   * The connections (requests, when they came without one) with a request open and not yet
   * watched, each once: the caller watches their close from now on, or hands them to close()
   * at once when they have closed already. The array is reused: valid until the next call.
   */
  watchNew(): readonly (Socket | Request)[] {
    const found = this.found;
    found.length = 0;
    // Only requests begun since the last sweep: those open then were seen then (a server
    // holding thousands of long polls looks each up once, not at every sweep).
    let newest = this.sweptRecord;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & SLOT_MASK;
      const record = this.state[slot * STATE_F64 + S_RECORD] ?? 0;
      if (record <= this.sweptRecord) continue;
      if (record > newest) newest = record;
      const key = this.keys[slot];
      if (key !== undefined) this.watchOnce(key);
    }
    this.sweptRecord = newest;
    if (this.queuedSinceSweep.length !== 0) {
      for (const key of this.queuedSinceSweep) if (this.more.has(key)) this.watchOnce(key);
      this.queuedSinceSweep.length = 0;
    }
    return found;
  }

  private watchOnce(key: Key): void {
    if (this.watched.has(key)) return;
    this.watched.add(key);
    this.found.push(key as Socket | Request);
  }

  /**
   * The state of the oldest open request on `socket` (of `request`, when it came without one),
   * forgotten; undefined when there is none. Valid until the next take or close.
   */
  take(socket: Socket | undefined, request: Request): RequestState | undefined {
    return this.takeOldest(socket ?? request);
  }

  private takeOldest(key: Key): RequestState | undefined {
    // indexOf, not a loop of `===`: with object feedback, an optimised `===` checks that both
    // sides are objects, reading every open request's map; indexOf's builtin compares references.
    // The first match from `head` on is the connection's oldest; before `head`, the table has
    // wrapped, and those slots are younger than all from `head` on.
    let slot = this.keys.indexOf(key, this.head);
    if (slot < 0 && this.head > 0) slot = this.keys.indexOf(key);
    if (this.more.size !== 0) {
      // Beyond the table, a connection's requests may be older than its one in the table.
      const queued = this.more.get(key);
      if (queued && (slot < 0 || queued[0]!.record < (this.state[slot * STATE_F64 + S_RECORD] ?? 0))) return this.takeMore(key, queued);
    }
    return slot >= 0 ? this.takeSlot(slot) : undefined;
  }

  private takeSlot(slot: number): RequestState {
    const state = this.state;
    const taken = this.taken;
    const f = slot * STATE_F64;
    taken.startUs = state[f + S_START_US] ?? 0;
    taken.record = state[f + S_RECORD] ?? 0;
    taken.spanId = state[f + S_SPAN_ID] ?? 0;
    taken.method = state[f + S_METHOD] ?? 0;
    taken.urlId = state[f + S_URL_ID] ?? 0;
    // The requests that began before this one move up a slot, and the oldest slot is freed: the
    // table stays dense and in begin order (nothing moves when the oldest ends, as is usual).
    const head = this.head;
    for (let to = slot; to !== head; ) {
      const from = (to - 1) & SLOT_MASK;
      this.keys[to] = this.keys[from];
      // Element by element: a typed array's copyWithin is a call into the runtime (C++).
      const t = to * STATE_F64;
      const g = from * STATE_F64;
      state[t + S_START_US] = state[g + S_START_US] ?? 0;
      state[t + S_RECORD] = state[g + S_RECORD] ?? 0;
      state[t + S_SPAN_ID] = state[g + S_SPAN_ID] ?? 0;
      state[t + S_METHOD] = state[g + S_METHOD] ?? 0;
      state[t + S_URL_ID] = state[g + S_URL_ID] ?? 0;
      to = from;
    }
    this.keys[head] = undefined;
    this.head = (head + 1) & SLOT_MASK;
    this.count--;
    return taken;
  }

  private takeMore(key: Key, queued: RequestState[]): RequestState {
    const state = queued.shift()!;
    if (queued.length === 0) this.more.delete(key);
    const taken = this.taken;
    taken.startUs = state.startUs;
    taken.record = state.record;
    taken.spanId = state.spanId;
    taken.method = state.method;
    taken.urlId = state.urlId;
    return taken;
  }

  /** `key` (a socket, or a request without one) closed: hands over every request still in flight on it, oldest first, and forgets it. */
  close(key: Socket | Request, abort: (state: RequestState) => void): void {
    this.watched.delete(key);
    for (let state = this.takeOldest(key); state !== undefined; state = this.takeOldest(key)) abort(state);
  }

  /** Every connection (or request) watched, to stop watching them. */
  watching(): (Socket | Request)[] {
    return [...this.watched] as (Socket | Request)[];
  }

  clear(): void {
    this.keys.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.more.clear();
    this.queuedSinceSweep.length = 0;
    this.watched.clear();
  }
}
