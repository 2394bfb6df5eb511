// The control socket: NDJSON requests in, one response line per request. Runs in the watchdog
// thread so it answers while the main thread is busy. Hostile input is bounded: a line longer
// than CONTROL_MAX_MESSAGE_BYTES, bytes that are not JSON, or a connection idle for too long
// is dropped and closed; nothing of it reaches the program.
import { chmodSync, unlinkSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { CONTROL_MAX_MESSAGE_BYTES, type ControlRequest, type ControlResponse } from '../../format/control';
import { net } from '../lazy-builtins';

const IDLE_TIMEOUT_MS = 60_000;
const MAX_CONNECTIONS = 32;

export type ControlHandler = (request: ControlRequest) => Promise<ControlResponse>;

/** Checks a parsed line is a request we know; returns an error text otherwise. */
export function validateRequest(value: unknown): { ok: true; request: ControlRequest } | { ok: false; id: number; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, id: 0, error: 'a request is a JSON object' };
  const record = value as Record<string, unknown>;
  // The id is echoed in the answer: only an exact integer survives JSON both ways (1e999 parses
  // as Infinity and would come back as null; 1e300 as an inexact float). Anything else is answered
  // bad-request with id 0.
  const id = Number.isSafeInteger(record.id) ? (record.id as number) : 0;
  if (!Number.isSafeInteger(record.id)) return { ok: false, id, error: 'request id must be an integer (a JSON number with no fraction, |id| < 2^53)' };
  const optionalString = (key: string) => record[key] === undefined || typeof record[key] === 'string';
  switch (record.type) {
    case 'status':
    case 'live':
      return { ok: true, request: record as ControlRequest };
    case 'snapshot':
      if (!optionalString('reason') || !optionalString('out') || !optionalString('source') || !optionalString('location')) {
        return { ok: false, id, error: 'snapshot: reason, out, source and location must be strings' };
      }
      return { ok: true, request: record as ControlRequest };
    case 'armSnapshotPoint':
    case 'disarmSnapshotPoint':
      if (typeof record.url !== 'string' || !isLineOrColumn(record.lineNumber) || (record.columnNumber !== undefined && !isLineOrColumn(record.columnNumber))) {
        return { ok: false, id, error: `${String(record.type)}: url (string) and lineNumber (positive integer) are required; columnNumber, when given, is a positive integer` };
      }
      return { ok: true, request: record as ControlRequest };
    default:
      return { ok: false, id, error: `unknown request type ${JSON.stringify(record.type)}` };
  }
}

function isLineOrColumn(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

export function startControlServer(socketPath: string, handle: ControlHandler, onError: (error: unknown) => void): Promise<Server> {
  if (process.platform !== 'win32') {
    try {
      unlinkSync(socketPath); // a leftover of an earlier process with our pid
    } catch {}
  }
  const server = net().createServer({ allowHalfOpen: false }, (socket) => serve(socket, handle, onError));
  server.maxConnections = MAX_CONNECTIONS;
  server.on('error', onError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.removeListener('error', reject);
      if (process.platform !== 'win32') {
        try {
          chmodSync(socketPath, 0o600);
        } catch {}
      }
      resolve(server);
    });
  });
}

function serve(socket: Socket, handle: ControlHandler, onError: (error: unknown) => void): void {
  let pending = '';
  let pendingBytes = 0;
  socket.setEncoding('utf8');
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  const reply = (response: ControlResponse) => {
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(response)}\n`);
  };
  socket.on('data', (chunk: string) => {
    pendingBytes += Buffer.byteLength(chunk);
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      pendingBytes = Buffer.byteLength(pending);
      if (Buffer.byteLength(line) > CONTROL_MAX_MESSAGE_BYTES) return void socket.destroy();
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return void socket.destroy();
      }
      const checked = validateRequest(parsed);
      if (!checked.ok) {
        reply({ id: checked.id, ok: false, error: checked.error, code: 'bad-request' });
        continue;
      }
      const request = checked.request;
      handle(request).then(reply, (error: unknown) => {
        onError(error);
        reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error), code: 'internal' });
      });
    }
    if (pendingBytes > CONTROL_MAX_MESSAGE_BYTES) socket.destroy();
  });
}
