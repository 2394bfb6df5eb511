// fetch() (Node's bundled undici) as `http.client` spans with api 'fetch', from undici's
// diagnostics channels: create → headers (status) → trailers (body complete) or error. The
// span ends when the body is complete, so a slow body counts; a body nobody reads leaves the
// span open (it shows as in flight).
import type { EventSource, SourceContext } from '../contracts';
import { subscribeAll } from './channels';
import { endClientSpan } from './client-span';
import { Kind, methodCode } from './kinds';
import { SpanTable } from './span-table';

const kSpanId = Symbol('flightRecorder.fetchSpanId');

interface UndiciRequest {
  origin?: unknown;
  method?: string;
  path?: string;
  [kSpanId]?: number;
}

const FETCH_API = 3;

export function fetchSource(): EventSource {
  return {
    name: 'fetch',
    install(context: SourceContext) {
      const { ring } = context;
      const spans = new SpanTable(0x40000000);
      // Status seen at `headers`, kept until the body ends (the table's number holds the method).
      const statusBySlot = new Int32Array(4096);

      const end = (request: UndiciRequest, error: string | undefined) => {
        const id = request[kSpanId];
        endClientSpan(ring, spans, id, id === undefined ? 0 : (statusBySlot[id & 4095] ?? 0), error);
      };

      return subscribeAll(context, 'fetch', {
        'undici:request:create': (message: { request: UndiciRequest }) => {
          const request = message.request;
          const nowUs = ring.nowUs();
          const url = context.redactUrl(`${String(request.origin ?? '')}${request.path ?? ''}`);
          const method = request.method ?? 'GET';
          const code = methodCode(method);
          // Tagged ids: fetch spans share the http.client category with node:http ones.
          const id = spans.begin(nowUs, url, code);
          request[kSpanId] = id;
          statusBySlot[id & 4095] = 0;
          ring.write(Kind.httpClientBegin, nowUs, 0, id, code, FETCH_API, code === 0 ? ring.intern(method) : 0, ring.intern(url));
        },
        'undici:request:headers': (message: { request: UndiciRequest; response: { statusCode?: number } }) => {
          const id = message.request[kSpanId];
          if (id !== undefined && spans.has(id)) statusBySlot[id & 4095] = message.response.statusCode ?? 0;
        },
        'undici:request:trailers': (message: { request: UndiciRequest }) => end(message.request, undefined),
        'undici:request:error': (message: { request: UndiciRequest; error: unknown }) => {
          const error = message.error;
          end(message.request, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        },
      });
    },
  };
}
