// The client side of the control channel (src/client), against real Unix sockets that behave
// badly: never answer, hang up mid-request, answer garbage or an error; and the registry
// directory with stale entries, half-written files and the wrong permissions.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlError, buildProcessTree, flattenTree, listRegistry, snapshot, status } from '../../src/client/index';
import { controlRequest } from '../../src/client/control-client';
import { CONTROL_PROTOCOL_VERSION, type RegistryEntry } from '../../src/format/control';
import { cleanEnv, removeDir, runCli, tempDir } from './cli-helpers';

const dir = tempDir('cli-client');
const servers: net.Server[] = [];
after(async () => {
  for (const server of servers) await new Promise((r) => server.close(r));
  removeDir(dir);
});

/** A Unix socket server whose connection handler the test controls. */
async function fakeRecorder(name: string, onLine: (line: string, socket: net.Socket) => void): Promise<string> {
  const path = join(dir, `${name}.sock`);
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline >= 0) onLine(buffered.slice(0, newline), socket);
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
  return path;
}

function entry(pid: number, socket: string, ppid = 1): RegistryEntry {
  return {
    protocol: CONTROL_PROTOCOL_VERSION, pid, ppid, programName: `app-${pid}`, argv: ['node', 'app.js'], cwd: '/', nodeVersion: 'v20',
    startTime: new Date().toISOString(), socket, out: '/tmp', maxBytes: 1024, recorderVersion: '0.1.0',
  };
}

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await promise;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

test('a recorder that never answers: a timeout error within the bound, naming the wait', async () => {
  const socket = await fakeRecorder('silent', () => {});
  const { ms, error } = await timed(controlRequest(socket, { type: 'status' }, { answerTimeoutMs: 300 }));
  assert.ok(error instanceof ControlError);
  assert.equal(error.code, 'timeout');
  assert.match(error.message, /no answer within 300 ms/);
  assert.ok(ms < 5000, `took ${ms} ms`);
});

test('a process dying mid-request (connection closed or reset): a clear message, no hang', async () => {
  const closes = await fakeRecorder('closes', (_line, socket) => socket.end());
  const closed = await timed(controlRequest(closes, { type: 'snapshot' }, { answerTimeoutMs: 10_000 }));
  assert.ok(closed.error instanceof ControlError);
  assert.equal(closed.error.code, 'closed');
  assert.match(closed.error.message, /closed the connection before answering/);
  const resets = await fakeRecorder('destroys', (_line, socket) => socket.destroy());
  const reset = await timed(controlRequest(resets, { type: 'snapshot' }, { answerTimeoutMs: 10_000 }));
  assert.ok(reset.error instanceof ControlError);
  assert.equal(reset.error.code, 'closed');
  assert.ok(closed.ms < 5000 && reset.ms < 5000);
});

test('no socket, or nobody listening: clear messages', async () => {
  const missing = await timed(controlRequest(join(dir, 'nothing-here.sock'), { type: 'status' }));
  assert.ok(missing.error instanceof ControlError);
  assert.equal(missing.error.code, 'no-socket');
  assert.match(missing.error.message, /control socket is gone/);
  // A socket file left behind by a process that was killed: connect is refused.
  const stalePath = join(dir, 'stale.sock');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(stalePath, r));
  const handle = server as unknown as { _handle: { close(): void } | null };
  handle._handle?.close(); // close the listener without unlinking the file, as a killed process would
  const refused = await timed(controlRequest(stalePath, { type: 'status' }));
  assert.ok(refused.error instanceof ControlError);
  assert.ok(['refused', 'no-socket'].includes(refused.error.code), refused.error.code);
});

test('garbage, a wrong id, and { ok: false } answers', async () => {
  const garbage = await fakeRecorder('garbage', (_line, socket) => socket.write('<html>\n'));
  const g = await timed(controlRequest(garbage, { type: 'status' }));
  assert.match((g.error as Error).message, /not JSON/);
  const wrongId = await fakeRecorder('wrong-id', (_line, socket) => socket.write('{"id":-1,"ok":true,"type":"status"}\n'));
  const w = await timed(controlRequest(wrongId, { type: 'status' }));
  assert.match((w.error as Error).message, /answered a different request/);
  const busy = await fakeRecorder('busy', (line, socket) => socket.write(`${JSON.stringify({ id: JSON.parse(line).id, ok: false, error: 'a snapshot is already being written', code: 'busy' })}\n`));
  const b = await timed(controlRequest(busy, { type: 'snapshot' }));
  assert.ok(b.error instanceof ControlError);
  assert.equal(b.error.code, 'remote');
  assert.equal(b.error.remoteCode, 'busy');
  assert.match(b.error.message, /already being written/);
});

test('a good answer: snapshot and status through the registry, the request carrying reason and out', async () => {
  const registry = join(dir, 'registry-good');
  mkdirSync(registry, { mode: 0o700 });
  const requests: Record<string, unknown>[] = [];
  const socket = await fakeRecorder('good', (line, s) => {
    const request = JSON.parse(line) as { id: number; type: string };
    requests.push(request);
    if (request.type === 'snapshot') s.write(`${JSON.stringify({ id: request.id, ok: true, type: 'snapshot', path: '/tmp/x.nodetrace.json', bytes: 10, events: 2 })}\n`);
    else s.write(`${JSON.stringify({ id: request.id, ok: true, type: 'status', status: { pid: process.pid, uptimeMs: 5, maxBytes: 1024, usedBytes: 10, eventCount: 2, droppedEvents: 0, windowMs: 5, snapshotsWritten: 0, hookErrors: 0, state: 'recording' } })}\n`);
  });
  // The test process itself stands in for the recorded process (it is alive).
  writeFileSync(join(registry, `${process.pid}.json`), JSON.stringify(entry(process.pid, socket)));
  const result = await snapshot(process.pid, { reason: 'check', out: '/tmp/out' }, { directory: registry });
  assert.deepEqual(result, { pid: process.pid, path: '/tmp/x.nodetrace.json', bytes: 10, events: 2 });
  assert.deepEqual({ ...requests[0], id: 0 }, { id: 0, type: 'snapshot', reason: 'check', source: 'control', out: '/tmp/out' });
  assert.equal((await status(process.pid, { directory: registry })).state, 'recording');
  // Errors name the process.
  await assert.rejects(status(1, { directory: registry }), /process 1 is not recorded/);
});

test('registry: dead processes are removed, half-written files skipped, others listed', async () => {
  const registry = join(dir, 'registry-stale');
  mkdirSync(registry, { mode: 0o700 });
  const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: never alive
  writeFileSync(join(registry, `${deadPid}.json`), JSON.stringify(entry(deadPid, join(registry, `${deadPid}.sock`))));
  writeFileSync(join(registry, `${deadPid}.sock`), '');
  writeFileSync(join(registry, `${deadPid + 1}.sock`), ''); // a socket without its JSON
  writeFileSync(join(registry, `${process.pid}.json`), '{"protocol":1,"pid":'); // being written
  writeFileSync(join(registry, 'README'), 'not an entry');
  const listing = await listRegistry({ directory: registry });
  assert.deepEqual(listing.entries, []);
  assert.deepEqual(listing.removed.sort(), [deadPid, deadPid + 1]);
  assert.deepEqual(listing.unreadable, [`${process.pid}.json`]);
  assert.equal(existsSync(join(registry, `${deadPid}.json`)), false);
  assert.equal(existsSync(join(registry, `${deadPid}.sock`)), false);
  assert.equal(existsSync(join(registry, `${process.pid}.json`)), true, 'a live process\'s file is never removed');
  // A missing directory: nothing recorded, not an error.
  assert.deepEqual((await listRegistry({ directory: join(dir, 'nope') })).entries, []);
});

test('registry: a directory others can write to is refused', async () => {
  const registry = join(dir, 'registry-open');
  mkdirSync(registry);
  chmodSync(registry, 0o777);
  await assert.rejects(listRegistry({ directory: registry }), /readable or writable by others \(mode 777\); refusing to use it/);
});

test('process tree: children under parents, roots sorted, a pid cycle cannot hang it', () => {
  const rows = [{ pid: 30, ppid: 10 }, { pid: 10, ppid: 1 }, { pid: 20, ppid: 10 }, { pid: 40, ppid: 99 }, { pid: 50, ppid: 60 }, { pid: 60, ppid: 50 }];
  const flat = flattenTree(buildProcessTree(rows)).map((n) => `${'  '.repeat(n.depth)}${n.entry.pid}`);
  assert.deepEqual(flat.slice(0, 4), ['10', '  20', '  30', '40']);
  assert.equal(flat.length, 6);
});

test('the CLI against a process that never answers or hangs up: exit 1, a clear line, within its time bound', async () => {
  const registry = join(dir, 'registry-cli');
  mkdirSync(registry, { mode: 0o700 });
  const env = cleanEnv({ FLIGHT_RECORDER_REGISTRY: registry });
  const silent = await fakeRecorder('cli-silent', () => {});
  writeFileSync(join(registry, `${process.pid}.json`), JSON.stringify(entry(process.pid, silent)));
  const started = Date.now();
  const hung = await runCli(['snapshot', String(process.pid), '--timeout', '1'], { env });
  assert.equal(hung.code, 1, hung.stderr);
  assert.match(hung.stderr, new RegExp(`^flight-recorder snapshot: process ${process.pid} \\(app-${process.pid}\\): no answer within 1 s$`, 'm'));
  assert.ok(Date.now() - started < 15_000);
  const list = await runCli(['list'], { env });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /not answering: .*no answer within 2 s/);

  const hangsUp = await fakeRecorder('cli-hangs-up', (_line, socket) => socket.destroy());
  writeFileSync(join(registry, `${process.pid}.json`), JSON.stringify(entry(process.pid, hangsUp)));
  const closed = await runCli(['snapshot', 'all'], { env });
  assert.equal(closed.code, 1);
  assert.match(closed.stderr, /closed the connection before answering \(did it exit\?\)|connection was cut/);
});
