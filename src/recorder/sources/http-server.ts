// HTTP server requests (node:http and everything built on it: Express, Fastify, Koa, ...) as
// async spans, from diagnostics_channel. Per request: one clock read and one record at each
// end, one symbol property on the request, a redacted URL string (the same string when there
// is no query). The route template comes from Express (`req.route`) or Fastify (its
// `fastify.request.handler` tracing channel).
import type { EventSource, SourceContext } from '../contracts';
import { subscribeAll } from './channels';
import { HTTP_END_ABORTED, Kind, methodCode } from './kinds';
import { SpanTable } from './span-table';

const kSpanId = Symbol('flightRecorder.spanId');
const kRoute = Symbol('flightRecorder.route');
/** On a server socket: the request being served on it (for aborts), and whether we listen for its close. */
const kInFlight = Symbol('flightRecorder.inFlight');
const kWatched = Symbol('flightRecorder.watched');

interface ServerRequest {
  method?: string;
  url?: string;
  baseUrl?: unknown;
  route?: { path?: unknown };
  [kSpanId]?: number;
  [kRoute]?: string;
}
interface ServerResponse {
  statusCode: number;
}
interface ServerSocket {
  [kInFlight]?: ServerRequest;
  [kWatched]?: boolean;
  on(event: 'close', listener: (this: ServerSocket) => void): unknown;
}

/**
 * Redaction can change a URL only through a query (`?`), a fragment (`#`) or credentials
 * (`@`); most request paths have none, and skipping the call for them saves its scans.
 */
function mayNeedRedaction(url: string): boolean {
  return url.indexOf('?') >= 0 || url.indexOf('#') >= 0 || url.indexOf('@') >= 0;
}

/** The framework's route template for this request, when one told us. */
function routeOf(request: ServerRequest): string | undefined {
  const fromChannel = request[kRoute];
  if (fromChannel !== undefined) return fromChannel;
  const route = request.route; // Express
  if (route !== undefined && route !== null && typeof route.path === 'string') {
    return typeof request.baseUrl === 'string' ? request.baseUrl + route.path : route.path;
  }
  return undefined;
}

export function httpServerSource(): EventSource {
  return {
    name: 'http-server',
    install(context: SourceContext) {
      const { ring, rules } = context;
      const spans = new SpanTable();

      const finish = (request: ServerRequest, response: ServerResponse | undefined, flags: number) => {
        const id = request[kSpanId];
        if (id === undefined || !spans.has(id)) return;
        const nowUs = ring.nowUs();
        const knownStartUs = spans.startOf(id);
        const startUs = knownStartUs < 0 ? nowUs : knownStartUs;
        const durUs = nowUs - startUs;
        const url = spans.textOf(id) ?? '';
        const method = spans.numberOf(id);
        spans.end(id);
        const status = response === undefined ? 0 : response.statusCode;
        const route = routeOf(request);
        ring.write(Kind.httpServerEnd, startUs, durUs, id, status, method | flags, ring.intern(url), route === undefined ? 0 : ring.intern(route));
        if (knownStartUs >= 0) rules.requestFinished(durUs / 1000, status, route ?? url);
      };

      // The client went away before the response finished: its socket closed with a request
      // still in flight. One listener per connection (not per request: keep-alive connections
      // carry many), and two property stores per request.
      const onSocketClose = context.guard('http-server socket close', function (this: ServerSocket) {
        const request = this[kInFlight];
        this[kInFlight] = undefined;
        if (request !== undefined) finish(request, undefined, HTTP_END_ABORTED);
      });

      const unsubscribe = subscribeAll(context, 'http-server', {
        'http.server.request.start': (message: { request: ServerRequest; socket?: ServerSocket }) => {
          const request = message.request;
          const nowUs = ring.nowUs();
          const rawUrl = request.url ?? '';
          const url = mayNeedRedaction(rawUrl) ? context.redactUrl(rawUrl) : rawUrl;
          const method = request.method ?? '';
          const code = methodCode(method);
          const id = spans.begin(nowUs, url, code);
          request[kSpanId] = id;
          const socket = message.socket;
          if (socket !== undefined) socket[kInFlight] = request;
          if (socket !== undefined && socket[kWatched] !== true) {
            socket[kWatched] = true;
            socket.on('close', onSocketClose);
          }
          ring.write(Kind.httpServerBegin, nowUs, 0, id, code, 0, code === 0 ? ring.intern(method) : 0, ring.intern(url));
        },
        'http.server.response.finish': (message: { request: ServerRequest; response: ServerResponse; socket?: ServerSocket }) => {
          const socket = message.socket;
          if (socket !== undefined && socket[kInFlight] === message.request) socket[kInFlight] = undefined;
          finish(message.request, message.response, 0);
        },
        // Fastify publishes the matched route on this tracing channel (v4.26+/v5).
        'tracing:fastify.request.handler:start': (message: { request?: { raw?: ServerRequest }; route?: { url?: unknown } }) => {
          const raw = message.request?.raw;
          const url = message.route?.url;
          if (raw !== undefined && typeof url === 'string') raw[kRoute] = url;
        },
      });
      return unsubscribe;
    },
  };
}
