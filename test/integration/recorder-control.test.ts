// The control channel against real recorded processes: registry entry, status, snapshot,
// hostile input, a main thread spinning forever, the unresponsive rule, cleanup on exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { EventNames } from '../../src/format/trace-event';
import { BLOCKED_ANSWER_MS, MAIN_ANSWER_MS } from '../../src/recorder/watchdog/worker-main';
import { LOOP_OVERDUE_MS } from '../../src/recorder/watchdog/loop-tick';
import {
  recordedPrograms, runRecorded, tempProject, waitForEntry, waitFor, request, readSnapshot, snapshotFiles, serverScript, portOf, get,
} from './recorder-harness';

const { start, track } = recordedPrograms();

test('registers, answers status and snapshot, and leaves no entry behind on exit', async () => {
  const app = start({ 'server.js': serverScript(`res.end('ok')`, `process.on('SIGTERM', () => server.close());`) }, 'server.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  assert.equal(entry.ppid, process.pid);
  assert.equal(entry.programName, 'server');
  assert.equal(statSync(app.registry).mode & 0o777, 0o700);
  assert.equal(statSync(entry.socket).mode & 0o777, 0o600);
  const port = await portOf(app);
  for (let i = 0; i < 5; i++) assert.equal(await get(port, `/hello?token=SECRET${i}`), 200);

  const status = await request(entry.socket, { id: 7, type: 'status' });
  assert.ok(status.ok && status.type === 'status');
  assert.equal(status.id, 7);
  assert.equal(status.status.pid, app.child.pid);
  assert.ok(status.status.eventCount > 0);
  assert.equal(status.status.maxBytes, 10 * 1024 * 1024);
  assert.equal(status.status.mainLoopBlockedMs, undefined, 'a loop that turns is not reported blocked');

  const answer = await request(entry.socket, { id: 8, type: 'snapshot', reason: 'check' });
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  assert.equal(answer.path.startsWith(app.out), true);
  const snapshot = readSnapshot(answer.path);
  assert.equal(snapshot.metadata.trigger.reason, 'check');
  assert.equal(snapshot.metadata.trigger.source, 'control');
  // A loop that turns gets the full time to answer (and answered).
  assert.equal(snapshot.metadata.recorder?.timingsMs?.answerLimit, MAIN_ANSWER_MS);
  assert.equal(typeof snapshot.metadata.recorder?.timingsMs?.mainThread, 'number');
  assert.equal(snapshot.metadata.pid, app.child.pid);
  assert.equal(snapshot.metadata.nodeVersion, process.version);
  assert.ok(snapshot.metadata.clockSync && snapshot.metadata.startTime);
  assert.equal(answer.events, snapshot.traceEvents.length);
  const names = new Set(snapshot.traceEvents.map((e) => e.name));
  assert.ok(names.has(EventNames.trigger) && names.has(EventNames.threadName) && names.has(EventNames.processStart));
  const requests = snapshot.traceEvents.filter((e) => e.cat === 'http.server' && e.ph === 'e');
  assert.equal(requests.length, 5);
  assert.equal(JSON.stringify(snapshot).includes('SECRET'), false);

  app.child.kill('SIGTERM');
  const { code } = await app.exited;
  assert.equal(code, 0);
  assert.equal(existsSync(join(app.registry, `${app.child.pid}.json`)), false);
  assert.equal(existsSync(entry.socket), false);
});

test('hostile input on the socket is dropped and the program is unaffected', async () => {
  const app = start({ 'server.js': serverScript(`res.end('ok')`) }, 'server.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  // Not JSON: the connection is closed without an answer.
  await assert.rejects(request(entry.socket, 'this is not json\n', 5000), /closed/);
  // Oversized line, never terminated.
  await new Promise<void>((resolve) => {
    const socket = connect(entry.socket);
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.on('connect', () => socket.write('{"id":1,"type":"status","pad":"' + 'x'.repeat(200_000)));
  });
  // A half-open connection that never says anything stays harmless.
  const idle = connect(entry.socket);
  // Wrong shapes get a bad-request answer.
  const unknown = await request(entry.socket, { id: 3, type: 'format-disk' });
  assert.equal(unknown.ok, false);
  assert.equal(!unknown.ok && unknown.code, 'bad-request');
  const badSnapshot = await request(entry.socket, { id: 4, type: 'snapshot', reason: 42 });
  assert.equal(!badSnapshot.ok && badSnapshot.code, 'bad-request');
  const status = await request(entry.socket, { id: 5, type: 'status' });
  assert.equal(status.ok, true);
  assert.equal(await get(port, '/still-fine'), 200);
  idle.destroy();
  assert.equal(app.stderr(), '');
});

test('a main thread spinning forever: snapshot answered at once and names spinForever', async () => {
  const app = start(
    { 'spin.js': `function spinForever() { while (true) {} }\nconsole.log('spinning');\nsetTimeout(spinForever, 50);\n` },
    'spin.js',
  );
  const entry = await waitForEntry(app.registry, app.child.pid!);
  await waitFor('spinning', () => app.stdout().includes('spinning'));
  // Let it enter the loop, and spin longer than the watchdog needs to call the loop blocked.
  await new Promise((r) => setTimeout(r, 300 + LOOP_OVERDUE_MS));
  const asked = Date.now();
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'hung' }, 5000);
  const tookMs = Date.now() - asked;
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  assert.ok(tookMs < 5000);
  const snapshot = readSnapshot(answer.path);
  const stuck = snapshot.traceEvents.find((e) => e.name === EventNames.mainThreadStuck);
  assert.ok(stuck, 'a Main thread stuck event');
  const frames = (stuck.args as { frames: Array<{ functionName: string; url: string; lineNumber: number }> }).frames;
  assert.equal(frames[0]?.functionName, 'spinForever', JSON.stringify(stuck.args));
  assert.match(frames[0]!.url, /spin\.js$/);
  assert.equal(frames[0]?.lineNumber, 1);
  assert.deepEqual((snapshot.metadata.mainThreadStuck as { frames: unknown[] }).frames, frames);
  // Its tick long overdue, the loop was known blocked: probed after the short wait, not the full
  // one, and the block still under way is in the snapshot, where the probe found it.
  assert.equal(snapshot.metadata.recorder?.timingsMs?.answerLimit, BLOCKED_ANSWER_MS);
  const blockedMs = (stuck.args as { blockedMs?: number }).blockedMs;
  assert.ok(blockedMs !== undefined && blockedMs >= LOOP_OVERDUE_MS, JSON.stringify(stuck.args));
  assert.equal((snapshot.metadata.mainThreadStuck as { blockedMs?: number }).blockedMs, blockedMs);
  const ongoing = snapshot.traceEvents.filter((e) => e.name === EventNames.loopBlock && (e.args as { ongoing?: boolean }).ongoing === true);
  assert.equal(ongoing.length, 1, JSON.stringify(ongoing));
  const block = ongoing[0]!;
  assert.equal(Math.round(block.dur! / 1000), blockedMs);
  assert.ok(block.ts < asked * 1000 - snapshot.metadata.clockSync!.epochMs * 1000 + snapshot.metadata.clockSync!.ts, 'the block began before the request');
  assert.ok(block.ts + block.dur! >= stuck.ts - 1, 'and lasts until the probe');
  assert.equal((block.args as { frames: Array<{ functionName: string }> }).frames[0]?.functionName, 'spinForever');
  // Still answering status while stuck, and saying so.
  const status = await request(entry.socket, { id: 2, type: 'status' }, 2000);
  assert.ok(status.ok && status.type === 'status');
  assert.ok((status.status.mainLoopBlockedMs ?? 0) >= LOOP_OVERDUE_MS, JSON.stringify(status.status));
  // And where: the function it spins in, looked at during this block.
  assert.equal(status.status.mainLoopBlockedIn?.functionName, 'spinForever', JSON.stringify(status.status));
  assert.match(status.status.mainLoopBlockedIn!.url, /spin\.js$/);
});

test('rule unresponsiveMs: the watchdog writes a snapshot of a stuck main thread by itself', async () => {
  const app = start(
    { 'block.js': `function blockForAWhile() { const end = Date.now() + 4000; while (Date.now() < end) {} }\nsetTimeout(blockForAWhile, 300);\nsetTimeout(() => {}, 4500);\n` },
    'block.js',
    { config: { triggers: { unresponsiveMs: 500 } } },
  );
  const { code } = await app.exited;
  assert.equal(code, 0);
  const files = snapshotFiles(app.out);
  assert.equal(files.length, 1, files.join('\n'));
  const snapshot = readSnapshot(files[0]!);
  assert.equal(snapshot.metadata.trigger.rule, 'unresponsiveMs');
  assert.equal(snapshot.metadata.trigger.source, 'watchdog');
  const stuck = snapshot.traceEvents.find((e) => e.name === EventNames.mainThreadStuck);
  assert.equal((stuck?.args as { frames: Array<{ functionName: string }> }).frames[0]?.functionName, 'blockForAWhile', JSON.stringify(stuck?.args));
});

test('stale entries of dead processes are swept', async () => {
  const dir = tempProject({ 'idle.js': `setTimeout(() => {}, 3000);\n` });
  const registry = join(dir, 'registry');
  mkdirSync(registry, { recursive: true, mode: 0o700 });
  // A pid that cannot exist (above pid_max).
  writeFileSync(join(registry, '4194305.json'), '{}');
  writeFileSync(join(registry, '4194305.sock'), '');
  const app = track(runRecorded(dir, 'idle.js'));
  await waitForEntry(registry, app.child.pid!);
  assert.equal(existsSync(join(registry, '4194305.json')), false);
  assert.equal(existsSync(join(registry, '4194305.sock')), false);
});

test('live metrics: requests in flight and finished, read from the ring while the main thread works', async () => {
  const app = start(
    { 'server.js': serverScript(`if (req.url === '/hang') return; res.end('ok');`) },
    'server.js',
  );
  const entry = await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  for (let i = 0; i < 4; i++) assert.equal(await get(port, '/fast'), 200);
  const hanging = fetch(`http://127.0.0.1:${port}/hang`).catch(() => undefined);
  const metrics = await waitFor('one request in flight', async () => {
    const answer = await request(entry.socket, { id: 1, type: 'live' });
    return answer.ok && answer.type === 'live' && answer.metrics.activeRequests === 1 ? answer.metrics : undefined;
  });
  assert.ok(metrics.requestsPerSec >= 0);
  // Memory and utilisation come from the memory and event-loop sources' newest records.
  assert.ok(metrics.heapUsedMB > 1 && metrics.rssMB > metrics.heapUsedMB, `memory read from the ring: ${JSON.stringify(metrics)}`);
  assert.ok(metrics.loopUtilization >= 0 && metrics.loopUtilization <= 1);
  app.kill();
  await hanging;
});
