// HTTP server requests (node:http and everything built on it: Express, Fastify, Koa, ...) as
// async spans, from diagnostics_channel. Per request: one clock read and one record at each
// end, the URL appended once to the string table (redacted as it is copied), and a lookup of
// the connection's state (requests-in-flight.ts). The route template comes from Express
// (`req.route`). Fastify's would come from its `fastify.request.handler` tracing channel, but
// subscribing to it makes Fastify trace every handler: +25–30 % CPU per request measured
// (docs/benchmarks.md), so Fastify spans are named by their URL.
//
// No property is ever added to Node's request, response or socket objects: a property added
// after construction moves every request to a second hidden class, which makes the server's
// own code (http parser callbacks, streams) polymorphic. Maps keyed by the objects (identity
// hashes live outside the hidden class) leave them as they are.
import type { EventSource, SourceContext } from '../contracts';
import { subscribeAll } from './channels';
import { HTTP_END_ABORTED, Kind, methodCode } from './kinds';
import { RequestsInFlight } from './requests-in-flight';
import { SpanTable } from './span-table';

interface ServerRequest {
  method?: string;
  url?: string;
  baseUrl?: unknown;
  route?: { path?: unknown };
  socket?: unknown;
}
interface ServerResponse {
  statusCode: number;
}
interface ServerSocket {
  once(event: 'close', listener: (this: ServerSocket) => void): unknown;
  off(event: 'close', listener: (this: ServerSocket) => void): unknown;
}

/** Express's route template for this request (`baseUrl` + `route.path`), when it matched one. */
function expressRouteOf(request: ServerRequest): string | undefined {
  const route = request.route;
  if (route !== undefined && route !== null && typeof route.path === 'string') {
    return typeof request.baseUrl === 'string' ? request.baseUrl + route.path : route.path;
  }
  return undefined;
}

export function httpServerSource(): EventSource {
  return {
    name: 'http-server',
    install(context: SourceContext) {
      const { ring, rules, appendUrl, redactUrl } = context;
      const spans = new SpanTable();
      const inFlight = new RequestsInFlight<ServerSocket, ServerRequest>();

      const finish = (request: ServerRequest, id: number, response: ServerResponse | undefined, flags: number) => {
        if (!spans.has(id)) return;
        const nowUs = ring.nowUs();
        const knownStartUs = spans.startOf(id);
        const startUs = knownStartUs < 0 ? nowUs : knownStartUs;
        const durUs = nowUs - startUs;
        const urlId = spans.stringIdOf(id);
        const method = spans.numberOf(id);
        const url = spans.textOf(id);
        spans.end(id);
        const status = response === undefined ? 0 : response.statusCode;
        const route = expressRouteOf(request);
        // The URL's entry from the begin record is named again, not stored twice.
        ring.write(Kind.httpServerEnd, startUs, durUs, id, status, method | flags, urlId, route === undefined ? 0 : ring.intern(route));
        if (knownStartUs >= 0) rules.requestFinished(durUs / 1000, status, route ?? url ?? '', redactUrl);
      };

      // The client went away before the response finished: its socket closed with a request
      // still in flight. One listener per connection (not per request: keep-alive connections
      // carry many).
      const abort = (request: ServerRequest, id: number) => finish(request, id, undefined, HTTP_END_ABORTED);
      const onSocketClose = context.guard('http-server socket close', function (this: ServerSocket) {
        inFlight.close(this, abort);
      });

      const unsubscribe = subscribeAll(context, 'http-server', {
        'http.server.request.start': (message: { request: ServerRequest; socket?: ServerSocket }) => {
          const request = message.request;
          const nowUs = ring.nowUs();
          const url = request.url ?? '';
          const method = request.method ?? '';
          const code = methodCode(method);
          // URLs carry ids and rarely repeat: appended (redacted while copied), never looked up
          // in a table that would hash them and keep them alive. The span keeps the raw URL
          // only to name a rule's snapshot, redacted then.
          const urlId = appendUrl(url);
          const id = spans.begin(nowUs, url, code, urlId);
          const socket = message.socket;
          if (inFlight.begin(socket, request, id)) socket?.once('close', onSocketClose);
          ring.write(Kind.httpServerBegin, nowUs, 0, id, code, 0, code === 0 ? ring.intern(method) : 0, urlId);
        },
        'http.server.response.finish': (message: { request: ServerRequest; response: ServerResponse; socket?: ServerSocket }) => {
          const id = inFlight.take(message.socket, message.request);
          if (id !== 0) finish(message.request, id, message.response, 0);
        },
      });
      return () => {
        unsubscribe();
        for (const socket of inFlight.sockets()) socket.off('close', onSocketClose);
        inFlight.clear();
      };
    },
  };
}
