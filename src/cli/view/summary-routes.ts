// The fast path of `cli view`: /trace/summary sends the event summary of the file (built in the
// background, trace-summary.ts); /trace/bytes?ranges=OFFSET:LENGTH,… sends byte ranges of the
// file, which the page asks for when someone looks at an event whose args stayed in the file;
// /trace/search?q=NEEDLE answers which of those events' args match a search (Int32 indices).
// When there is no summary /trace/summary answers 204 (the page then reads /trace); the others
// answer with a sentence when they cannot help.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSearchNeedle, MAX_SEARCH_CHARS } from '../../format/args-search';
import { EVENT_SUMMARY_CONTENT_TYPE, SUMMARY_COLUMNS_BYTES_HEADER, SUMMARY_MAX_BYTES_HEADER, summaryColumnsBytes, summaryMaxBytes } from '../../format/event-summary';
import { COMMON_HEADERS, send } from './respond';
import type { ByteRange } from '../../format/viewer-protocol';
import { checkRanges, FileChangedError, MAX_RANGES, type TraceSummaryCache } from '../../client/trace-summary';

const TEXT = 'text/plain; charset=utf-8';

export async function sendSummary(request: IncomingMessage, response: ServerResponse, cache: TraceSummaryCache, extra: Record<string, string>): Promise<void> {
  const streaming = request.method === 'GET' ? cache.inProgress() : undefined;
  if (streaming && (await streamSummary(response, streaming, extra))) return;
  const outcome = await cache.get();
  if (!('summary' in outcome)) {
    // 204, not an error status: the page reads /trace instead, and the browser's console stays
    // clean (it logs every 4xx). The reason travels in a header.
    response.writeHead(204, { ...COMMON_HEADERS, ...extra, 'x-summary-unavailable': encodeURIComponent(`No summary for this file: ${outcome.reason}`) });
    response.end();
    return;
  }
  const { summary } = outcome;
  response.writeHead(200, {
    ...COMMON_HEADERS,
    ...extra,
    'content-type': EVENT_SUMMARY_CONTENT_TYPE,
    'content-length': String(summary.byteLength),
    'x-summary-build-ms': String(Math.round(summary.buildMs)),
    'x-summary-built-on': summary.builtOn,
    ...columnsHeader(summary.pieces),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  for (const piece of summary.pieces) response.write(piece);
  response.end();
}

/**
 * A summary still being built, sent as it comes: everything before the span layout as soon as
 * it is ready (chunked: the length is not known yet), the layout's block when computed — the
 * page receives the first ~80 % of the bytes while the host lays the spans out. False when
 * there turned out to be no summary (the caller answers as usual).
 */
async function streamSummary(response: ServerResponse, build: NonNullable<ReturnType<TraceSummaryCache['inProgress']>>, extra: Record<string, string>): Promise<boolean> {
  const columns = await build.columns;
  if (!columns) return false;
  const header = columns.pieces[0];
  const maxBytes = header && summaryMaxBytes(header);
  response.writeHead(200, {
    ...COMMON_HEADERS,
    ...extra,
    'content-type': EVENT_SUMMARY_CONTENT_TYPE,
    'x-summary-built-on': columns.builtOn,
    ...(maxBytes === undefined ? {} : { [SUMMARY_MAX_BYTES_HEADER]: String(maxBytes) }),
    ...columnsHeader(columns.pieces),
  });
  for (const piece of columns.pieces) response.write(piece);
  const outcome = await build.outcome;
  if (!('summary' in outcome)) {
    // Cut off: the page's read fails and it reads the whole file instead.
    response.destroy();
    return true;
  }
  for (const piece of outcome.summary.pieces.slice(columns.pieces.length)) response.write(piece);
  response.end();
  return true;
}

/** Where a summary's span layout starts (SUMMARY_COLUMNS_BYTES_HEADER), read from its header: the first piece. */
function columnsHeader(pieces: Uint8Array[]): Record<string, string> {
  const columnsBytes = pieces[0] ? summaryColumnsBytes(pieces[0]) : undefined;
  return columnsBytes === undefined ? {} : { [SUMMARY_COLUMNS_BYTES_HEADER]: String(columnsBytes) };
}

/** The ranges of a `ranges=OFFSET:LENGTH,…` value, or a sentence saying what is wrong with it. */
export function parseRanges(value: string | null, fileBytes: number): ByteRange[] | string {
  if (!value) return 'ranges=OFFSET:LENGTH,… is required';
  const parts = value.split(',');
  if (parts.length > MAX_RANGES) return `at most ${MAX_RANGES} ranges per request`;
  const ranges: ByteRange[] = [];
  for (const part of parts) {
    const match = /^(\d{1,15}):(\d{1,9})$/.exec(part);
    if (!match) return `"${part.slice(0, 40)}" is not OFFSET:LENGTH`;
    ranges.push({ offset: Number(match[1]), length: Number(match[2]) });
  }
  return checkRanges(ranges, fileBytes) ?? ranges;
}

export async function sendByteRanges(request: IncomingMessage, response: ServerResponse, cache: TraceSummaryCache, extra: Record<string, string>): Promise<void> {
  const summary = await cache.current();
  if (!summary) {
    // Offsets come from a summary; without a current one they may point anywhere.
    send(response, 409, TEXT, `${capitalised(new FileChangedError().message)}.\n`, extra);
    return;
  }
  const query = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
  const ranges = parseRanges(query.get('ranges'), summary.fileBytes);
  if (typeof ranges === 'string') {
    send(response, 400, TEXT, `${ranges}\n`, extra);
    return;
  }
  let body: Uint8Array;
  try {
    body = await cache.readRanges(ranges);
  } catch (error) {
    sendFailure(response, error, extra);
    return;
  }
  sendBytes(request, response, body, extra);
}

export async function sendSearch(request: IncomingMessage, response: ServerResponse, cache: TraceSummaryCache, extra: Record<string, string>): Promise<void> {
  const needle = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('q') ?? '';
  if (!isSearchNeedle(needle)) {
    send(response, 400, TEXT, `q= is the search text, trimmed, lower case, 1 to ${MAX_SEARCH_CHARS} characters\n`, extra);
    return;
  }
  let matches: Int32Array;
  try {
    matches = await cache.searchArgs(needle);
  } catch (error) {
    sendFailure(response, error, extra);
    return;
  }
  sendBytes(request, response, new Uint8Array(matches.buffer, matches.byteOffset, matches.byteLength), extra);
}

/** A binary answer (no body for HEAD). */
function sendBytes(request: IncomingMessage, response: ServerResponse, body: Uint8Array, extra: Record<string, string>): void {
  response.writeHead(200, { ...COMMON_HEADERS, ...extra, 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** What went wrong reading the file, as a sentence: 409 when it changed under the summary, 500 otherwise. */
function sendFailure(response: ServerResponse, error: unknown, extra: Record<string, string>): void {
  const status = error instanceof FileChangedError ? 409 : 500;
  send(response, status, TEXT, `${capitalised(error instanceof Error ? error.message : String(error))}.\n`, extra);
}

function capitalised(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
