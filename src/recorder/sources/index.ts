// The event sources and their decoders, as the core consumes them.
import type { RecorderOptions } from '../../format/config';
import type { EventSource, RecordDecoder } from '../contracts';
import { asyncCausalitySource, decodeAsyncCallback, decodeAsyncInit } from './async-causality';
import { consoleSource, decodeConsole } from './console';
import { cpuProfileSource } from './cpu-profile';
import { decodeUncaught, decodeWarning, errorsSource } from './errors';
import { decodeLoopBlock, decodeLoopDelay, decodeLoopUtilization, eventLoopSource } from './event-loop';
import { fetchSource } from './fetch';
import { decodeFsOperation, fsSource } from './fs';
import { decodeGc, gcSource } from './gc';
import { httpClientSource } from './http-client';
import { decodeHttpBegin, decodeHttpEnd, decodeHttpHeaders, decodeHttpServerSpan } from './http-decode';
import { httpServerSource } from './http-server';
import { Kind } from './kinds';
import { decodeMemory, memorySource } from './memory';
import { decodeNetClose, decodeNetOpen, netSource } from './net';
import { decodeChildExit, decodeChildSpawn, decodeWorkerExit, decodeWorkerStart, processesSource } from './processes';
import { decodeUserMark, decodeUserMeasure, userTimingSource } from './user-timing';

export { Kind } from './kinds';

export const DEFAULT_LOOP_BLOCK_THRESHOLD_MS = 50;
export const DEFAULT_CONSOLE_MAX_BYTES = 256;

/** The event-loop block threshold the options ask for, ms. */
export function loopBlockThresholdMs(options: RecorderOptions): number {
  return options.loopBlockThresholdMs && options.loopBlockThresholdMs > 0 ? options.loopBlockThresholdMs : DEFAULT_LOOP_BLOCK_THRESHOLD_MS;
}

/** The default-on sources, plus the opt-in ones the options ask for. */
export function createSources(options: RecorderOptions): EventSource[] {
  const recordHeaders = options.recordHeaders ?? [];
  const redactHeaders = options.redact?.headers !== false;
  const sources: EventSource[] = [
    httpServerSource(recordHeaders, redactHeaders),
    httpClientSource(recordHeaders, redactHeaders),
    fetchSource(recordHeaders, redactHeaders),
    netSource(),
    eventLoopSource(loopBlockThresholdMs(options)),
    memorySource(),
    consoleSource(options.consoleMaxBytes && options.consoleMaxBytes > 0 ? options.consoleMaxBytes : DEFAULT_CONSOLE_MAX_BYTES),
    errorsSource(),
    userTimingSource(),
    processesSource(options.redact ?? {}),
  ];
  const cpuIntervalUs = options.cpuSamplingIntervalUs ?? 0;
  if (cpuIntervalUs > 0) sources.push(cpuProfileSource(cpuIntervalUs, options.minAgeMs ?? 10_000));
  if (options.asyncCausality === true) sources.push(asyncCausalitySource());
  if (options.fs === true) sources.push(fsSource());
  if (options.gc !== false) sources.push(gcSource());
  return sources;
}

/** Decoder of every record kind the sources write (32–255). */
export const decoders: ReadonlyMap<number, RecordDecoder> = new Map<number, RecordDecoder>([
  [Kind.httpServerBegin, decodeHttpBegin('http.server')],
  [Kind.httpServerEnd, decodeHttpEnd('http.server')],
  [Kind.httpServerSpan, decodeHttpServerSpan],
  [Kind.httpServerHeaders, decodeHttpHeaders('http.server')],
  [Kind.httpClientBegin, decodeHttpBegin('http.client')],
  [Kind.httpClientEnd, decodeHttpEnd('http.client')],
  [Kind.httpClientHeaders, decodeHttpHeaders('http.client')],
  [Kind.netOpen, decodeNetOpen],
  [Kind.netClose, decodeNetClose],
  [Kind.gc, decodeGc],
  [Kind.loopBlock, decodeLoopBlock],
  [Kind.loopDelay, decodeLoopDelay],
  [Kind.loopUtilization, decodeLoopUtilization],
  [Kind.memory, decodeMemory],
  [Kind.console, decodeConsole],
  [Kind.warning, decodeWarning],
  [Kind.uncaught, decodeUncaught],
  [Kind.userMark, decodeUserMark],
  [Kind.userMeasure, decodeUserMeasure],
  [Kind.childSpawn, decodeChildSpawn],
  [Kind.childExit, decodeChildExit],
  [Kind.workerStart, decodeWorkerStart],
  [Kind.workerExit, decodeWorkerExit],
  [Kind.asyncInit, decodeAsyncInit],
  [Kind.asyncCallback, decodeAsyncCallback],
  [Kind.fsOperation, decodeFsOperation],
]);
