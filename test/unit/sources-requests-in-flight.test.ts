// The in-flight request table of the HTTP server source: a request's end pairs with the oldest
// open request of its connection (Node finishes a connection's responses in request order), a
// request without a socket by its identity; state kept exactly, the table's overflow into a
// Map, and aborts on a socket's close in start order.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { RequestsInFlight, SCANNED_REQUESTS, type RequestState } from '../../src/recorder/sources/requests-in-flight';

interface Socket {
  name: string;
}
interface Request {
  n: number;
  socket?: Socket;
}

const stateOf = (n: number) => ({ spanId: n, startUs: 1000.5 + n, method: n % 11, urlId: 0x80000000 + n, record: 2 ** 40 + n });

function begin(table: RequestsInFlight<Socket, Request>, request: Request): boolean {
  const s = stateOf(request.n);
  return table.begin(request.socket, request, s.spanId, s.startUs, s.method, s.urlId, s.record);
}

const copy = (state: RequestState | undefined) => (state === undefined ? undefined : { ...state });

test('a request ends the oldest open request of its connection, pipelined ones in order; a socket is new once', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const socket = { name: 'a' };
  const other = { name: 'b' };
  const first = { n: 1, socket };
  const second = { n: 2, socket }; // pipelined behind the first
  const elsewhere = { n: 3, socket: other };
  assert.equal(begin(table, first), true);
  assert.equal(begin(table, elsewhere), true);
  assert.equal(begin(table, second), false);
  assert.equal(table.take({ name: 'a' }, first), undefined, 'an equal-looking object is another socket');
  assert.deepEqual(copy(table.take(socket, first)), stateOf(1));
  assert.deepEqual(copy(table.take(other, elsewhere)), stateOf(3));
  assert.deepEqual(copy(table.take(socket, second)), stateOf(2));
  assert.equal(table.take(socket, second), undefined, 'taken once');
  assert.equal(begin(table, { n: 4, socket }), false, 'the socket is still watched');
  assert.deepEqual(table.sockets(), [socket, other]);
});

test('requests without a socket are paired by their identity, and never aborted', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const request = { n: 5 };
  assert.equal(begin(table, request), false);
  table.close({ name: 'x' }, () => assert.fail('nothing to abort'));
  assert.equal(table.take(undefined, { n: 5 }), undefined, 'an equal-looking object is another request');
  assert.deepEqual(copy(table.take(undefined, request)), stateOf(5));
});

test('more open requests than the table holds: each connection\'s end in turn gets its oldest, whatever the order of connections', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const sockets = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}` }));
  const count = SCANNED_REQUESTS * 3;
  // Each connection's open requests, oldest first: what its next end must get.
  const open = new Map<Socket, Request[]>(sockets.map((socket) => [socket, []]));
  let next = 0;
  const start = (socket: Socket) => {
    const request = { n: next++, socket };
    begin(table, request);
    open.get(socket)!.push(request);
  };
  for (let i = 0; i < count; i++) start(sockets[i % sockets.length]!);
  // Ends on connections in a scrambled order, new requests starting as we go (slots and the
  // Map both reused, a connection's requests spread over both).
  for (let i = 0; i < 3 * count; i++) {
    const socket = sockets[(i * 7) % sockets.length]!;
    const oldest = open.get(socket)!.shift();
    assert.deepEqual(copy(table.take(socket, oldest ?? { n: -1, socket })), oldest === undefined ? undefined : stateOf(oldest.n), `end ${i} on ${socket.name}`);
    if (i % 3 === 0) start(sockets[(i * 3) % sockets.length]!);
  }
  for (const socket of sockets) {
    for (const request of open.get(socket)!) assert.deepEqual(copy(table.take(socket, request)), stateOf(request.n));
    assert.equal(table.take(socket, { n: -1, socket }), undefined);
  }
});

test("a socket's close aborts its open requests oldest first, in the table and beyond it, and forgets the socket", () => {
  const table = new RequestsInFlight<Socket, Request>();
  const closing = { name: 'closing' };
  const other = { name: 'other' };
  const requests: Request[] = [];
  // Fill the table with the other socket's requests so that some of the closing socket's go to the Map.
  for (let n = 0; n < SCANNED_REQUESTS + 20; n++) requests.push({ n, socket: n % 9 === 0 ? closing : other });
  for (const request of requests) begin(table, request);
  // Free a few table slots so later requests land in them (order in the table ≠ start order).
  for (const n of [1, 2, 3]) table.take(other, requests[n] as Request);
  const late = [{ n: 500, socket: closing }, { n: 501, socket: closing }];
  for (const request of late) begin(table, request);
  const aborted: RequestState[] = [];
  table.close(closing, (state) => aborted.push({ ...state }));
  const expected = [...requests.filter((r) => r.socket === closing), ...late].map((r) => r.n);
  assert.deepEqual(aborted.map((state) => state.spanId), expected, 'oldest first');
  for (const state of aborted) assert.deepEqual(state, stateOf(state.spanId));
  assert.equal(table.take(closing, late[0]!), undefined);
  assert.deepEqual(table.sockets(), [other]);
  assert.equal(begin(table, { n: 600, socket: closing }), true, 'a closed socket is new again');
  table.clear();
  assert.deepEqual(table.sockets(), []);
  assert.equal(table.take(other, requests[4] as Request), undefined);
});

test('with many connections, each socket is new exactly once, and new again after its close', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const sockets = Array.from({ length: 200 }, (_, i) => ({ name: `s${i}` }));
  let n = 0;
  for (let round = 0; round < 4; round++) {
    for (const socket of sockets) {
      const request = { n: n++, socket };
      assert.equal(begin(table, request), round === 0, `${socket.name} in round ${round}`);
      assert.deepEqual(copy(table.take(socket, request)), stateOf(request.n));
    }
  }
  const lastOne = sockets[sockets.length - 1] as Socket;
  const firstOne = sockets[0] as Socket;
  table.close(lastOne, () => assert.fail('nothing open'));
  table.close(firstOne, () => assert.fail('nothing open'));
  assert.equal(begin(table, { n, socket: lastOne }), true);
  assert.equal(begin(table, { n: n + 1, socket: firstOne }), true);
  assert.equal(table.sockets().length, sockets.length);
});
