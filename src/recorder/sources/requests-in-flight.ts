// The in-flight server requests and their span state, with no property added to Node's objects
// (see http-server.ts) and nothing allocated per request.
//
// Open requests sit in a small table, densely: slot i holds the request (compared by identity
// at its end: a compare of references, the object itself is not read), its socket, and in a
// Float64Array its span state (start, begin record, span id, method, URL entry). A request's
// end scans the table for its request and moves the last slot into the freed one. The table
// is as long as the server's concurrency (a few slots on most servers), so the slots in use
// are the same few lines of memory request after request, warm in the cache. What this
// replaced — one state object per connection, reached through a Map keyed by the socket — read
// a different object at every request, cold by then on a loaded server: two cache misses per
// request on the measured VM (a quarter to a half of each hook's samples: docs/benchmarks.md).
// Beyond SCANNED_REQUESTS open requests (a server holding thousands of slow requests), the
// rest go to a Map keyed by the request (an object each, allocated only then), so a request's
// end costs at most one scan of the table plus one lookup.
//
// Each request's socket is looked up in a Set of the watched sockets: a connection's first
// request adds it, so the caller starts watching it close once (requests still in flight when
// it closes are handed over as aborted, oldest first). (A list of recently seen sockets scanned
// in front of the Set, to skip the lookup's read of the socket's identity hash, measured no
// better: docs/benchmarks.md.)
// Pipelined requests (sent on a connection before the previous one finished) need nothing
// special: each is one more open request.

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

interface MoreState<Socket, Request> extends RequestState {
  request: Request;
  socket: Socket | undefined;
}

export class RequestsInFlight<Socket extends object, Request extends object> {
  private readonly requests: (Request | undefined)[] = Array.from({ length: SCANNED_REQUESTS }, () => undefined);
  private readonly socketsOf: (Socket | undefined)[] = Array.from({ length: SCANNED_REQUESTS }, () => undefined);
  private readonly state = new Float64Array(SCANNED_REQUESTS * STATE_F64);
  private open = 0;
  /** Requests beyond the table's SCANNED_REQUESTS. */
  private readonly more = new Map<Request, MoreState<Socket, Request>>();
  /** Sockets whose close the caller watches. */
  private readonly watched = new Set<Socket>();
  /** What `take` hands back: one object, overwritten by the next take (copy, don't keep). */
  private readonly taken: RequestState = { spanId: 0, startUs: 0, method: 0, urlId: 0, record: 0 };

  /** Notes `request`'s span; true when `socket` is new (the caller starts watching it close). */
  begin(socket: Socket | undefined, request: Request, spanId: number, startUs: number, method: number, urlId: number, record: number): boolean {
    const isNew = socket !== undefined && !this.watched.has(socket);
    if (isNew) this.watched.add(socket);
    const slot = this.open;
    if (slot >= SCANNED_REQUESTS) {
      this.more.set(request, { request, socket, spanId, startUs, method, urlId, record });
      return isNew;
    }
    this.requests[slot] = request;
    this.socketsOf[slot] = socket;
    const f = slot * STATE_F64;
    const state = this.state;
    state[f + S_START_US] = startUs;
    state[f + S_RECORD] = record;
    state[f + S_SPAN_ID] = spanId;
    state[f + S_METHOD] = method;
    state[f + S_URL_ID] = urlId;
    this.open = slot + 1;
    return isNew;
  }

  /** The state of `request` (undefined when unknown), forgotten. Valid until the next take or close. */
  take(request: Request): RequestState | undefined {
    // indexOf, not a loop of `===`: with object feedback, an optimised `===` checks that both
    // sides are objects, reading every open request's map; indexOf's builtin compares references.
    const slot = this.requests.indexOf(request); // (slots from `open` on hold undefined)
    if (slot >= 0) return this.takeSlot(slot);
    return this.more.size === 0 ? undefined : this.takeMore(request);
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
    // The last open request moves into the freed slot: the table stays dense.
    const last = this.open - 1;
    if (slot !== last) {
      this.requests[slot] = this.requests[last];
      this.socketsOf[slot] = this.socketsOf[last];
      // Element by element: a typed array's copyWithin is a call into the runtime (C++).
      const g = last * STATE_F64;
      state[f + S_START_US] = state[g + S_START_US] ?? 0;
      state[f + S_RECORD] = state[g + S_RECORD] ?? 0;
      state[f + S_SPAN_ID] = state[g + S_SPAN_ID] ?? 0;
      state[f + S_METHOD] = state[g + S_METHOD] ?? 0;
      state[f + S_URL_ID] = state[g + S_URL_ID] ?? 0;
    }
    this.requests[last] = undefined;
    this.socketsOf[last] = undefined;
    this.open = last;
    return taken;
  }

  private takeMore(request: Request): RequestState | undefined {
    const state = this.more.get(request);
    if (state === undefined) return undefined;
    this.more.delete(request);
    const taken = this.taken;
    taken.startUs = state.startUs;
    taken.record = state.record;
    taken.spanId = state.spanId;
    taken.method = state.method;
    taken.urlId = state.urlId;
    return taken;
  }

  /** `socket` closed: hands over every request still in flight on it, oldest first, and forgets it. */
  close(socket: Socket, abort: (request: Request, state: RequestState) => void): void {
    this.watched.delete(socket);
    for (;;) {
      // The oldest request still open on this socket (by begin record): rarely more than one.
      let oldest: Request | undefined;
      let oldestRecord = Infinity;
      for (let slot = 0; slot < this.open; slot++) {
        const record = this.state[slot * STATE_F64 + S_RECORD] ?? 0;
        if (this.socketsOf[slot] === socket && record < oldestRecord) {
          oldest = this.requests[slot];
          oldestRecord = record;
        }
      }
      for (const state of this.more.values()) {
        if (state.socket === socket && state.record < oldestRecord) {
          oldest = state.request;
          oldestRecord = state.record;
        }
      }
      if (oldest === undefined) return;
      const state = this.take(oldest);
      if (state !== undefined) abort(oldest, state);
    }
  }

  /** Every socket watched (to stop watching them). */
  sockets(): Socket[] {
    return [...this.watched];
  }

  clear(): void {
    this.requests.fill(undefined);
    this.socketsOf.fill(undefined);
    this.open = 0;
    this.more.clear();
    this.watched.clear();
  }
}
