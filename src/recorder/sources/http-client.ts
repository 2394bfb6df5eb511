// Outgoing requests of node:http / node:https (ClientRequest) as async spans, from
// diagnostics_channel. The span ends when the response headers arrive
// (`http.client.response.finish` is published then in Node 20) or on error.
import type { EventSource, SourceContext } from '../contracts';
import { subscribeAll } from './channels';
import { beginClientSpan, endClientSpan, requestErrorText } from './client-span';
import { CLIENT_API } from './kinds';
import { clientRequestHeaderPairs, recordedHeaderText } from './request-headers';
import { SpanTable } from './span-table';

interface ClientRequest {
  method?: string;
  protocol?: string;
  host?: string;
  path?: string;
  getHeader?(name: string): unknown;
}

function urlOf(request: ClientRequest): string {
  const host = request.getHeader?.('host');
  return `${request.protocol ?? 'http:'}//${typeof host === 'string' ? host : (request.host ?? '')}${request.path ?? ''}`;
}

/**
 * @param recordHeaders lower-case names of the request headers to record (none: no header read)
 * @param redactHeaders whether secret-bearing headers among them keep `***`
 */
export function httpClientSource(recordHeaders: readonly string[] = [], redactHeaders = true): EventSource {
  return {
    name: 'http-client',
    install(context: SourceContext) {
      const { ring } = context;
      const spans = new SpanTable();
      // Weak: a request whose end never comes (a body nobody reads) must not be kept alive,
      // and no property is added to the library's object (see http-server.ts).
      const spanOf = new WeakMap<ClientRequest, number>();

      const end = (request: ClientRequest, status: number, error: string | undefined) => {
        endClientSpan(ring, spans, spanOf.get(request), status, error);
      };

      return subscribeAll(context, 'http-client', {
        'http.client.request.start': (message: { request: ClientRequest }) => {
          const request = message.request;
          const api = request.protocol === 'https:' ? CLIENT_API.https : CLIENT_API.http;
          const headers = recordHeaders.length === 0 ? '' : recordedHeaderText(clientRequestHeaderPairs(request, recordHeaders), recordHeaders, redactHeaders);
          spanOf.set(request, beginClientSpan(ring, spans, context.appendUrl, request.method ?? 'GET', urlOf(request), api, headers));
        },
        'http.client.response.finish': (message: { request: ClientRequest; response: { statusCode?: number } }) => {
          end(message.request, message.response.statusCode ?? 0, undefined);
        },
        'http.client.request.error': (message: { request: ClientRequest; error: unknown }) => {
          end(message.request, 0, requestErrorText(message.error));
        },
      });
    },
  };
}
