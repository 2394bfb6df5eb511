// The request headers a user asked to record (`recordHeaders`, e.g. x-request-id, traceparent:
// what ties a request to the program's logs and traces, and to the services it calls), read
// from a flat [name, value, …] list: an incoming request's raw headers (`request.headers` would
// build an object of every header, per request), undici's request headers, or the named ones of
// a ClientRequest. Stored as one string-table entry of "name: value" lines; secret-bearing
// headers keep `***` unless `redact.headers` is false (redact.ts).
import { isSecretHeader, REDACTED } from '../redact';

/** Longest header value kept, characters (a longer one is cut and marked with "…"). */
export const MAX_HEADER_VALUE_CHARS = 256;

/**
 * "name: value" lines for the `wanted` (lower-case) headers among `rawHeaders` (Node's flat
 * [name, value, …] list), in the request's order, a repeated header's values joined by ", ";
 * '' when the request has none of them.
 */
export function recordedHeaderText(rawHeaders: unknown, wanted: readonly string[], redact: boolean): string {
  if (!Array.isArray(rawHeaders)) return '';
  const found = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name: unknown = rawHeaders[i];
    if (typeof name !== 'string') continue;
    // Lower-cased only when its length matches a wanted name: most headers are skipped unread.
    let match: string | undefined;
    for (const candidate of wanted) {
      if (candidate.length === name.length && name.toLowerCase() === candidate) {
        match = candidate;
        break;
      }
    }
    if (match === undefined) continue;
    // Node's parser refuses line breaks in values; should one come anyway, it must not start a line of its own.
    const raw = String(rawHeaders[i + 1]).replace(/[\r\n]/g, ' ');
    const value = redact && isSecretHeader(match) ? REDACTED : raw.length > MAX_HEADER_VALUE_CHARS ? `${raw.slice(0, MAX_HEADER_VALUE_CHARS)}…` : raw;
    const before = found.get(match);
    found.set(match, before === undefined ? value : before === REDACTED ? before : `${before}, ${value}`);
  }
  let text = '';
  for (const [name, value] of found) text += `${text === '' ? '' : '\n'}${name}: ${value}`;
  return text;
}

/** The headers object of a recorded "name: value" text (the decoder's side). */
export function headersOfText(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 2);
  }
  return headers;
}

/** The named headers a node:http ClientRequest will send, as a flat [name, value, …] list. */
export function clientRequestHeaderPairs(request: { getHeader?(name: string): unknown }, wanted: readonly string[]): unknown[] {
  const pairs: unknown[] = [];
  if (typeof request.getHeader !== 'function') return pairs;
  for (const name of wanted) {
    const value = request.getHeader(name);
    if (value !== undefined) pairs.push(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return pairs;
}

/** undici's request headers as a flat list: an array already (Node 20–24), or "name: value\r\n" text (older undici). */
export function undiciHeaderPairs(headers: unknown): unknown[] {
  if (Array.isArray(headers)) return headers;
  if (typeof headers !== 'string') return [];
  const pairs: string[] = [];
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) pairs.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return pairs;
}
