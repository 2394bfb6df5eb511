// The in-flight request table of the HTTP server source: a request's end pairs with the oldest
// open request of its connection (Node finishes a connection's responses in request order), a
// request without a socket by its identity; state kept exactly, the table's overflow into a
// Map, aborts on a socket's close in start order, and the sweep that names each connection
// with a request open once, for its close to be watched.
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

function begin(table: RequestsInFlight<Socket, Request>, request: Request): void {
  const s = stateOf(request.n);
  table.begin(request.socket, request, s.spanId, s.startUs, s.method, s.urlId, s.record);
}

/** The sweep's finds, copied (the table reuses its array). */
const sweep = (table: RequestsInFlight<Socket, Request>) => [...table.watchNew()];

const copy = (state: RequestState | undefined) => (state === undefined ? undefined : { ...state });

test('a request ends the oldest open request of its connection, pipelined ones in order; a sweep names a connection once', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const socket = { name: 'a' };
  const other = { name: 'b' };
  const first = { n: 1, socket };
  const second = { n: 2, socket }; // pipelined behind the first
  const elsewhere = { n: 3, socket: other };
  begin(table, first);
  begin(table, elsewhere);
  begin(table, second);
  assert.deepEqual(sweep(table), [socket, other], 'each connection once, in start order');
  assert.deepEqual(sweep(table), [], 'nothing begun since');
  assert.equal(table.take({ name: 'a' }, first), undefined, 'an equal-looking object is another socket');
  assert.deepEqual(copy(table.take(socket, first)), stateOf(1));
  assert.deepEqual(copy(table.take(other, elsewhere)), stateOf(3));
  assert.deepEqual(copy(table.take(socket, second)), stateOf(2));
  assert.equal(table.take(socket, second), undefined, 'taken once');
  begin(table, { n: 4, socket });
  assert.deepEqual(sweep(table), [], 'the socket is still watched');
  assert.deepEqual(table.watching(), [socket, other]);
});

test('a sweep names only connections with a request still open: requests that ended before it leave theirs unwatched', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const quick = { name: 'quick' };
  const slow = { name: 'slow' };
  const done = { n: 1, socket: quick };
  begin(table, done);
  begin(table, { n: 2, socket: slow });
  table.take(quick, done);
  assert.deepEqual(sweep(table), [slow]);
  assert.deepEqual(table.watching(), [slow]);
  // Many short requests between two sweeps, one left open at the end on a new connection.
  const late = { name: 'late' };
  for (let n = 10; n < 200; n++) {
    const request = { n, socket: quick };
    begin(table, request);
    table.take(quick, request);
  }
  begin(table, { n: 300, socket: late });
  assert.deepEqual(sweep(table), [late]);
});

test('requests without a socket are paired by their identity, and a sweep names the request itself', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const request = { n: 5 };
  begin(table, request);
  table.close({ name: 'x' }, () => assert.fail('nothing to abort'));
  assert.deepEqual(sweep(table), [request]);
  assert.equal(table.take(undefined, { n: 5 }), undefined, 'an equal-looking object is another request');
  assert.deepEqual(copy(table.take(undefined, request)), stateOf(5));
  begin(table, { n: 6 });
  const aborted: number[] = [];
  const alone = { n: 7 };
  begin(table, alone);
  table.close(alone, (state) => aborted.push(state.spanId));
  assert.deepEqual(aborted, [7], 'its close ends it');
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
  assert.deepEqual(sweep(table), [closing, other], 'in the table and beyond it');
  const aborted: RequestState[] = [];
  table.close(closing, (state) => aborted.push({ ...state }));
  const expected = [...requests.filter((r) => r.socket === closing), ...late].map((r) => r.n);
  assert.deepEqual(aborted.map((state) => state.spanId), expected, 'oldest first');
  for (const state of aborted) assert.deepEqual(state, stateOf(state.spanId));
  assert.equal(table.take(closing, late[0]!), undefined);
  begin(table, { n: 600, socket: closing });
  assert.deepEqual(sweep(table), [closing], 'a closed socket is new again');
  table.clear();
  assert.deepEqual(table.watching(), []);
  assert.equal(table.take(other, requests[4] as Request), undefined);
});

test('with many connections, the table and the Map beyond it: a sweep names each open one once, and again after its close', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const sockets = Array.from({ length: 200 }, (_, i) => ({ name: `s${i}` }));
  let n = 0;
  for (let round = 0; round < 3; round++) {
    // More open requests than the table holds: the last ones go to the Map.
    const open = sockets.map((socket) => ({ n: n++, socket }));
    for (const request of open) begin(table, request);
    assert.deepEqual(sweep(table), round === 0 ? sockets : [], `round ${round}`);
    for (const request of open) assert.deepEqual(copy(table.take(request.socket, request)), stateOf(request.n));
  }
  const lastOne = sockets[sockets.length - 1] as Socket;
  const firstOne = sockets[0] as Socket;
  table.close(lastOne, () => assert.fail('nothing open'));
  table.close(firstOne, () => assert.fail('nothing open'));
  begin(table, { n: n++, socket: lastOne });
  begin(table, { n: n++, socket: firstOne });
  begin(table, { n: n++, socket: sockets[5]! });
  assert.deepEqual(sweep(table), [lastOne, firstOne]);
  assert.equal(table.watching().length, sockets.length);
});
