// HTTP server requests (node:http and everything built on it: Express, Fastify, Koa, ...) as
// async spans, from diagnostics_channel. Per request: one clock read at each end; one record,
// written at the start and completed in place at the end (ring.complete: half the ring writes
// of a begin and an end record, and twice the requests a ring holds); the URL appended once
// to the string table as it came (a snapshot redacts it as it decodes it); the span's start,
// method and URL entry noted in a small table of open requests (requests-in-flight.ts), which
// the end finds by its connection (the oldest request open on the socket: Node ends a
// connection's responses in order), not by the request, which the table does not hold. Every
// few seconds a request also tells the rules that work is under way (loopActive: one
// comparison otherwise).
// A client that leaves mid-request ends its span as aborted. The close of a connection is
// watched only once a sweep (at the event-loop source's tick — every 50 ms while the loop
// works, 100 ms while it idles — and before a snapshot) finds a request of it still open: most
// requests end before that, and their start no longer looks their connection up in a Set of
// watched ones (~11 % of the recorder's per-request samples; a timer of the source's own for
// the sweeps cost as much again). A request whose connection closed before the first sweep
// after its start is found closed by that sweep and ends then: its abort is placed up to one
// tick late.
// Rules are called at the end only when one watches requests. On a loaded server nearly all
// of this cost is cache misses, not instructions: each object the hooks read or write is a
// line the program's own work has likely evicted since the previous request, so the hooks
// touch as few distinct objects as they can (docs/benchmarks.md).
// Headers named in `recordHeaders` (none by default; client spans record theirs the same way,
// client-span.ts) are read from the request's raw header list
// and written as a record of their own just before the begin record (request-headers.ts); with
// none asked for, the hook does not look at them.
// The route template comes from Express (`req.route`). Fastify's would come from its
// `fastify.request.handler` tracing channel, but subscribing to it makes Fastify trace every
// handler: +25–30 % CPU per request measured (docs/benchmarks.md), so Fastify spans are named
// by their URL.
//
// No property is ever added to Node's request, response or socket objects: a property added
// after construction moves every request to a second hidden class, which makes the server's
// own code (http parser callbacks, streams) polymorphic. Tables that hold references to the
// objects, and Sets keyed by them (identity hashes live outside the hidden class), leave them
// as they are.
import type { EventSource, SourceContext } from '../contracts';
import { rethrow } from '../guard';
import { subscribeSelfGuarded } from './channels';
import { HTTP_END_ABORTED, Kind, methodCode, SPAN_ABORTED, SPAN_ROUTE_UNIT, SPAN_STATUS_MASK } from './kinds';
import { RequestsInFlight, type RequestState } from './requests-in-flight';
import { recordedHeaderText } from './request-headers';

/** Span ids count up to this and start again at 1 (0 means none; ids stay Smis). */
const MAX_SPAN_ID = 0x3fffffff;
/**
 * A request tells the rules that work is under way (the watchdog then looks for an event-loop
 * block: watchdog/loop-probe.ts) at most this often: an idle server's first request, which the
 * loop's tick cannot announce before the handler blocks it, still gets its block's stack.
 */
const WORK_NOTICE_US = 5_000_000;

/** What a table key (a connection, or a request that came without one) offers: a close to watch. */
interface Closable {
  /** Node's: true once destroy() ran (its 'close' may still be queued). */
  destroyed?: boolean;
  once(event: 'close', listener: (this: Closable) => void): unknown;
  off(event: 'close', listener: (this: Closable) => void): unknown;
}
interface ServerRequest extends Closable {
  method?: string;
  url?: string;
  rawHeaders?: unknown;
  baseUrl?: unknown;
  route?: { path?: unknown };
  socket?: unknown;
}
interface ServerResponse {
  statusCode: number;
}
interface ServerSocket extends Closable {
  /** Node's own: the response the connection is writing (its oldest unfinished request's), or null. */
  _httpMessage?: { req?: unknown } | null;
}

/**
 * The request whose response a closing connection still carries — its oldest unfinished one:
 * Node assigns a connection's responses in order and detaches each as it finishes. Read only
 * when a client leaves mid-request, so an aborted request keeps the route Express matched.
 */
function requestOnClosingSocket(socket: Closable): ServerRequest | undefined {
  const request = (socket as ServerSocket)._httpMessage?.req;
  return typeof request === 'object' && request !== null ? (request as ServerRequest) : undefined;
}

/**
 * The names of what the end of a response reads from Node's request and response, read as keys
 * (`response[STATUS_CODE]`), never as `response.statusCode`. On Node 20 and 22 Express leaves
 * every request and response object with a hidden class of its own (no two consecutive
 * requests share one, from its first middleware on), so each named load there missed V8's
 * inline cache and its stub cache at every request and went to V8's runtime: ~0.15 µs a
 * property, three properties, a fifth to a quarter of what the recorder cost an Express request.
 * A keyed load that has seen many hidden classes finds the name in the object's own descriptors
 * without the runtime; on node:http's own objects (one hidden class) it compiles to the same
 * load as the named one (docs/benchmarks.md, finding 1).
 */
const STATUS_CODE = 'statusCode';
const ROUTE = 'route';
const BASE_URL = 'baseUrl';

/** Express's route template for this request (`baseUrl` + `route.path`), when it matched one. */
function expressRouteOf(request: ServerRequest): string | undefined {
  const route = request[ROUTE];
  if (route !== undefined && route !== null && typeof route.path === 'string') {
    const baseUrl = request[BASE_URL];
    // The route's own string when mounted at the root (the usual case): interned by a lookup
    // whose hash the string already carries, not by hashing a new concatenation every request.
    return typeof baseUrl === 'string' && baseUrl !== '' ? baseUrl + route.path : route.path;
  }
  return undefined;
}

/**
 * @param recordHeaders lower-case names of the request headers to record (none: no header read)
 * @param redactHeaders whether secret-bearing headers among them keep `***`
 */
export function httpServerSource(recordHeaders: readonly string[] = [], redactHeaders = true): EventSource {
  let sweep = (): void => {};
  return {
    name: 'http-server',
    install(context: SourceContext) {
      const { ring, rules, appendUrl, redactUrl } = context;
      // A function only when headers are wanted: the hook tests one constant otherwise.
      const writeHeaders = recordHeaders.length === 0 ? undefined : (request: ServerRequest, nowUs: number, id: number) => {
        const text = recordedHeaderText(request.rawHeaders, recordHeaders, redactHeaders);
        if (text !== '') ring.write(Kind.httpServerHeaders, nowUs, 0, id, 0, 0, ring.appendString(text), 0);
      };
      const inFlight = new RequestsInFlight<ServerSocket, ServerRequest>();
      let lastSpanId = 0;
      // Next to lastSpanId, which every request writes: the test below reads a line already at hand.
      let workNoticeDueUs = 0;
      const noticeWork = (nowUs: number) => {
        workNoticeDueUs = nowUs + WORK_NOTICE_US;
        rules.loopActive?.();
      };
      // Rules that say they watch no request (the default; triggers/rules.ts) are not called:
      // naming the request reads its URL, a line of Node's request object that is cold by the
      // time the response finishes (a cache miss per request, for nothing).
      const watchesRequests = rules.watchesRequests !== false;

      // `request` is undefined for a request aborted behind another on its connection (the table
      // of open requests holds sockets only): its span is then named by its URL, and rules read
      // that URL back.
      const finish = (request: ServerRequest | undefined, state: RequestState, response: ServerResponse | undefined, aborted: boolean) => {
        const nowUs = ring.nowUs();
        const durUs = nowUs - state.startUs;
        const status = response === undefined ? 0 : response[STATUS_CODE];
        const route = request === undefined ? undefined : expressRouteOf(request);
        const routeId = route === undefined ? 0 : ring.intern(route);
        // One record per request: the begin record completed in place while the ring still
        // holds it (nearly always); an end record naming the begin's URL entry otherwise.
        const completed = ring.complete(state.record, Kind.httpServerSpan, durUs, routeId * SPAN_ROUTE_UNIT + (aborted ? SPAN_ABORTED : 0) + (status & SPAN_STATUS_MASK));
        if (!completed) ring.write(Kind.httpServerEnd, state.startUs, durUs, state.spanId, status, state.method | (aborted ? HTTP_END_ABORTED : 0), state.urlId, routeId);
        if (watchesRequests) rules.requestFinished(durUs / 1000, status, route ?? (request === undefined ? ring.stringText(state.urlId) : request.url) ?? '', redactUrl);
      };

      // The client went away before the response finished: its socket closed with a request
      // still in flight. One listener per connection (not per request: keep-alive connections
      // carry many). The oldest open request is the one the socket's response belongs to.
      const onSocketClose = context.guard('http-server socket close', function (this: Closable) {
        let oldest = requestOnClosingSocket(this);
        inFlight.close(this as ServerSocket, (state) => {
          finish(oldest, state, undefined, true);
          oldest = undefined;
        });
      });
      // Connections with a request open since the last sweep: watched from now on, or ended at
      // once when they are closed already.
      sweep = context.guard('http-server sweep', () => {
        const found = inFlight.watchNew();
        for (let i = 0; i < found.length; i++) {
          const key = found[i]!;
          if (key.destroyed === true) onSocketClose.call(key);
          else key.once('close', onSocketClose);
        }
      });
      const stopSweeps = context.onLoopTick(sweep);

      // The two per-request hooks catch their own errors instead of going through the shared
      // guard wrapper: that wrapper's call to the hook is one call site for every guarded hook
      // of the process, so V8 cannot inline through it (an extra frame and an indirect call
      // per message). Errors still reach the guard, which counts and reports them.
      const reportStartError = context.guard('http-server http.server.request.start', rethrow);
      const reportFinishError = context.guard('http-server http.server.response.finish', rethrow);
      const unsubscribe = subscribeSelfGuarded({
        'http.server.request.start': (message: { request: ServerRequest; socket?: ServerSocket }) => {
          try {
            const request = message.request;
            const nowUs = ring.nowUs();
            if (nowUs >= workNoticeDueUs) noticeWork(nowUs);
            const url = request.url ?? '';
            const method = request.method ?? '';
            const code = methodCode(method);
            // URLs carry ids and rarely repeat: appended (redacted in the snapshot), never looked up
            // in a table that would hash them and keep them alive.
            const urlId = appendUrl(url);
            const id = (lastSpanId = lastSpanId >= MAX_SPAN_ID ? 1 : lastSpanId + 1);
            const socket = message.socket;
            if (writeHeaders !== undefined) writeHeaders(request, nowUs, id);
            const record = ring.writeOpen(Kind.httpServerBegin, nowUs, 0, id, code, 0, code === 0 ? ring.intern(method) : 0, urlId);
            inFlight.begin(socket, request, id, nowUs, code, urlId, record);
          } catch (error) {
            reportStartError(error);
          }
        },
        'http.server.response.finish': (message: { request: ServerRequest; response: ServerResponse; socket?: ServerSocket }) => {
          try {
            const state = inFlight.take(message.socket, message.request);
            if (state !== undefined) finish(message.request, state, message.response, false);
          } catch (error) {
            reportFinishError(error);
          }
        },
      });
      return () => {
        unsubscribe();
        stopSweeps();
        sweep = () => {};
        for (const key of inFlight.watching()) key.off('close', onSocketClose);
        inFlight.clear();
      };
    },
    // Before a snapshot: a request whose client has left shows as aborted, not in flight.
    flush: () => {
      sweep();
      return false;
    },
  };
}
