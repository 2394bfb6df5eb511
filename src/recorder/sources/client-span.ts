// An outgoing request's span, shared by node:http/https and fetch (undici): both keep the URL's
// string id and method code in a SpanTable slot from the start, and begin and end the same way.
import type { EventRing } from '../contracts';
import { HTTP_END_ERROR, Kind, methodCode } from './kinds';
import type { SpanTable } from './span-table';

/**
 * Writes the `httpClientBegin` record of a new span and returns its id: one clock read, the
 * URL appended once (redacted when a snapshot decodes it) — the end record names the same
 * entry. `api` is CLIENT_APIS'.
 * `headers`: the recorded request headers' text (request-headers.ts), '' for none; written as a
 * record of its own just before the begin record.
 */
export function beginClientSpan(ring: EventRing, spans: SpanTable, appendUrl: (url: string) => number, method: string, url: string, api: number, headers = ''): number {
  const nowUs = ring.nowUs();
  const code = methodCode(method);
  const urlId = appendUrl(url);
  const id = spans.begin(nowUs, undefined, code, urlId);
  if (headers !== '') ring.write(Kind.httpClientHeaders, nowUs, 0, id, 0, 0, ring.appendString(headers), 0);
  ring.write(Kind.httpClientBegin, nowUs, 0, id, code, api, code === 0 ? ring.intern(method) : 0, urlId);
  return id;
}

/** Writes the `httpClientEnd` record of span `id` and frees its slot; unknown ids are ignored. */
export function endClientSpan(ring: EventRing, spans: SpanTable, id: number | undefined, status: number, error: string | undefined): void {
  if (id === undefined || !spans.has(id)) return;
  const nowUs = ring.nowUs();
  const knownStartUs = spans.startOf(id);
  const startUs = knownStartUs < 0 ? nowUs : knownStartUs;
  const urlId = spans.stringIdOf(id);
  const method = spans.numberOf(id);
  spans.end(id);
  ring.write(Kind.httpClientEnd, startUs, nowUs - startUs, id, status,
    error === undefined ? method : method | HTTP_END_ERROR, urlId, error === undefined ? 0 : ring.intern(error));
}

/** How a failed request's error is named in its end record: `TypeError: fetch failed`. */
export function requestErrorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
