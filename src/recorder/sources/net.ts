// TCP/IPC sockets (node:net, and so every HTTP connection) as async spans from open to close,
// cat `net`: accepted server sockets and client sockets, with the peer and bytes moved.
// Per connection (not per request): one Map entry (no property on Node's socket: see
// http-server.ts), two shared listeners, the peer appended to the string table once.
import type { TraceEvent } from '../../format/trace-event';
import type { DecodeContext, EventSource, RecordView, SourceContext } from '../contracts';
import { subscribeAll } from './channels';
import { noteBegin, takeBegin } from './decode-state';
import { Kind } from './kinds';
import { SpanTable } from './span-table';

/** Set in the ids of client sockets (server sockets have it clear). */
const CLIENT_TAG = 0x20000000;

interface Socket {
  remoteAddress?: string;
  remotePort?: number;
  bytesRead?: number;
  bytesWritten?: number;
  on(event: string, listener: (this: Socket, ...args: never[]) => void): unknown;
}

function peerOf(socket: Socket): string | undefined {
  const address = socket.remoteAddress;
  if (address === undefined) return undefined;
  return socket.remotePort === undefined ? address : `${address}:${socket.remotePort}`;
}

const clamp = (value: number | undefined) => Math.min(value ?? 0, 0x7fffffff);

export function netSource(): EventSource {
  return {
    name: 'net',
    install(context: SourceContext) {
      const { ring } = context;
      const serverSpans = new SpanTable();
      const clientSpans = new SpanTable(CLIENT_TAG);
      const tableOf = (id: number) => (id & CLIENT_TAG ? clientSpans : serverSpans);

      /** Open sockets → their span id. */
      const spanOfSocket = new Map<Socket, number>();

      const onConnect = context.guard('net connect', function (this: Socket) {
        const id = spanOfSocket.get(this);
        if (id === undefined) return;
        // Read once while connected: Node caches the peer, so it is still known at close.
        const peer = peerOf(this);
        if (peer !== undefined) tableOf(id).setStringId(id, ring.appendString(peer));
      });
      const onClose = context.guard('net close', function (this: Socket, hadError: boolean) {
        const id = spanOfSocket.get(this);
        if (id === undefined) return;
        spanOfSocket.delete(this);
        const spans = tableOf(id);
        const nowUs = ring.nowUs();
        const knownStartUs = spans.startOf(id);
        const startUs = knownStartUs < 0 ? nowUs : knownStartUs;
        let peerId = spans.stringIdOf(id);
        if (peerId === 0) {
          const peer = peerOf(this);
          if (peer !== undefined) peerId = ring.appendString(peer);
        }
        spans.end(id);
        ring.write(Kind.netClose, startUs, nowUs - startUs, id, clamp(this.bytesRead), clamp(this.bytesWritten), peerId, hadError ? ring.intern('error') : 0);
      });

      const open = (socket: Socket, spans: SpanTable, peer: string | undefined) => {
        const nowUs = ring.nowUs();
        const peerId = peer === undefined ? 0 : ring.appendString(peer);
        const id = spans.begin(nowUs, undefined, 0, peerId);
        spanOfSocket.set(socket, id);
        socket.on('close', onClose);
        ring.write(Kind.netOpen, nowUs, 0, id, 0, 0, peerId, 0);
      };

      const unsubscribe = subscribeAll(context, 'net', {
        'net.server.socket': (message: { socket: Socket }) => open(message.socket, serverSpans, peerOf(message.socket)),
        'net.client.socket': (message: { socket: Socket }) => {
          open(message.socket, clientSpans, undefined);
          message.socket.on('connect', onConnect);
        },
      });
      return () => {
        unsubscribe();
        spanOfSocket.clear();
      };
    },
  };
}
const socketName = (id: number) => (id & CLIENT_TAG ? 'client socket' : 'server socket');

/**
 * `netOpen` (36): ts = socket opened (accepted, or connect started), id = span id (bit 29 set
 * for client sockets), s1 = peer `address:port` when known (server sockets).
 */
export function decodeNetOpen(record: RecordView, out: DecodeContext): void {
  const event: TraceEvent = { name: socketName(record.id), cat: 'net', ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id, args: {} };
  if (record.s1) event.args = { remoteAddress: record.s1 };
  noteBegin(out, 'net', record.id);
  out.emit(event);
}

/**
 * `netClose` (37): ts = when the socket opened, dur = µs until 'close' (the `e` is at ts + dur;
 * a `b` is synthesised when the open record is gone), id = span id,
 * a = bytes read, b = bytes written (both capped at 2^31−1), s1 = peer, s2 = 'error' if it
 * closed because of an error.
 */
export function decodeNetClose(record: RecordView, out: DecodeContext): void {
  const args: Record<string, unknown> = { bytesRead: record.a, bytesWritten: record.b };
  if (record.s1) args.remoteAddress = record.s1;
  if (record.s2) args.error = true;
  if (!takeBegin(out, 'net', record.id)) {
    out.emit({ name: socketName(record.id), cat: 'net', ph: 'b', ts: record.tsUs, pid: out.pid, tid: out.tid, id: record.id, args: { startedBeforeWindow: true } });
  }
  out.emit({ name: socketName(record.id), cat: 'net', ph: 'e', ts: record.tsUs + record.durUs, pid: out.pid, tid: out.tid, id: record.id, args });
}
