// Checks the shape of every message a webview posts before the host acts on it: a webview runs
// a file's contents through a parser, so it is treated as untrusted. Wrong shapes are dropped
// (undefined), never thrown. Pure: unit-tested without VS Code.
import { isSearchNeedle } from '../../format/args-search';
import type { StackFrame } from '../../format/stack';
import type { ByteRange, ViewerState, ViewerToHost } from '../../format/viewer-protocol';

const MAX_URL_CHARS = 4096;
const MAX_TEXT_CHARS = 2000;
const MAX_STATE_JSON_CHARS = 64 * 1024;
/** A viewer asks for a few hundred event lines at a time (the host checks the rest against the file). */
const MAX_RANGES = 256;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100_000_000;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isText(value: unknown, maxChars: number): value is string {
  return typeof value === 'string' && value.length <= maxChars;
}

export function parseFrame(value: unknown): StackFrame | undefined {
  if (!isObject(value)) return undefined;
  const { functionName, url, lineNumber, columnNumber } = value;
  if (!isText(url, MAX_URL_CHARS) || url.length === 0 || /[\0\r\n]/.test(url)) return undefined;
  if (!isCount(lineNumber) || (columnNumber !== undefined && !isCount(columnNumber))) return undefined;
  if (functionName !== undefined && !isText(functionName, MAX_TEXT_CHARS)) return undefined;
  return { functionName: functionName ?? '', url, lineNumber, columnNumber: columnNumber ?? 1 };
}

/** Keeps only the known fields of a ViewerState, each with the right type. */
export function parseState(value: unknown): ViewerState | undefined {
  if (!isObject(value)) return undefined;
  let size: number;
  try {
    size = JSON.stringify(value).length;
  } catch {
    return undefined;
  }
  if (size > MAX_STATE_JSON_CHARS) return undefined;
  const state: ViewerState = {};
  if (isFiniteNumber(value.viewStartTs)) state.viewStartTs = value.viewStartTs;
  if (isFiniteNumber(value.viewEndTs)) state.viewEndTs = value.viewEndTs;
  if (isFiniteNumber(value.scrollTopPx)) state.scrollTopPx = value.scrollTopPx;
  if (isCount(value.selectedEvent)) state.selectedEvent = value.selectedEvent;
  if (Array.isArray(value.collapsedTracks) && value.collapsedTracks.every((t) => isText(t, 512))) state.collapsedTracks = value.collapsedTracks.slice(0, 1000);
  if (isText(value.filter, MAX_TEXT_CHARS)) state.filter = value.filter;
  if (isText(value.tab, 64)) state.tab = value.tab;
  return state;
}

/** Byte ranges as numbers the host can check against the file, or undefined. */
export function parseRanges(value: unknown): ByteRange[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_RANGES) return undefined;
  const ranges: ByteRange[] = [];
  for (const item of value) {
    if (!isObject(item)) return undefined;
    const { offset, length } = item;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 1) return undefined;
    ranges.push({ offset: offset as number, length: length as number });
  }
  return ranges;
}

/** A ViewerToHost message, or undefined when `message` is not one. */
export function parseViewerMessage(message: unknown): ViewerToHost | undefined {
  if (!isObject(message) || typeof message.type !== 'string') return undefined;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'capture':
      return { type: 'capture' };
    case 'reveal': {
      const frame = parseFrame(message.frame);
      return frame ? { type: 'reveal', frame } : undefined;
    }
    case 'state': {
      const state = parseState(message.state);
      return state ? { type: 'state', state } : undefined;
    }
    case 'error':
      return isText(message.message, 100_000) ? { type: 'error', message: message.message.slice(0, MAX_TEXT_CHARS) } : undefined;
    case 'needText':
      return isText(message.reason, 100_000) ? { type: 'needText', reason: message.reason.slice(0, MAX_TEXT_CHARS) } : undefined;
    case 'readBytes': {
      const ranges = parseRanges(message.ranges);
      return isCount(message.requestId) && ranges ? { type: 'readBytes', requestId: message.requestId, ranges } : undefined;
    }
    case 'searchArgs':
      return isCount(message.requestId) && isSearchNeedle(message.needle) ? { type: 'searchArgs', requestId: message.requestId, needle: message.needle } : undefined;
    default:
      return undefined;
  }
}
