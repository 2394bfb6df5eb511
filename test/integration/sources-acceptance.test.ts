// The issue-2 acceptance scenario, end to end: a plain node:http server under the real
// recorder (preload), real requests, a snapshot through the real CLI, the validator, and the
// server's output compared with a run without the recorder.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { after, test } from 'node:test';
import { validateSnapshot } from '../../src/format/validate';
import { built, cliSnapshot, readSnapshot, request, spansOf, startApp, until, type RunningApp } from './sources-harness';

const running: RunningApp[] = [];
after(async () => {
  for (const app of running) await app.stop();
});

async function scenario(app: RunningApp): Promise<void> {
  for (let i = 0; i < 20; i++) assert.equal((await request(app.port, '/hello?token=SECRET123')).status, 200);
  assert.equal((await request(app.port, '/busy')).status, 200);
  for (let i = 0; i < 3; i++) assert.equal((await request(app.port, '/fetch')).status, 200);
  assert.equal((await request(app.port, '/alloc')).status, 200);
}

async function finish(app: RunningApp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  await request(app.port, '/exit');
  const code = await Promise.race([app.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('server did not exit')), 10_000))]);
  return { code, stdout: app.stdout(), stderr: app.stderr() };
}

test('issue-2 acceptance: http server snapshot holds requests, loop block, gc, fetches, memory; output unchanged', { skip: !built && 'dist/ not built', timeout: 90_000 }, async () => {
  const plain = await startApp('http-server.js', { recorder: false });
  running.push(plain);
  await scenario(plain);
  const without = await finish(plain);
  assert.equal(without.code, 7);

  // As the issue checks it: `cli run -- node server.js`, then `cli snapshot all --reason check`.
  const app = await startApp('http-server.js', { recorder: true, viaCliRun: true });
  running.push(app);
  await scenario(app);
  const paths = cliSnapshot(app, 'check', 'all');
  assert.equal(paths.length, 1, `one path printed: ${paths.join(', ')}`);
  const { text, snapshot, events } = readSnapshot(paths[0] ?? '');

  assert.deepEqual(validateSnapshot(snapshot).slice(0, 10), []);
  assert.equal(snapshot.metadata.trigger.reason, 'check');
  assert.ok(!text.includes('SECRET123'), 'no secret anywhere in the file');

  const hello = spansOf(events, 'http.server').filter((s) => s.begin.name === 'GET /hello' && s.end?.args?.status === 200);
  assert.ok(hello.length >= 20, `≥ 20 /hello spans with status 200, found ${hello.length}`);
  assert.ok(hello.every((s) => s.begin.args?.url === '/hello?token=***'));
  const busy = spansOf(events, 'http.server').find((s) => s.begin.name === 'GET /busy');
  assert.ok(busy?.end && busy.end.ts - busy.begin.ts >= 290_000, 'the busy request lasted ≥ 300 ms');

  const blocks = events.filter((e) => e.cat === 'eventloop' && e.ph === 'X' && (e.dur ?? 0) >= 250_000);
  assert.ok(blocks.length >= 1, 'an event-loop block ≥ 250 ms');
  assert.ok(events.some((e) => e.cat === 'gc'), 'at least one GC');
  const clients = spansOf(events, 'http.client').filter((s) => s.end?.args?.status === 200);
  assert.ok(clients.length >= 3, `≥ 3 http.client spans, found ${clients.length}`);
  assert.ok(clients.every((s) => s.begin.args?.api === 'fetch'));
  assert.ok(events.some((e) => e.cat === 'memory' && e.ph === 'C' && Number(e.args?.heapUsedMB) > 0), 'memory counters');
  assert.ok(events.some((e) => e.cat === 'console' && e.args?.text === 'busy request done' && e.args?.stream === 'stderr'));

  const withRecorder = await finish(app);
  assert.equal(withRecorder.code, without.code);
  assert.equal(withRecorder.stdout, without.stdout);
  assert.equal(withRecorder.stderr, without.stderr);
});

test('a request in flight at snapshot time appears as a begun span; it ends as aborted when the client leaves', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const app = await startApp('http-server.js', { recorder: true });
  running.push(app);
  const hanging = http.get({ host: '127.0.0.1', port: app.port, path: '/hang?key=SECRET', agent: false });
  hanging.on('error', () => {});
  await until(() => app.stdout().includes('GET /hang'), 10_000, 'the server to receive /hang');
  const during = readSnapshot(cliSnapshot(app, 'in-flight')[0] ?? '');
  assert.deepEqual(validateSnapshot(during.snapshot).slice(0, 10), []);
  const open = spansOf(during.events, 'http.server').find((s) => s.begin.name === 'GET /hang');
  assert.ok(open && open.end === undefined, 'begun, not ended');
  assert.equal(open.begin.args?.url, '/hang?key=***');
  hanging.destroy();
  let after: ReturnType<typeof readSnapshot> | undefined;
  await until(() => {
    after = readSnapshot(cliSnapshot(app, 'after-abort')[0] ?? '');
    return spansOf(after.events, 'http.server').find((s) => s.begin.name === 'GET /hang')?.end;
  }, 15_000, 'the aborted span to end');
  const ended = spansOf(after?.events ?? [], 'http.server').find((s) => s.begin.name === 'GET /hang');
  assert.equal(ended?.end?.args?.aborted, true);
});

test('recordHeaders: the named request headers on each server span, secret ones redacted; none by default', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const send = (port: number, path: string, headers: Record<string, string>) =>
    new Promise<number>((resolveSent, reject) => {
      http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolveSent(response.statusCode ?? 0));
      }).on('error', reject);
    });
  const headers = { 'X-Request-Id': 'req-42', Authorization: 'Bearer SECRET-TOKEN', Traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'X-Other': 'not asked for' };
  const app = await startApp('http-server.js', { recorder: true, config: { recordHeaders: ['x-request-id', 'Authorization', 'traceparent', 'x-missing'] } });
  running.push(app);
  assert.equal(await send(app.port, '/hello', headers), 200);
  assert.equal(await send(app.port, '/hello', {}), 200);
  const { text, events } = readSnapshot(cliSnapshot(app, 'headers')[0] ?? '');
  const hello = spansOf(events, 'http.server').filter((s) => s.begin.name === 'GET /hello');
  assert.equal(hello.length, 2);
  assert.deepEqual(hello[0]!.begin.args?.headers, { 'x-request-id': 'req-42', authorization: '***', traceparent: headers.Traceparent });
  assert.equal(hello[1]!.begin.args?.headers, undefined, 'a request with none of them has no headers');
  assert.ok(!text.includes('SECRET-TOKEN') && !text.includes('not asked for'));

  const plain = await startApp('http-server.js', { recorder: true });
  running.push(plain);
  assert.equal(await send(plain.port, '/hello', headers), 200);
  const unasked = spansOf(readSnapshot(cliSnapshot(plain, 'no-headers')[0] ?? '').events, 'http.server').find((s) => s.begin.name === 'GET /hello');
  assert.ok(unasked && unasked.begin.args?.headers === undefined);
});
