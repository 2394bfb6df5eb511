// Crash and exit triggers: the snapshot holds the error and the requests before it, and the
// program's stderr and exit code are exactly what they are without the recorder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventNames } from '../../src/format/trace-event';
import { runRecorded, tempProject, readSnapshot, snapshotFiles, cleanup, portOf, get, RECORDER, type Recorded } from './recorder-harness';

const running: Recorded[] = [];
after(() => running.forEach(cleanup));

const APP = `const http = require('node:http');
const mode = process.argv[2];
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  res.end('ok');
  if (served === 10) setTimeout(() => {
    if (mode === 'throw') throw new Error('boom after ten requests');
    if (mode === 'reject') Promise.reject(new Error('rejected after ten requests'));
    if (mode === 'exit') process.exit(3);
  }, 20);
});
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

async function runTen(mode: string, preload: boolean): Promise<{ code: number | null; stderr: string; out: string }> {
  const dir = tempProject({ 'app.js': APP });
  const app = runRecorded(dir, 'app.js', { args: [mode], preload });
  running.push(app);
  const port = await portOf(app);
  for (let i = 0; i < 10; i++) assert.equal(await get(port, `/req/${i}`), 200);
  const { code } = await app.exited;
  return { code, stderr: app.stderr().split(dir).join('<dir>'), out: app.out };
}

for (const [mode, expectedCode, source, message] of [
  ['throw', 1, 'uncaughtException', 'boom after ten requests'],
  ['reject', 1, 'unhandledRejection', 'rejected after ten requests'],
  ['exit', 3, 'exit', undefined],
] as const) {
  test(`${mode}: snapshot with the trigger and the 10 requests; stderr and exit code unchanged`, async () => {
    const [plain, recorded] = await Promise.all([runTen(mode, false), runTen(mode, true)]);
    assert.equal(plain.code, expectedCode);
    assert.equal(recorded.code, expectedCode);
    assert.equal(recorded.stderr, plain.stderr);
    if (message) assert.match(recorded.stderr, new RegExp(message));
    assert.deepEqual(snapshotFiles(plain.out), []);
    const files = snapshotFiles(recorded.out);
    assert.equal(files.length, 1, files.join('\n'));
    const snapshot = readSnapshot(files[0]!);
    const trigger = snapshot.metadata.trigger;
    assert.equal(trigger.source, source);
    assert.match(trigger.reason, mode === 'exit' ? /exit code 3/ : new RegExp(`${source}: ${message}`));
    if (message) {
      const error = (trigger as unknown as { error: { message: string; stack: string } }).error;
      assert.equal(error.message, message);
      assert.match(error.stack, /app\.js:\d+/);
    }
    const instant = snapshot.traceEvents.find((e) => e.name === EventNames.trigger);
    assert.equal((instant?.args as { reason: string }).reason, trigger.reason);
    const ends = snapshot.traceEvents.filter((e) => e.cat === 'http.server' && e.ph === 'e');
    assert.equal(ends.length, 10);
    if (mode === 'exit') {
      const exit = snapshot.traceEvents.find((e) => e.name === EventNames.processExit && e.args?.code !== undefined);
      assert.equal((exit?.args as { code: number }).code, 3);
    }
  });
}

test('a program with its own uncaughtException handler survives; the snapshot is still taken', async () => {
  const dir = tempProject({
    'app.js': `process.on('uncaughtException', (e) => console.log('handled', e.message));
setTimeout(() => { throw new Error('survivable'); }, 50);
setTimeout(() => console.log('still alive'), 1500);
`,
  });
  const app = runRecorded(dir, 'app.js');
  running.push(app);
  const { code } = await app.exited;
  assert.equal(code, 0);
  assert.equal(app.stdout(), 'handled survivable\nstill alive\n');
  const files = snapshotFiles(app.out);
  assert.equal(files.length, 1);
  assert.match(readSnapshot(files[0]!).metadata.trigger.reason, /uncaughtException: survivable/);
});

test('a snapshot the watchdog has written is not written again when the process exits before it hears so', { timeout: 60_000 }, async () => {
  // The second snapshot's file is complete while this thread is busy (its "done" message waits
  // in the queue); then the program exits. The exit path writes snapshots it has not heard of
  // as written — this one it must not write a second time.
  const dir = tempProject({
    'app.js': `const { existsSync, readdirSync } = require('node:fs');
const recorder = require(process.env.NFR_RECORDER_API);
const out = JSON.parse(process.env.FLIGHT_RECORDER).out;
const files = () => (existsSync(out) ? readdirSync(out).filter((name) => name.endsWith('.nodetrace.json')).length : 0);
recorder.snapshot({ reason: 'first' }).then(() => {
  recorder.snapshot({ reason: 'second' }).catch(() => {});
  const deadline = Date.now() + 20000;
  while (files() < 2 && Date.now() < deadline) {}
  console.log('FILES ' + files());
  process.exit(0);
});
`,
  });
  const app = runRecorded(dir, 'app.js', { env: { NFR_RECORDER_API: RECORDER } });
  running.push(app);
  const { code } = await app.exited;
  assert.equal(code, 0, app.stderr());
  assert.match(app.stdout(), /FILES 2/, 'the second file was complete before the exit');
  assert.equal(snapshotFiles(app.out).length, 2, snapshotFiles(app.out).join('\n'));
});
