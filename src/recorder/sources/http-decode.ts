// Decoders of the HTTP span records (server and client share the layout).
import type { HttpBeginArgs, HttpEndArgs } from '../../format/trace-event';
import type { DecodeContext, RecordView } from '../contracts';
import { noteBegin, noteHeaders, takeBegin, takeHeaders } from './decode-state';
import { headersOfText } from './request-headers';
import { CLIENT_APIS, HTTP_END_ABORTED, HTTP_END_ERROR, HTTP_METHODS, SPAN_ABORTED, SPAN_ROUTE_UNIT, SPAN_STATUS_MASK } from './kinds';

/** Name of a span whose URL's string-table entry was overwritten before the snapshot. */
const URL_OVERWRITTEN = '(URL overwritten)';

/**
 * `GET /a/b?x=***` → `GET /a/b`; client spans keep the origin (`GET http://host:1/a`). `url` is
 * redacted already (DecodeContext.redactUrl): a client URL's credentials are in front of its path.
 */
export function spanName(method: string, url: string): string {
  if (url === '') return `${method} ${URL_OVERWRITTEN}`;
  const question = url.indexOf('?');
  return `${method} ${question < 0 ? url : url.slice(0, question)}`;
}

/** A record's URL field, redacted as configured ('' when its entry was overwritten). */
function urlOf(text: string | undefined, out: DecodeContext): string {
  return text === undefined || text === '' ? '' : out.redactUrl(text);
}

/**
 * Begin record (`httpServerBegin` 32 / `httpClientBegin` 34):
 *   ts = request start, id = span id (pairs with the end record),
 *   a = method code (kinds.ts HTTP_METHODS; 0 = other, then s1 holds it),
 *   b = client API code (CLIENT_APIS: 1 http, 2 https, 3 fetch; 0 for server spans),
 *   s1 = method, written only when a = 0 (0 otherwise: the code names it, and skipping the
 *   intern saves a string lookup per request), s2 = url (server: path + query; client:
 *   origin + path + query), as it came: redacted here, as it is decoded.
 */
export function decodeHttpBegin(category: 'http.server' | 'http.client') {
  return (record: RecordView, out: DecodeContext): void => void emitBegin(category, record, out);
}

/** Emits a begin record's `b` event; returns the span's name (its end's too). */
function emitBegin(category: 'http.server' | 'http.client', record: RecordView, out: DecodeContext): string {
  const method = record.s1 ?? HTTP_METHODS[record.a] ?? '';
  const url = urlOf(record.s2, out);
  const args: HttpBeginArgs = { method, url };
  const api = CLIENT_APIS[record.b];
  if (api) args.api = api;
  const headers = takeHeaders(out, category, record.id);
  if (headers !== undefined) args.headers = headersOfText(headers);
  noteBegin(out, category, record.id);
  const name = spanName(method, url);
  out.emit({ name, cat: category, ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id, args: args as unknown as Record<string, unknown> });
  return name;
}

/**
 * End record (`httpServerEnd` 33 / `httpClientEnd` 35), written when the response finished
 * (or on error/abort):
 *   ts = the span's start (as in its begin record), dur = its length µs; the `e` event is at
 *   ts + dur. When the begin record is gone from the ring, a `b` is synthesised from this one
 *   (args.startedBeforeWindow),
 *   id = span id, a = status code (0 = none),
 *   b = method code | HTTP_END_ERROR (s2 is an error message) | HTTP_END_ABORTED,
 *   s1 = url as in the begin record (unredacted), s2 = route template (server) or error message.
 */
export function decodeHttpEnd(category: 'http.server' | 'http.client') {
  return (record: RecordView, out: DecodeContext): void => {
    const method = HTTP_METHODS[record.b & 0xff] || 'HTTP';
    const args: HttpEndArgs & { route?: string; aborted?: boolean } = {};
    if (record.a > 0) args.status = record.a;
    if (record.b & HTTP_END_ERROR) args.error = record.s2 ?? 'error';
    else if (record.s2) args.route = record.s2;
    if (record.b & HTTP_END_ABORTED) args.aborted = true;
    const url = urlOf(record.s1, out);
    const name = spanName(method, url);
    if (!takeBegin(out, category, record.id)) {
      out.emit({ name, cat: category, ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id, args: { method, url, startedBeforeWindow: true } });
    }
    out.emit({ name, cat: category, ph: 'e', ts: record.tsUs + record.durUs, pid: out.pid, tid: out.tid, id: record.id, args: args as Record<string, unknown> });
  };
}

/**
 * Completed server span (`httpServerSpan` 55): the begin record of a request that finished
 * while it was still in the ring, completed in place (one record per request):
 *   ts, id, a, s1, s2 as in the begin record (start, span id, method code, method, url),
 *   dur = length µs, b = route id × SPAN_ROUTE_UNIT + SPAN_ABORTED? + status (kinds.ts).
 * A `b` of 0 is a record caught half-completed by a concurrent copy: read as the open begin.
 */
export function decodeHttpServerSpan(record: RecordView, out: DecodeContext): void {
  const name = emitBegin('http.server', record, out);
  if (record.b === 0) return;
  takeBegin(out, 'http.server', record.id);
  const low = record.b % SPAN_ROUTE_UNIT;
  const status = low & SPAN_STATUS_MASK;
  const route = record.b >= SPAN_ROUTE_UNIT ? record.string?.(Math.floor(record.b / SPAN_ROUTE_UNIT)) : undefined;
  const args: HttpEndArgs & { route?: string; aborted?: boolean } = {};
  if (status > 0) args.status = status;
  if (route) args.route = route;
  if (low & SPAN_ABORTED) args.aborted = true;
  out.emit({ name, cat: 'http.server', ph: 'e', ts: record.tsUs + record.durUs, pid: out.pid, tid: out.tid, id: record.id, args: args as Record<string, unknown> });
}

/**
 * Recorded request headers (`httpServerHeaders` 56 / `httpClientHeaders` 57), written just before
 * their span's begin record when `recordHeaders` names any the request carries: ts = request
 * start, id = span id, s1 = "name: value" lines (request-headers.ts). Emits nothing itself: the
 * begin's `headers`.
 */
export function decodeHttpHeaders(category: 'http.server' | 'http.client') {
  return (record: RecordView, out: DecodeContext): void => {
    if (record.s1 !== undefined) noteHeaders(out, category, record.id, record.s1);
  };
}
