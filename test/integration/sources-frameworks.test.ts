// Express and Fastify under the real recorder: spans with statuses; Express route templates.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { after, test } from 'node:test';
import { validateSnapshot } from '../../src/format/validate';
import { built, cliSnapshot, readSnapshot, request, spansOf, startApp, until, type RunningApp } from './sources-harness';

const running: RunningApp[] = [];
after(async () => {
  for (const app of running) await app.stop();
});

test('Express: route templates (mounted routers too) and error statuses', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const app = await startApp('express-app.js', { recorder: true });
  running.push(app);
  assert.equal((await request(app.port, '/users/42?session=abc')).status, 200);
  assert.equal((await request(app.port, '/api/items/7')).status, 200);
  assert.equal((await request(app.port, '/boom')).status, 500);
  const { snapshot, events } = readSnapshot(cliSnapshot(app, 'express')[0] ?? '');
  assert.deepEqual(validateSnapshot(snapshot).slice(0, 10), []);
  const server = spansOf(events, 'http.server');
  const user = server.find((s) => s.begin.name === 'GET /users/42');
  assert.equal(user?.begin.args?.url, '/users/42?session=***');
  assert.equal(user?.end?.args?.route, '/users/:id');
  assert.equal(server.find((s) => s.begin.name === 'GET /api/items/7')?.end?.args?.route, '/api/items/:itemId');
  assert.equal(server.find((s) => s.begin.name === 'GET /boom')?.end?.args?.status, 500);
});

test('Express: a request its client gave up on keeps its route template', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const app = await startApp('express-app.js', { recorder: true });
  running.push(app);
  // A keep-alive connection whose earlier request finished, then one that never answers.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal((await new Promise<number>((resolveStatus, reject) => {
    http.get({ host: '127.0.0.1', port: app.port, path: '/users/1', agent }, (response) => {
      response.resume();
      response.on('end', () => resolveStatus(response.statusCode ?? 0));
    }).on('error', reject);
  })), 200);
  const hanging = http.get({ host: '127.0.0.1', port: app.port, path: '/hang/77?token=SECRET', agent });
  hanging.on('error', () => {});
  await until(() => app.stdout().includes('hanging 77'), 10_000, 'the server to route /hang/77');
  hanging.destroy();
  let ended: ReturnType<typeof spansOf>[number] | undefined;
  await until(() => {
    const { events } = readSnapshot(cliSnapshot(app, 'after-abort')[0] ?? '');
    ended = spansOf(events, 'http.server').find((s) => s.begin.name === 'GET /hang/77' && s.end !== undefined);
    return ended;
  }, 15_000, 'the aborted span to end');
  agent.destroy();
  assert.equal(ended?.end?.args?.aborted, true);
  assert.equal(ended?.end?.args?.route, '/hang/:jobId');
  assert.equal(ended?.begin.args?.url, '/hang/77?token=***');
});

// No route template for Fastify: the tracing channel that carries it costs 25–30 % per request.
test('Fastify: spans named by URL, with statuses', { skip: !built && 'dist/ not built', timeout: 60_000 }, async () => {
  const app = await startApp('fastify-app.js', { recorder: true });
  running.push(app);
  assert.equal((await request(app.port, '/orders/9')).status, 200);
  assert.equal((await request(app.port, '/health')).status, 200);
  const { snapshot, events } = readSnapshot(cliSnapshot(app, 'fastify')[0] ?? '');
  assert.deepEqual(validateSnapshot(snapshot).slice(0, 10), []);
  const server = spansOf(events, 'http.server');
  assert.equal(server.find((s) => s.begin.name === 'GET /orders/9')?.end?.args?.status, 200);
  assert.equal(server.find((s) => s.begin.name === 'GET /health')?.end?.args?.status, 200);
});
