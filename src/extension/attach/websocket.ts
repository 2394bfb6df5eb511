// A WebSocket text client for the inspector: Node's global WebSocket when the extension host
// has one (Node 22+), else a minimal RFC 6455 client over node:net (text frames, masking,
// fragmentation, ping/close), enough for the Chrome DevTools Protocol on loopback.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';

export interface TextSocket {
  send(text: string): void;
  close(): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: (reason: string) => void): void;
}

export async function connectWebSocket(url: string, timeoutMs: number): Promise<TextSocket> {
  const Native = (globalThis as { WebSocket?: new (url: string) => NativeSocket }).WebSocket;
  return Native ? connectNative(Native, url, timeoutMs) : connectMinimal(url, timeoutMs);
}

interface NativeSocket {
  send(data: string): void;
  close(): void;
  addEventListener(type: string, listener: (event: { data?: unknown; reason?: string }) => void): void;
}

function connectNative(Native: new (url: string) => NativeSocket, url: string, timeoutMs: number): Promise<TextSocket> {
  return new Promise((resolve, reject) => {
    const socket = new Native(url);
    const closeListeners: Array<(reason: string) => void> = [];
    const timer = setTimeout(() => {
      reject(new Error(`could not connect to ${url} within ${timeoutMs} ms`));
      socket.close();
    }, timeoutMs);
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      resolve({
        send: (text) => socket.send(text),
        close: () => socket.close(),
        onMessage: (listener) => socket.addEventListener('message', (event) => {
          if (typeof event.data === 'string') listener(event.data);
        }),
        onClose: (listener) => closeListeners.push(listener),
      });
    });
    socket.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error(`could not connect to ${url}`));
      for (const l of closeListeners) l('error');
    });
    socket.addEventListener('close', (event) => {
      for (const l of closeListeners) l(event.reason || 'closed');
    });
  });
}

export function encodeFrame(opcode: number, payload: Buffer, mask = randomBytes(4)): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask, masked]);
}

/** Parses complete frames from `buffer`; returns them and the unconsumed rest. Server frames are unmasked. */
export function decodeFrames(buffer: Buffer): { frames: Array<{ fin: boolean; opcode: number; payload: Buffer }>; rest: Buffer } {
  const frames: Array<{ fin: boolean; opcode: number; payload: Buffer }> = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const b0 = buffer[offset] ?? 0;
    const b1 = buffer[offset + 1] ?? 0;
    let length = b1 & 0x7f;
    let headerLength = 2;
    if (length === 126) {
      if (buffer.length - offset < 4) break;
      length = buffer.readUInt16BE(offset + 2);
      headerLength = 4;
    } else if (length === 127) {
      if (buffer.length - offset < 10) break;
      length = Number(buffer.readBigUInt64BE(offset + 2));
      headerLength = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const maskLength = masked ? 4 : 0;
    if (buffer.length - offset < headerLength + maskLength + length) break;
    let payload = buffer.subarray(offset + headerLength + maskLength, offset + headerLength + maskLength + length);
    if (masked) {
      const mask = buffer.subarray(offset + headerLength, offset + headerLength + 4);
      payload = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
    }
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    offset += headerLength + maskLength + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

function connectMinimal(url: string, timeoutMs: number): Promise<TextSocket> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'ws:') return Promise.reject(new Error(`only ws: URLs are supported (${url})`));
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: parsed.hostname, port: Number(parsed.port || 80) });
    const key = randomBytes(16).toString('base64');
    const messageListeners: Array<(text: string) => void> = [];
    const closeListeners: Array<(reason: string) => void> = [];
    let upgraded = false;
    let buffer: Buffer = Buffer.alloc(0);
    let fragments: Buffer[] = [];
    let closed = false;
    const close = (reason: string) => {
      if (closed) return;
      closed = true;
      socket.destroy();
      for (const l of closeListeners) l(reason);
    };
    const timer = setTimeout(() => {
      reject(new Error(`could not connect to ${url} within ${timeoutMs} ms`));
      close('timeout');
    }, timeoutMs);
    socket.on('connect', () => {
      socket.write(`GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(head)) {
          clearTimeout(timer);
          reject(new Error(`the inspector refused the WebSocket upgrade: ${head.split('\r\n')[0]}`));
          close('refused');
          return;
        }
        upgraded = true;
        clearTimeout(timer);
        buffer = buffer.subarray(end + 4);
        resolve({
          send: (text) => socket.write(encodeFrame(0x1, Buffer.from(text, 'utf8'))),
          close: () => {
            if (!closed) socket.write(encodeFrame(0x8, Buffer.alloc(0)));
            close('closed by us');
          },
          onMessage: (listener) => messageListeners.push(listener),
          onClose: (listener) => closeListeners.push(listener),
        });
      }
      const { frames, rest } = decodeFrames(buffer);
      buffer = rest;
      for (const frame of frames) {
        if (frame.opcode === 0x8) return close('closed by the inspector');
        if (frame.opcode === 0x9) {
          socket.write(encodeFrame(0xa, frame.payload));
          continue;
        }
        if (frame.opcode !== 0x1 && frame.opcode !== 0x0) continue;
        fragments.push(frame.payload);
        if (fragments.reduce((n, b) => n + b.length, 0) > MAX_MESSAGE_BYTES) return close('message too large');
        if (frame.fin) {
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          for (const l of messageListeners) l(text);
        }
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
      close(error.message);
    });
    socket.on('close', () => close('connection closed'));
  });
}
