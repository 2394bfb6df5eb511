// The end of an outgoing request's span, shared by node:http/https and fetch (undici): both
// keep the URL's string id and method code in a SpanTable slot from the start, and end the same way.
import type { EventRing } from '../contracts';
import { HTTP_END_ERROR, Kind } from './kinds';
import type { SpanTable } from './span-table';

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
