// One request over a recorded process's control socket (NDJSON, src/format/control.ts), with a
// time bound on every wait: connecting, and the answer. A process that dies mid-request, a
// socket nobody listens on, or garbage on the wire become a ControlError with a clear message.
import * as net from 'node:net';
import type { ControlRequest, ControlResponse } from '../format/control';

export type ControlErrorCode =
  | 'no-socket' // the socket file is gone: the process exited
  | 'refused' // nobody listens: the process exited (or its recorder stopped)
  | 'permission'
  | 'timeout'
  | 'closed' // the connection closed before an answer: the process died mid-request
  | 'bad-answer'
  | 'remote'; // the recorder answered { ok: false }

export class ControlError extends Error {
  constructor(message: string, readonly code: ControlErrorCode, readonly remoteCode?: string) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface RequestOptions {
  /** Default 2000 ms. */
  connectTimeoutMs?: number;
  /** From the request being sent to the answer. Default 5000 ms. */
  answerTimeoutMs?: number;
}

/** Answers larger than this are refused (a status is a few hundred bytes). */
const MAX_ANSWER_BYTES = 1024 * 1024;
let nextRequestId = 1;

type RequestBody = ControlRequest extends infer R ? (R extends ControlRequest ? Omit<R, 'id'> : never) : never;
export type SuccessResponse = Extract<ControlResponse, { ok: true }>;

/** Sends `body` to the socket at `socketPath` and resolves with the recorder's successful answer. */
export function controlRequest(socketPath: string, body: RequestBody, options: RequestOptions = {}): Promise<SuccessResponse> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const answerTimeoutMs = options.answerTimeoutMs ?? 5000;
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    let settled = false;
    let connected = false;
    let received = '';
    let receivedBytes = 0;
    const socket = net.createConnection({ path: socketPath });
    socket.setEncoding('utf8');
    const finish = (error: ControlError | null, answer?: SuccessResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    let timer = setTimeout(() => {
      finish(new ControlError(`could not connect within ${connectTimeoutMs} ms`, 'timeout'));
    }, connectTimeoutMs);

    socket.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(() => {
        finish(new ControlError(`no answer within ${formatMs(answerTimeoutMs)}`, 'timeout'));
      }, answerTimeoutMs);
      socket.write(`${JSON.stringify({ ...body, id })}\n`);
    });
    socket.on('data', (chunk: string) => {
      receivedBytes += Buffer.byteLength(chunk);
      if (receivedBytes > MAX_ANSWER_BYTES) {
        finish(new ControlError(`answer larger than ${MAX_ANSWER_BYTES} bytes`, 'bad-answer'));
        return;
      }
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline < 0) return;
      finish(...interpret(received.slice(0, newline), id));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') finish(new ControlError('its control socket is gone (the process has probably exited)', 'no-socket'));
      else if (error.code === 'ECONNREFUSED') finish(new ControlError('nothing is listening on its control socket (the process has probably exited)', 'refused'));
      else if (error.code === 'EACCES' || error.code === 'EPERM') finish(new ControlError('permission denied on its control socket (another user\'s process?)', 'permission'));
      else if (connected && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) finish(new ControlError('the connection was cut before it answered (did the process exit?)', 'closed'));
      else finish(new ControlError(`control socket error: ${error.message}`, connected ? 'closed' : 'refused'));
    });
    socket.on('close', () => {
      finish(new ControlError('the process closed the connection before answering (did it exit?)', 'closed'));
    });
  });
}

function interpret(line: string, id: number): [ControlError | null, SuccessResponse?] {
  let answer: unknown;
  try {
    answer = JSON.parse(line);
  } catch {
    return [new ControlError('answered with something that is not JSON', 'bad-answer')];
  }
  if (typeof answer !== 'object' || answer === null || (answer as { id?: unknown }).id !== id) {
    return [new ControlError('answered a different request', 'bad-answer')];
  }
  const response = answer as ControlResponse;
  if (response.ok === true) return [null, response];
  if (response.ok === false) {
    const message = typeof response.error === 'string' ? response.error : 'unknown error';
    return [new ControlError(message, 'remote', typeof response.code === 'string' ? response.code : undefined)];
  }
  return [new ControlError('answered without "ok"', 'bad-answer')];
}

function formatMs(value: number): string {
  return value >= 1000 && value % 1000 === 0 ? `${value / 1000} s` : `${value} ms`;
}
