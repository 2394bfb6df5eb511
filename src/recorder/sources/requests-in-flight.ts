// Which span each in-flight server request belongs to, with no property added to Node's
// objects (see http-server.ts) and no Map entry created and deleted per request: a connection
// serves one request at a time, so the state lives per connection (one Map entry per socket,
// looked up once at each end of a request). A pipelined request (sent before the previous one
// on its connection finished) goes to a small overflow map instead.

interface Connection<Request> {
  request: Request | undefined;
  spanId: number;
}

export class RequestsInFlight<Socket extends object, Request extends { socket?: unknown }> {
  private readonly connections = new Map<Socket, Connection<Request>>();
  private readonly pipelined = new Map<Request, number>();

  /** Notes `request`'s span; true when `socket` is new (the caller starts watching it close). */
  begin(socket: Socket | undefined, request: Request, spanId: number): boolean {
    if (socket === undefined) {
      this.pipelined.set(request, spanId);
      return false;
    }
    const connection = this.connections.get(socket);
    if (connection === undefined) {
      this.connections.set(socket, { request, spanId });
      return true;
    }
    if (connection.request === undefined) {
      connection.request = request;
      connection.spanId = spanId;
    } else {
      this.pipelined.set(request, spanId);
    }
    return false;
  }

  /** The span of `request` (0 when unknown), forgotten. */
  take(socket: Socket | undefined, request: Request): number {
    if (socket !== undefined) {
      const connection = this.connections.get(socket);
      if (connection !== undefined && connection.request === request) {
        connection.request = undefined;
        return connection.spanId;
      }
    }
    if (this.pipelined.size === 0) return 0;
    const spanId = this.pipelined.get(request) ?? 0;
    this.pipelined.delete(request);
    return spanId;
  }

  /** `socket` closed: hands over every request still in flight on it, and forgets it. */
  close(socket: Socket, abort: (request: Request, spanId: number) => void): void {
    const connection = this.connections.get(socket);
    this.connections.delete(socket);
    if (connection?.request !== undefined) abort(connection.request, connection.spanId);
    if (this.pipelined.size === 0) return;
    for (const [request, spanId] of this.pipelined) {
      if (request.socket !== socket) continue;
      this.pipelined.delete(request);
      abort(request, spanId);
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
