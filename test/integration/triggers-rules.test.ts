// Rules over recorded data: bounded by cooldown and maxSnapshots, rule and value recorded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventNames } from '../../src/format/trace-event';
import { runRecorded, tempProject, readSnapshot, snapshotFiles, cleanup, portOf, get, waitFor, type Recorded } from './recorder-harness';

const running: Recorded[] = [];
after(() => running.forEach(cleanup));

const SERVER = `const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/slow')) setTimeout(() => res.end('slow'), 120);
  else if (req.url.startsWith('/fail')) { res.statusCode = 503; res.end('no'); }
  else res.end('ok');
});
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); });
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

async function serve(triggers: object): Promise<{ app: Recorded; port: number }> {
  const app = runRecorded(tempProject({ 'server.js': SERVER }), 'server.js', { config: { triggers } });
  running.push(app);
  return { app, port: await portOf(app) };
}

async function stop(app: Recorded): Promise<void> {
  app.child.kill('SIGTERM');
  const { code } = await app.exited;
  assert.equal(code, 0);
}

test('50 slow requests with a cooldown write exactly one snapshot', async () => {
  const { app, port } = await serve({ slowRequestMs: 100, cooldownMs: 60_000, maxSnapshots: 5 });
  for (let batch = 0; batch < 5; batch++) {
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => get(port, `/slow/${batch * 10 + i}`)));
    assert.deepEqual(new Set(statuses), new Set([200]));
  }
  await stop(app); // snapshots still pending at exit are written synchronously
  const files = snapshotFiles(app.out);
  assert.equal(files.length, 1, files.join('\n'));
  const snapshot = readSnapshot(files[0]!);
  const trigger = snapshot.metadata.trigger;
  assert.equal(trigger.source, 'rule');
  assert.equal(trigger.rule, 'slowRequestMs');
  assert.equal(trigger.threshold, 100);
  assert.ok((trigger.value ?? 0) >= 100);
  const instant = snapshot.traceEvents.find((e) => e.name === EventNames.trigger);
  assert.equal((instant?.args as { rule: string }).rule, 'slowRequestMs');
  // The history before the trigger is there: the slow request that fired it has ended.
  assert.ok(snapshot.traceEvents.some((e) => e.cat === 'http.server' && e.ph === 'e' && e.ts <= trigger.ts));
});

test('maxSnapshots bounds a rule without cooldown; statusAtLeast records the status', async () => {
  const { app, port } = await serve({ statusAtLeast: 500, cooldownMs: 0, maxSnapshots: 3 });
  for (let i = 0; i < 8; i++) assert.equal(await get(port, `/fail/${i}`), 503);
  await stop(app);
  const files = snapshotFiles(app.out);
  assert.equal(files.length, 3, files.join('\n'));
  for (const file of files) {
    const trigger = readSnapshot(file).metadata.trigger;
    assert.equal(trigger.rule, 'statusAtLeast');
    assert.equal(trigger.value, 503);
    assert.equal(trigger.threshold, 500);
  }
});

test('rules are off by default: slow requests write nothing', async () => {
  const { app, port } = await serve({});
  for (let i = 0; i < 3; i++) assert.equal(await get(port, `/slow/${i}`), 200);
  await stop(app);
  assert.deepEqual(snapshotFiles(app.out), []);
});

test('opt-in signal trigger, and tailMs keeps recording after a rule fires', async () => {
  const { app, port } = await serve({ signal: 'SIGHUP', slowRequestMs: 100, tailMs: 400 });
  app.child.kill('SIGHUP'); // with the recorder listening, SIGHUP no longer terminates
  await waitFor('signal snapshot', () => snapshotFiles(app.out).length === 1, 15_000);
  const bySignal = readSnapshot(snapshotFiles(app.out)[0]!);
  assert.equal(bySignal.metadata.trigger.source, 'signal');
  assert.equal(await get(port, '/slow/1'), 200);
  await waitFor('rule snapshot', () => snapshotFiles(app.out).length === 2, 15_000);
  const byRule = snapshotFiles(app.out).map(readSnapshot).find((s) => s.metadata.trigger.source === 'rule')!;
  // The tail: the snapshot was taken tailMs after the trigger (clockSync is read when it is built),
  // and the trigger instant keeps the firing time.
  assert.ok(byRule.metadata.clockSync!.ts >= byRule.metadata.trigger.ts + 400_000, JSON.stringify(byRule.metadata));
  await stop(app);
});
