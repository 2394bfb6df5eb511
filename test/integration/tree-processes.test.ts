// Process trees and threads: forked children inherit the recorder and register with their
// ppid; worker threads record into their own lanes of the process's snapshot.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventNames } from '../../src/format/trace-event';
import { runRecorded, tempProject, readEntries, waitFor, request, readSnapshot, cleanup, type Recorded } from './recorder-harness';

const running: Recorded[] = [];
after(() => running.forEach(cleanup));

test('a parent forking two HTTP children: three registered processes with the right ppids', async () => {
  const app = runRecorded(
    tempProject({
      'parent.js': `const { fork } = require('node:child_process');
const children = [fork(__dirname + '/child.js'), fork(__dirname + '/child.js')];
console.log('CHILDREN ' + children.map((c) => c.pid).join(','));
process.on('SIGTERM', () => { children.forEach((c) => c.kill()); process.exit(0); });
setInterval(() => {}, 1000);
`,
      'child.js': `const http = require('node:http');
const server = http.createServer((req, res) => res.end('child'));
server.listen(0, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
`,
    }),
    'parent.js',
  );
  running.push(app);
  const line = await waitFor('children', () => /CHILDREN (\d+),(\d+)/.exec(app.stdout()));
  const childPids = [Number(line[1]), Number(line[2])];
  const entries = await waitFor('three entries', () => {
    const found = readEntries(app.registry);
    return found.length === 3 ? found : undefined;
  }, 20_000);
  const parent = entries.find((e) => e.pid === app.child.pid);
  assert.ok(parent);
  assert.equal(parent.ppid, process.pid);
  for (const pid of childPids) {
    const child = entries.find((e) => e.pid === pid);
    assert.ok(child, `child ${pid} registered`);
    assert.equal(child.ppid, app.child.pid);
    assert.equal(child.programName, 'child');
    const answer = await request(child.socket, { id: 1, type: 'snapshot', reason: 'tree' });
    assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
    assert.equal(readSnapshot(answer.path).metadata.ppid, app.child.pid);
  }
  app.child.kill('SIGTERM');
  await app.exited;
  await waitFor('registry emptied', () => readEntries(app.registry).length === 0, 10_000);
});

test('worker threads record into their own lane of the process snapshot', async () => {
  const app = runRecorded(
    tempProject({
      'main.js': `const { Worker } = require('node:worker_threads');
const worker = new Worker(__dirname + '/worker.js');
worker.on('message', (m) => console.log(m));
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`,
      'worker.js': `const { parentPort, threadId } = require('node:worker_threads');
const { log } = require(${JSON.stringify(require.resolve('../../dist/recorder.js'))});
log('worker', 'hello from the worker');
parentPort.postMessage('WORKER ' + threadId);
setInterval(() => {}, 1000);
`,
    }),
    'main.js',
  );
  running.push(app);
  const line = await waitFor('worker started', () => /WORKER (\d+)/.exec(app.stdout()));
  const tid = Number(line[1]);
  const entry = await waitFor('entry', () => readEntries(app.registry).find((e) => e.pid === app.child.pid));
  const snapshot = await waitFor('snapshot with the worker lane', async () => {
    const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'threads' });
    if (!answer.ok || answer.type !== 'snapshot') return undefined;
    const parsed = readSnapshot(answer.path);
    return parsed.traceEvents.some((e) => e.tid === tid && e.cat === 'user') ? parsed : undefined;
  });
  const log = snapshot.traceEvents.find((e) => e.tid === tid && e.cat === 'user');
  assert.equal((log?.args as { message: string }).message, 'hello from the worker');
  const laneName = snapshot.traceEvents.find((e) => e.name === EventNames.threadName && e.tid === tid);
  assert.ok(laneName, 'thread_name for the worker lane');
  assert.ok(snapshot.traceEvents.some((e) => e.name === EventNames.threadName && e.tid === 0));
  app.child.kill('SIGTERM');
  await app.exited;
});
