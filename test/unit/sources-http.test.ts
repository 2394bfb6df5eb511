import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { TraceEvent } from '../../src/format/trace-event';
import { fetchSource } from '../../src/recorder/sources/fetch';
import { httpClientSource } from '../../src/recorder/sources/http-client';
import { httpServerSource } from '../../src/recorder/sources/http-server';
import { netSource } from '../../src/recorder/sources/net';
import { closeServer, installSources, listenOnLoopback, until } from './sources-fake-ring';

let recorder: ReturnType<typeof installSources>;
let server: http.Server;
let base = '';

before(async () => {
  recorder = installSources([httpServerSource(), httpClientSource(), fetchSource(), netSource()]);
  server = http.createServer((request, response) => {
    if (request.url?.startsWith('/symbols')) {
      // What the recorder left on Node's own objects by the time the handler runs.
      const ours = [request, response, request.socket].flatMap((object) => Object.getOwnPropertySymbols(object).map(String)).filter((name) => /flightRecorder/i.test(name));
      response.end(JSON.stringify(ours));
      return;
    }
    if (request.url?.startsWith('/slow')) {
      setTimeout(() => response.end('slow'), 60);
      return;
    }
    if (request.url?.startsWith('/hang')) {
      request.socket.setTimeout(5000);
      return; // never answers: the client aborts
    }
    response.statusCode = request.url?.startsWith('/missing') ? 404 : 200;
    response.end('ok');
  });
  base = await listenOnLoopback(server);
});

after(async () => {
  recorder.uninstall();
  await closeServer(server);
});

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(`${base}${path}`, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

const spans = (events: TraceEvent[], cat: string) => {
  const begins = events.filter((e) => e.cat === cat && e.ph === 'b');
  return begins.map((b) => ({ begin: b, end: events.find((e) => e.cat === cat && e.ph === 'e' && e.id === b.id) }));
};

test('server spans: method, redacted url, status, duration, rule hook', async () => {
  assert.equal(await get('/hello?token=SECRET123'), 200);
  assert.equal(await get('/missing'), 404);
  assert.equal(await get('/slow'), 200);
  await until(() => recorder.rules.requests.length >= 3, 5000, 'three finished requests');
  const events = recorder.ring.decode();
  const server = spans(events, 'http.server');
  const hello = server.find((s) => s.begin.name === 'GET /hello');
  assert.ok(hello?.end, 'hello span has an end');
  assert.equal(hello.begin.args?.url, '/hello?token=***');
  assert.equal(hello.end.args?.status, 200);
  assert.equal(hello.end.name, hello.begin.name);
  assert.ok(hello.end.ts >= hello.begin.ts);
  assert.equal(server.find((s) => s.begin.name === 'GET /missing')?.end?.args?.status, 404);
  const slow = server.find((s) => s.begin.name === 'GET /slow');
  assert.ok(slow?.end && slow.end.ts - slow.begin.ts >= 50_000, 'slow request lasted ≥ 50 ms');
  assert.ok(!JSON.stringify(events).includes('SECRET123'));
  const slowRule = recorder.rules.requests.find(([, , name]) => name === '/slow');
  assert.ok(slowRule && slowRule[0] >= 50 && slowRule[1] === 200);
});

test("no property is added to Node's request, response or socket objects", async () => {
  const response = await fetch(`${base}/symbols`);
  assert.deepEqual(await response.json(), []);
});

test('pipelined requests on one connection each get their own span, and an abort ends what is in flight', async () => {
  const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  // Three requests in one write: the second and third arrive while the first is still in flight.
  socket.write('GET /slow?p=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?p=2 HTTP/1.1\r\nHost: x\r\n\r\nGET /hang-pipelined?p=3 HTTP/1.1\r\nHost: x\r\n\r\n');
  await until(() => (received.match(/HTTP\/1\.1 200/g) ?? []).length >= 2, 5000, 'two pipelined answers');
  socket.destroy();
  const done = (name: string) => spans(recorder.ring.decode(), 'http.server').find((s) => s.begin.args?.url === name && s.end);
  await until(() => done('/hang-pipelined?p=***') !== undefined, 5000, 'the pipelined hang aborted');
  assert.equal(done('/slow?p=***')?.end?.args?.status, 200);
  assert.equal(done('/hello?p=***')?.end?.args?.status, 200);
  assert.equal(done('/hang-pipelined?p=***')?.end?.args?.aborted, true);
  // Rules hear of the aborted request by its URL, as the ring holds it (redacted).
  assert.ok(recorder.rules.requests.some(([, status, name]) => status === 0 && name === '/hang-pipelined?p=***'), JSON.stringify(recorder.rules.requests));
  const slow = done('/slow?p=***');
  assert.ok(slow?.end && slow.end.ts - slow.begin.ts >= 50_000, 'the first request kept its own start');
});

test('client spans for node:http and fetch, with status', async () => {
  await get('/hello?k=v');
  const response = await fetch(`${base}/hello?api_key=SECRET`);
  await response.text();
  await until(() => spans(recorder.ring.decode(), 'http.client').filter((s) => s.end).length >= 2, 5000, 'client spans');
  const client = spans(recorder.ring.decode(), 'http.client');
  const viaHttp = client.find((s) => s.begin.args?.api === 'http' && String(s.begin.args?.url).endsWith('/hello?k=***'));
  assert.ok(viaHttp?.end);
  assert.equal(viaHttp.end.args?.status, 200);
  assert.ok(String(viaHttp.begin.args?.url).startsWith('http://127.0.0.1:'));
  const viaFetch = client.find((s) => s.begin.args?.api === 'fetch' && String(s.begin.args?.url).includes('/hello'));
  assert.ok(viaFetch?.end, 'fetch span ended');
  assert.equal(viaFetch.end.args?.status, 200);
  assert.equal(viaFetch.begin.args?.url, `${base}/hello?api_key=***`);
  assert.equal(viaFetch.begin.name, `GET ${base}/hello`);
});

test('client errors and aborted server requests end their spans', async () => {
  const failed = await fetch('http://127.0.0.1:1/nothing').then(() => false, () => true);
  assert.ok(failed);
  const request = http.get(`${base}/hang`);
  request.on('error', () => {});
  await until(() => spans(recorder.ring.decode(), 'http.server').some((s) => s.begin.name === 'GET /hang'), 5000, 'hang begin');
  request.destroy();
  await until(() => spans(recorder.ring.decode(), 'http.server').some((s) => s.begin.name === 'GET /hang' && s.end), 5000, 'hang end');
  const events = recorder.ring.decode();
  const hang = spans(events, 'http.server').find((s) => s.begin.name === 'GET /hang');
  assert.equal(hang?.end?.args?.aborted, true);
  assert.ok(recorder.rules.requests.some(([, status, name]) => status === 0 && name === '/hang'), 'rules hear of the aborted request by its URL');
  await until(() => spans(recorder.ring.decode(), 'http.client').some((s) => s.end?.args?.error !== undefined), 5000, 'fetch error');
});

test("a request whose client left before a sweep saw it ends aborted at the next sweep, or at a snapshot's flush; one seen open, when its connection closes", async () => {
  // Ticks only when the test says: what each sweep finds is the test's to arrange.
  const source = httpServerSource();
  const local = installSources([source], 0);
  const serverSockets: net.Socket[] = [];
  const hanging = http.createServer((request) => {
    serverSockets.push(request.socket);
  });
  const localBase = await listenOnLoopback(hanging);
  const hangOnce = async (path: string) => {
    const request = http.get(`${localBase}${path}`);
    request.on('error', () => {});
    await until(() => serverSockets.length > 0, 5000, `${path} to arrive`);
    return request;
  };
  const ended = (url: string) => spans(local.ring.decode(), 'http.server').find((s) => s.begin.args?.url === url)?.end;
  try {
    // Gone before any sweep: nobody watches its close; the next sweep finds the socket destroyed.
    const first = await hangOnce('/left-early');
    first.destroy();
    await until(() => serverSockets[0]!.destroyed, 5000, 'the server side to see the close');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(ended('/left-early'), undefined, 'nothing ends it before a sweep');
    const beforeSweepUs = local.ring.nowUs();
    local.context.runLoopTickWork();
    const early = ended('/left-early');
    assert.equal(early?.args?.aborted, true);
    assert.ok((early?.ts ?? 0) >= beforeSweepUs, 'ended when the sweep found it');
    // The same through a snapshot's flush.
    serverSockets.length = 0;
    const second = await hangOnce('/left-before-snapshot');
    second.destroy();
    await until(() => serverSockets[0]!.destroyed, 5000, 'the server side to see the close');
    assert.equal(source.flush?.(), false);
    assert.equal(ended('/left-before-snapshot')?.args?.aborted, true);
    // Seen open by a sweep: its connection's close ends it, at the close.
    serverSockets.length = 0;
    const third = await hangOnce('/left-later');
    local.context.runLoopTickWork();
    const beforeCloseUs = local.ring.nowUs();
    third.destroy();
    await until(() => ended('/left-later') !== undefined, 5000, 'the watched close');
    assert.equal(ended('/left-later')?.args?.aborted, true);
    assert.ok((ended('/left-later')?.ts ?? 0) >= beforeCloseUs);
    assert.equal(local.hookErrors.length, 0);
  } finally {
    local.uninstall();
    assert.equal(local.tickWork.size, 0, 'uninstall stops the sweeps');
    await closeServer(hanging);
  }
});

test('net spans for accepted and client sockets, with peers and bytes', async () => {
  const agentless = await new Promise<number>((resolve, reject) => {
    http.get(`${base}/hello`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
  assert.equal(agentless, 200);
  await until(() => spans(recorder.ring.decode(), 'net').filter((s) => s.end).length >= 2, 5000, 'socket closes');
  const net = spans(recorder.ring.decode(), 'net').filter((s) => s.end);
  const serverSide = net.find((s) => s.begin.name === 'server socket');
  const clientSide = net.find((s) => s.begin.name === 'client socket');
  assert.ok(serverSide && clientSide);
  assert.match(String(serverSide.begin.args?.remoteAddress), /^127\.0\.0\.1:\d+$/);
  assert.match(String(clientSide.end?.args?.remoteAddress), /^127\.0\.0\.1:\d+$/);
  assert.ok(Number(clientSide.end?.args?.bytesWritten) > 0);
});

test('the server request hooks swallow and report their own errors (they bypass the shared guard wrapper)', async () => {
  const diagnostics = await import('node:diagnostics_channel');
  const made = installSources([httpServerSource()]);
  try {
    // Malformed messages (no request; no message at all): each hook must report, never throw.
    assert.doesNotThrow(() => diagnostics.channel('http.server.request.start').publish({}));
    assert.doesNotThrow(() => diagnostics.channel('http.server.response.finish').publish(null));
    assert.equal(made.hookErrors.length, 2);
  } finally {
    made.uninstall();
  }
});
