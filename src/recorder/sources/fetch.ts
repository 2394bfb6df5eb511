// fetch() (Node's bundled undici) as `http.client` spans with api 'fetch', from undici's
// diagnostics channels: create → headers (status) → trailers (body complete) or error. The
// span ends when the body is complete, so a slow body counts; a body nobody reads leaves the
// span open (it shows as in flight).
import type { EventSource, SourceContext } from '../contracts';
import { subscribeAll } from './channels';
import { beginClientSpan, endClientSpan, requestErrorText } from './client-span';
import { CLIENT_API } from './kinds';
import { recordedHeaderText, undiciHeaderPairs } from './request-headers';
import { SpanTable } from './span-table';

interface UndiciRequest {
  origin?: unknown;
  method?: string;
  path?: string;
  headers?: unknown;
}

/**
 * @param recordHeaders lower-case names of the request headers to record (none: no header read)
 * @param redactHeaders whether secret-bearing headers among them keep `***`
 */
export function fetchSource(recordHeaders: readonly string[] = [], redactHeaders = true): EventSource {
  return {
    name: 'fetch',
    install(context: SourceContext) {
      const { ring } = context;
      // Tagged ids: fetch spans share the http.client category with node:http ones.
      const spans = new SpanTable(0x40000000);
      // Weak: a request whose end never comes (a body nobody reads) must not be kept alive,
      // and no property is added to the library's object (see http-server.ts).
      const spanOf = new WeakMap<UndiciRequest, number>();
      // Status seen at `headers`, kept until the body ends (the table's number holds the method).
      const statusBySlot = new Int32Array(4096);

      const end = (request: UndiciRequest, error: string | undefined) => {
        const id = spanOf.get(request);
        endClientSpan(ring, spans, id, id === undefined ? 0 : (statusBySlot[id & 4095] ?? 0), error);
      };

      return subscribeAll(context, 'fetch', {
        'undici:request:create': (message: { request: UndiciRequest }) => {
          const request = message.request;
          const headers = recordHeaders.length === 0 ? '' : recordedHeaderText(undiciHeaderPairs(request.headers), recordHeaders, redactHeaders);
          const id = beginClientSpan(ring, spans, context.appendUrl, request.method ?? 'GET', `${String(request.origin ?? '')}${request.path ?? ''}`, CLIENT_API.fetch, headers);
          spanOf.set(request, id);
          statusBySlot[id & 4095] = 0;
        },
        'undici:request:headers': (message: { request: UndiciRequest; response: { statusCode?: number } }) => {
          const id = spanOf.get(message.request);
          if (id !== undefined && spans.has(id)) statusBySlot[id & 4095] = message.response.statusCode ?? 0;
        },
        'undici:request:trailers': (message: { request: UndiciRequest }) => end(message.request, undefined),
        'undici:request:error': (message: { request: UndiciRequest; error: unknown }) => {
          end(message.request, requestErrorText(message.error));
        },
      });
    },
  };
}
