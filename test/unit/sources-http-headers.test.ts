// recordHeaders on real requests: the headers an incoming request carried and the ones the
// program sent with node:http and fetch, each on its own span (server and client span ids
// count separately and may be equal), credentials redacted.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { after, before, test } from 'node:test';
import type { TraceEvent } from '../../src/format/trace-event';
import { fetchSource } from '../../src/recorder/sources/fetch';
import { httpClientSource } from '../../src/recorder/sources/http-client';
import { httpServerSource } from '../../src/recorder/sources/http-server';
import { clientRequestHeaderPairs, undiciHeaderPairs } from '../../src/recorder/sources/request-headers';
import { closeServer, installSources, listenOnLoopback, until } from './sources-fake-ring';

const wanted = ['x-request-id', 'authorization'];
let recorder: ReturnType<typeof installSources>;
let server: http.Server;
let base = '';

before(async () => {
  recorder = installSources([httpServerSource(wanted), httpClientSource(wanted), fetchSource(wanted)]);
  server = http.createServer((_request, response) => response.end('ok'));
  base = await listenOnLoopback(server);
});

after(async () => {
  recorder.uninstall();
  await closeServer(server);
});

const begins = (events: TraceEvent[], cat: string) => events.filter((e) => e.cat === cat && e.ph === 'b');

test('server, node:http client and fetch spans carry the headers asked for', async () => {
  await new Promise<void>((resolve, reject) => {
    http.get(`${base}/via-http`, { headers: { 'X-Request-Id': 'from-http', Authorization: 'Basic c2VjcmV0', 'X-Other': 'x' } }, (response) => {
      response.resume();
      response.on('end', resolve);
    }).on('error', reject);
  });
  await (await fetch(`${base}/via-fetch`, { headers: { 'x-request-id': 'from-fetch' } })).text();
  await (await fetch(`${base}/plain`)).text();
  await until(() => begins(recorder.ring.decode(), 'http.server').length >= 3 && begins(recorder.ring.decode(), 'http.client').length >= 3, 5000, 'spans');
  const events = recorder.ring.decode();
  const server = Object.fromEntries(begins(events, 'http.server').map((b) => [String(b.args?.url), b.args?.headers]));
  assert.deepEqual(server, {
    '/via-http': { 'x-request-id': 'from-http', authorization: '***' },
    '/via-fetch': { 'x-request-id': 'from-fetch' },
    '/plain': undefined,
  });
  const client = Object.fromEntries(begins(events, 'http.client').map((b) => [`${String(b.args?.api)} ${String(b.args?.url).replace(base, '')}`, b.args?.headers]));
  assert.deepEqual(client, {
    'http /via-http': { 'x-request-id': 'from-http', authorization: '***' },
    'fetch /via-fetch': { 'x-request-id': 'from-fetch' },
    'fetch /plain': undefined,
  });
});

test('header lists from a ClientRequest and from undici, in either of its forms', () => {
  const headers: Record<string, unknown> = { 'x-request-id': 'a', 'x-list': ['1', '2'] };
  assert.deepEqual(clientRequestHeaderPairs({ getHeader: (name) => headers[name] }, ['x-request-id', 'x-list', 'x-none']), ['x-request-id', 'a', 'x-list', '1, 2']);
  assert.deepEqual(clientRequestHeaderPairs({}, ['x-request-id']), []);
  assert.deepEqual(undiciHeaderPairs(['X-Request-Id', 'a']), ['X-Request-Id', 'a']);
  assert.deepEqual(undiciHeaderPairs('x-request-id: a\r\ntraceparent:00-1\r\n'), ['x-request-id', 'a', 'traceparent', '00-1']);
  assert.deepEqual(undiciHeaderPairs(undefined), []);
});
