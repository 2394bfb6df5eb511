// Defects found by the reliability, CLI and sources engineers, each against a real recorded
// process: the stuck probe on a main thread that is only slow (and the window holding its
// event), temp files left by a killed snapshot, control ids that do not survive JSON, the
// watchdog shown as a user worker, CPU profile events older than the ring's window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { EventNames, type TraceEvent } from '../../src/format/trace-event';
import type { ControlResponse } from '../../src/format/control';
import {
  recordedPrograms, waitForEntry, waitFor, request, readSnapshot, serverScript, portOf, get, RECORDER,
} from './recorder-harness';

const CLI = resolve(__dirname, '../../dist/cli.js');
const { start } = recordedPrograms();

/** `cli validate` (strict) on a file: exit code and output. */
function validate(path: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [CLI, 'validate', path], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Sends raw lines on one connection; resolves with every answer line until `count` arrive. */
function rawRequest(socket: string, text: string, count: number, timeoutMs = 10_000): Promise<ControlResponse[]> {
  return new Promise((resolveAll, reject) => {
    const connection = connect(socket);
    let buffer = '';
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`only ${buffer.split('\n').length - 1} of ${count} answers within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.on('connect', () => connection.write(text));
    connection.on('data', (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n').filter((line) => line !== '');
      if (buffer.endsWith('\n') && lines.length >= count) {
        clearTimeout(timer);
        connection.end();
        resolveAll(lines.map((line) => JSON.parse(line) as ControlResponse));
      }
    });
    connection.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A pid that is certainly dead: a process we started and saw exit. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((done) => child.on('close', done));
  return pid;
}

test('a main thread running no JavaScript is reported slow to answer, not stuck; the window holds every event', { timeout: 60_000 }, async () => {
  // The snapshot is asked for, then the main thread blocks in a system call for longer than the
  // pause probe waits: no JavaScript runs, so there is no location to claim it was stuck at. (When
  // the call returns within the probe's wait, the pause lands in its caller: a true location.)
  const app = start(
    {
      'blocked.js': `const { snapshot } = require(${JSON.stringify(RECORDER)});
const { execFileSync } = require('node:child_process');
snapshot({ reason: 'blocked' }).then((path) => { console.log('SNAPSHOT ' + path); setTimeout(() => {}, 200); }, (error) => console.log('FAILED ' + error.message));
execFileSync('sleep', ['4']);
`,
    },
    'blocked.js',
  );
  const line = await waitFor('the snapshot path', () => /SNAPSHOT (.+)|FAILED (.+)/.exec(app.stdout()), 30_000);
  assert.ok(line[1], `snapshot failed: ${line[2]}`);
  const snapshot = readSnapshot(line[1].trim());
  const stuck = snapshot.traceEvents.find((e) => e.name === EventNames.mainThreadStuck);
  assert.equal(stuck, undefined, `no stuck event for a thread that ran no JavaScript: ${JSON.stringify(stuck?.args)}`);
  assert.equal(snapshot.metadata.mainThreadStuck, undefined);
  const slow = snapshot.traceEvents.find((e) => e.name === EventNames.mainThreadSlow);
  assert.ok(slow, 'a "Main thread slow to answer" event');
  const args = slow.args as { waitedMs: number; answered: boolean; detail: string };
  assert.ok(args.waitedMs >= 150, JSON.stringify(args));
  assert.equal(args.answered, false);
  assert.match(args.detail, /no JavaScript ran/);
  const window = snapshot.metadata.window as { startTs: number; endTs: number };
  for (const event of snapshot.traceEvents) {
    if (event.ph !== 'M') assert.ok(event.ts >= window.startTs && event.ts <= window.endTs, `${event.name} at ${event.ts} outside [${window.startTs}, ${window.endTs}]`);
  }
  const checked = validate(line[1].trim());
  assert.equal(checked.status, 0, checked.output);
});

test('temp files of killed writers are cleaned, ids must be integers, the watchdog is no user worker', { timeout: 60_000 }, async () => {
  const app = start({ 'server.js': serverScript(`res.end('ok')`) }, 'server.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  assert.equal(await get(port, '/hello'), 200);

  // A temp file of a writer killed mid-write (dead pid) goes; one of a live writer stays.
  mkdirSync(app.out, { recursive: true });
  const leftover = join(app.out, `.${await deadPid()}-k1ll3d.tmp`);
  const live = join(app.out, `.${process.pid}-wr1t1ng.tmp`);
  const foreign = join(app.out, `.notes.tmp`);
  for (const path of [leftover, live, foreign]) writeFileSync(path, '{"traceEvents":[');

  // Ids that do not survive a JSON round trip are refused, with an id the client can read.
  const answers = await rawRequest(entry.socket, '{"id":1e999,"type":"status"}\n{"id":1.5,"type":"status"}\n{"id":"3","type":"status"}\n{"id":4,"type":"status"}\n', 4);
  for (const answer of answers.slice(0, 3)) {
    assert.equal(answer.ok, false, JSON.stringify(answer));
    assert.equal(answer.id, 0, JSON.stringify(answer));
    assert.equal((answer as { code?: string }).code, 'bad-request', JSON.stringify(answer));
  }
  assert.equal(answers[3]?.ok, true, JSON.stringify(answers[3]));
  assert.equal(answers[3]?.id, 4);
  const badLine = await request(entry.socket, '{"id":5,"type":"armSnapshotPoint","url":"/x.js","lineNumber":1e999}\n');
  assert.equal(badLine.ok, false);

  const answer = await request(entry.socket, { id: 6, type: 'snapshot', reason: 'plain' }, 30_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  assert.equal(existsSync(leftover), false, 'the dead writer\'s temp file is removed');
  assert.equal(existsSync(live), true, 'a live writer\'s temp file is left alone');
  assert.equal(existsSync(foreign), true, 'files not named like ours are left alone');

  const snapshot = readSnapshot(answer.path);
  assert.ok(snapshot.traceEvents.some((e) => e.cat === 'http.server'), 'the request is recorded');
  const workers = snapshot.traceEvents.filter((e) => e.cat === 'worker');
  assert.deepEqual(workers.map((e) => e.name), [], 'the recorder\'s watchdog is not a user worker');
});

test('a real user worker is still recorded', { timeout: 60_000 }, async () => {
  const app = start(
    {
      'worker.js': `const { Worker } = require('node:worker_threads');
const worker = new Worker('setTimeout(() => {}, 50)', { eval: true });
worker.on('exit', () => console.log('WORKER DONE'));
setInterval(() => {}, 1000);
`,
    },
    'worker.js',
  );
  const entry = await waitForEntry(app.registry, app.child.pid!);
  await waitFor('the worker to end', () => app.stdout().includes('WORKER DONE'), 20_000);
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'worker' }, 30_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const workers = readSnapshot(answer.path).traceEvents.filter((e) => e.cat === 'worker');
  assert.equal(workers.length, 2, `one b/e pair for the user's worker: ${JSON.stringify(workers)}`);
  assert.deepEqual(workers.map((e) => e.ph), ['b', 'e']);
});

test('CPU profile events stay inside the window after the ring wrapped', { timeout: 60_000 }, async () => {
  // A 64 KiB ring wraps within milliseconds of the storm; CPU windows cover seconds.
  const app = start(
    {
      'cpu.js': `const { log } = require(${JSON.stringify(RECORDER)});
function burn(ms, logs) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) { x += Math.sqrt(x + 1); if (logs) log('storm', 'tick'); } return x; }
// A storm that wraps the ring many times, then steady CPU work with few events.
setTimeout(() => { burn(1500, true); console.log('STORMED'); setInterval(() => { burn(20, false); log('steady', 'tick'); }, 50); }, 100);
`,
    },
    'cpu.js',
    { config: { maxBytes: 65536, cpuSamplingIntervalUs: 1000, minAgeMs: 60_000 } },
  );
  const entry = await waitForEntry(app.registry, app.child.pid!);
  await waitFor('the storm', () => app.stdout().includes('STORMED'), 30_000);
  await new Promise((done) => setTimeout(done, 1000)); // steady work for the profile to sample (not a synchronisation)
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'cpu' }, 30_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const snapshot = readSnapshot(answer.path);
  assert.ok((snapshot.metadata.droppedEvents as number) > 0, 'the ring wrapped');
  const profiles = snapshot.traceEvents.filter((e: TraceEvent) => e.name === EventNames.profile);
  assert.ok(profiles.length > 0, 'CPU profile events are present');
  const window = snapshot.metadata.window as { startTs: number; endTs: number };
  for (const event of profiles) assert.ok(event.ts >= window.startTs, `Profile at ${event.ts} before the window start ${window.startTs}`);
  const checked = validate(answer.path);
  assert.equal(checked.status, 0, checked.output);
});

test('a full 16 MiB ring (distinct strings) decodes within the watchdog\'s heap limits', { timeout: 120_000 }, async () => {
  const app = start(
    {
      'full.js': `const { log } = require(${JSON.stringify(RECORDER)});
// More records than a 16 MiB ring holds (≤ 350 000 of 48 bytes), ever new strings.
for (let i = 0; i < 1000000; i++) log('storm', 'message number ' + i + ' ' + 'x'.repeat(i % 200));
console.log('FULL');
setInterval(() => {}, 1000);
`,
    },
    'full.js',
    { config: { maxBytes: 16 * 1024 * 1024 } },
  );
  const entry = await waitForEntry(app.registry, app.child.pid!, 20_000);
  await waitFor('the ring to fill', () => app.stdout().includes('FULL'), 60_000);
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'full' }, 90_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const snapshot = readSnapshot(answer.path);
  assert.ok((snapshot.metadata.droppedEvents as number) > 0, 'the ring wrapped');
  assert.ok(answer.events > 100_000, `${answer.events} events`);
  assert.equal(snapshot.metadata.recorder?.decodeErrors, 0);
  const status = await request(entry.socket, { id: 2, type: 'status' });
  assert.equal(status.ok, true, 'the watchdog survived the snapshot');
});
