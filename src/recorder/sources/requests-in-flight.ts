// The in-flight server requests and their span state, with no property added to Node's objects
// (see http-server.ts) and nothing allocated per request: a connection serves one request at a
// time, so the state lives in one object per connection (one Map entry per socket, looked up
// once at each end of a request), reused by every request on it. What a request's end record
// needs (span id, start, method, URL entry) sits in that object, one cache line, instead of in
// a table of separate arrays. A pipelined request (sent before the previous one on its
// connection finished) gets an object of its own in a small overflow map.

/** One request in flight. Valid until the next `begin` on the same connection: copy, don't keep. */
export interface RequestState<Request> {
  request: Request | undefined;
  spanId: number;
  startUs: number;
  method: number;
  urlId: number;
  /** The begin record's sequence number in the ring (to complete it in place). */
  record: number;
}

export class RequestsInFlight<Socket extends object, Request extends { socket?: unknown }> {
  private readonly connections = new Map<Socket, RequestState<Request>>();
  private readonly pipelined = new Map<Request, RequestState<Request>>();

  /** Notes `request`'s span; true when `socket` is new (the caller starts watching it close). */
  begin(socket: Socket | undefined, request: Request, spanId: number, startUs: number, method: number, urlId: number, record: number): boolean {
    // The common case (a known connection with no request in flight) kept small, so V8 inlines
    // it into the request hook; the rest is beginOther's.
    const state = socket === undefined ? undefined : this.connections.get(socket);
    if (state === undefined || state.request !== undefined) return this.beginOther(socket, state, request, spanId, startUs, method, urlId, record);
    state.request = request;
    state.spanId = spanId;
    state.startUs = startUs;
    state.method = method;
    state.urlId = urlId;
    state.record = record;
    return false;
  }

  /** begin without a socket, on a new connection, or pipelined behind a request in flight. */
  private beginOther(socket: Socket | undefined, state: RequestState<Request> | undefined, request: Request, spanId: number, startUs: number, method: number, urlId: number, record: number): boolean {
    if (socket !== undefined && state === undefined) {
      this.connections.set(socket, { request, spanId, startUs, method, urlId, record });
      return true;
    }
    this.pipelined.set(request, { request, spanId, startUs, method, urlId, record });
    return false;
  }

  /** The state of `request` (undefined when unknown), marked finished. */
  take(socket: Socket | undefined, request: Request): RequestState<Request> | undefined {
    const state = socket === undefined ? undefined : this.connections.get(socket);
    if (state !== undefined && state.request === request) {
      state.request = undefined;
      return state;
    }
    return this.pipelined.size === 0 ? undefined : this.takePipelined(request);
  }

  private takePipelined(request: Request): RequestState<Request> | undefined {
    const state = this.pipelined.get(request);
    this.pipelined.delete(request);
    return state;
  }

  /** `socket` closed: hands over every request still in flight on it, and forgets it. */
  close(socket: Socket, abort: (request: Request, state: RequestState<Request>) => void): void {
    const state = this.connections.get(socket);
    this.connections.delete(socket);
    const request = state?.request;
    if (state !== undefined && request !== undefined) {
      state.request = undefined;
      abort(request, state);
    }
    if (this.pipelined.size === 0) return;
    for (const [pipelinedRequest, pipelinedState] of this.pipelined) {
      if (pipelinedRequest.socket !== socket) continue;
      this.pipelined.delete(pipelinedRequest);
      abort(pipelinedRequest, pipelinedState);
    }
  }

  sockets(): IterableIterator<Socket> {
    return this.connections.keys();
  }

  clear(): void {
    this.connections.clear();
    this.pipelined.clear();
  }
}
