// The in-flight request table of the HTTP server source: requests paired by identity, state
// kept exactly, the table's overflow into a Map, and aborts on a socket's close in start order.
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

test('a request is paired with its own state by identity; a socket is new once', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const socket = { name: 'a' };
  const first = { n: 1, socket };
  const second = { n: 2, socket }; // pipelined behind the first
  assert.equal(begin(table, first), true);
  assert.equal(begin(table, second), false);
  assert.equal(table.take({ n: 1, socket }), undefined, 'an equal-looking object is another request');
  assert.deepEqual(copy(table.take(second)), stateOf(2));
  assert.deepEqual(copy(table.take(first)), stateOf(1));
  assert.equal(table.take(first), undefined, 'taken once');
  assert.equal(begin(table, { n: 3, socket }), false, 'the socket is still watched');
  assert.deepEqual(table.sockets(), [socket]);
});

test('requests without a socket are paired too, and never aborted', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const request = { n: 5 };
  assert.equal(begin(table, request), false);
  table.close({ name: 'x' }, () => assert.fail('nothing to abort'));
  assert.deepEqual(copy(table.take(request)), stateOf(5));
});

test('more open requests than the table holds: every one keeps its state, whatever the order', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const sockets = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}` }));
  const count = SCANNED_REQUESTS * 3;
  const requests: Request[] = Array.from({ length: count }, (_, n) => ({ n, socket: sockets[n % sockets.length] }));
  for (const request of requests) begin(table, request);
  // Take them in a scrambled order, starting new ones as we go (slots and the Map both reused).
  let next = count;
  for (let i = 0; i < count; i++) {
    const request = requests[(i * 7919) % count] as Request;
    assert.deepEqual(copy(table.take(request)), stateOf(request.n), `request ${request.n}`);
    if (i % 3 === 0) {
      const extra = { n: next++, socket: sockets[0] };
      begin(table, extra);
      assert.deepEqual(copy(table.take(extra)), stateOf(extra.n));
    }
  }
  for (const request of requests) assert.equal(table.take(request), undefined);
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
  for (const n of [1, 2, 3]) table.take(requests[n] as Request);
  const late = [{ n: 500, socket: closing }, { n: 501, socket: closing }];
  for (const request of late) begin(table, request);
  const aborted: [number, RequestState][] = [];
  table.close(closing, (request, state) => aborted.push([request.n, { ...state }]));
  const expected = [...requests.filter((r) => r.socket === closing), ...late].map((r) => r.n);
  assert.deepEqual(aborted.map(([n]) => n), expected, 'oldest first');
  for (const [n, state] of aborted) assert.deepEqual(state, stateOf(n));
  for (const request of requests) {
    if (request.socket === closing) assert.equal(table.take(request), undefined);
  }
  assert.deepEqual(table.sockets(), [other]);
  assert.equal(begin(table, { n: 600, socket: closing }), true, 'a closed socket is new again');
  table.clear();
  assert.deepEqual(table.sockets(), []);
  assert.equal(table.take(requests[4] as Request), undefined);
});

test('with many connections, each socket is new exactly once, and new again after its close', () => {
  const table = new RequestsInFlight<Socket, Request>();
  const sockets = Array.from({ length: 200 }, (_, i) => ({ name: `s${i}` }));
  let n = 0;
  for (let round = 0; round < 4; round++) {
    for (const socket of sockets) {
      const request = { n: n++, socket };
      assert.equal(begin(table, request), round === 0, `${socket.name} in round ${round}`);
      assert.deepEqual(copy(table.take(request)), stateOf(request.n));
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
