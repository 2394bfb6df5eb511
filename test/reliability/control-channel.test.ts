// The control channel: the registry directory is 0700 and the socket 0600, both owned by the
// user; garbage, oversized (> 64 KiB) and half-open messages are dropped without affecting the
// program, which keeps serving its own clients and answering the CLI; no TCP listener, ever.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { CONTROL_MAX_MESSAGE_BYTES } from '../../src/format/control';
import { CLI, FIXTURES, RECORDER, controlRequest, plainEnv, recorderEnv, run, start, tempDir, waitFor, waitForRegistration, type Running } from './helpers';

const scratch = tempDir('control');
after(() => scratch.remove());

/** Socket inodes the process holds, from /proc/<pid>/fd. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1] as string);
    } catch {}
  }
  return inodes;
}

/** TCP/UDP sockets of `pid` (any state) from /proc/<pid>/net/{tcp,tcp6,udp,udp6}. */
function inetSocketsOf(pid: number): string[] {
  const mine = socketInodes(pid);
  const found: string[] = [];
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const lines = readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const inode = fields[9];
      if (inode && mine.has(inode)) found.push(`${table} local=${fields[1]} state=${fields[3]}`);
    }
  }
  return found;
}

describe('control channel', () => {
  let running: Running;
  let socketPath: string;
  let registry: string;
  const xdg = join(scratch.path, 'xdg');
  before(async () => {
    // No FLIGHT_RECORDER_REGISTRY: the recorder must create its default directory itself.
    const env = recorderEnv('', { out: join(scratch.path, 'out') }, { XDG_RUNTIME_DIR: xdg, NFR_RECORDER_PATH: RECORDER, STORM_MS: '10' });
    delete env.FLIGHT_RECORDER_REGISTRY;
    registry = join(xdg, 'node-flight-recorder');
    running = start(process.execPath, ['--require', RECORDER, join(FIXTURES, 'storm.js')], { env, stdio: ['pipe', 'pipe', 'pipe'], timeoutMs: 120_000 });
    const entry = await waitForRegistration(registry, running.pid, 20_000, running);
    socketPath = entry.socket;
  });
  after(async () => {
    running.child.stdin?.end();
    await Promise.race([running.exited, new Promise((r) => setTimeout(r, 5000))]);
    running.kill();
  });

  test('the default registry directory is 0700 and owned by the user; the socket is 0600', () => {
    const dir = statSync(registry);
    assert.equal((dir.mode & 0o777).toString(8), '700', `registry ${registry} has mode ${(dir.mode & 0o777).toString(8)}`);
    assert.equal(dir.uid, process.getuid?.());
    const socket = statSync(socketPath);
    assert.ok(socket.isSocket(), `${socketPath} is not a socket`);
    assert.equal((socket.mode & 0o777).toString(8), '600', `socket has mode ${(socket.mode & 0o777).toString(8)}`);
    assert.equal(socket.uid, process.getuid?.());
    assert.ok(socketPath.startsWith(registry), `the socket ${socketPath} is outside the registry directory`);
    const entry = statSync(join(registry, `${running.pid}.json`));
    assert.equal(entry.mode & 0o077, 0, `the registry entry is readable by others (mode ${(entry.mode & 0o777).toString(8)})`);
  });

  test('no TCP or UDP socket is ever opened by the recorder', async () => {
    // The fixture opens no inet socket itself, so any one found is the recorder's.
    await controlRequest(socketPath, { id: 1, type: 'status' });
    const found = inetSocketsOf(running.pid);
    assert.deepEqual(found, [], `the recorded process holds inet sockets: ${found.join('; ')}`);
    const ss = await run('ss', ['-ltnpH'], { timeoutMs: 10_000 });
    if (ss.code === 0) assert.ok(!ss.stdout.includes(`pid=${running.pid},`), `ss shows a TCP listener of pid ${running.pid}:\n${ss.stdout}`);
  });

  /** Sends raw bytes; resolves with what came back and whether the server closed the connection. */
  function rawExchange(payload: string | Buffer, waitMs: number, endAfter = false): Promise<{ received: string; closedByServer: boolean }> {
    return new Promise((resolvePromise) => {
      const socket: Socket = connect(socketPath);
      let received = '';
      let closedByServer = false;
      socket.on('data', (d) => (received += d.toString('utf8')));
      socket.on('error', () => {});
      socket.on('close', () => {
        closedByServer = true;
      });
      socket.on('connect', () => {
        socket.write(payload);
        if (endAfter) socket.end();
      });
      setTimeout(() => {
        const wasClosed = closedByServer;
        socket.destroy();
        resolvePromise({ received, closedByServer: wasClosed });
      }, waitMs);
    });
  }

  test('garbage lines are dropped (connection closed or a bad-request answer) and the program keeps answering', async () => {
    const payloads: Array<string | Buffer> = [
      'not json at all\n',
      Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a]),
      '{"id":"x","type":"snapshot"}\n',
      '{"id":1,"type":"format-the-disk"}\n',
      '[1,2,3]\n',
      'null\n',
      '{"id":1,"type":"snapshot","out":{"$gt":""}}\n',
      '{"id":1e999,"type":"status"}\n',
      '{"__proto__":{"polluted":true},"id":2,"type":"status"}\n',
    ];
    for (const payload of payloads) {
      const { received } = await rawExchange(payload, 300);
      for (const line of received.split('\n').filter(Boolean)) {
        const answer = JSON.parse(line) as { ok: boolean; code?: string; type?: string };
        if (String(payload).includes('polluted')) continue; // a valid status request after all
        assert.equal(answer.ok, false, `garbage ${JSON.stringify(String(payload))} got an ok answer: ${line}`);
      }
    }
    const status = await controlRequest(socketPath, { id: 9, type: 'status' }, 5000);
    assert.ok(status.ok, JSON.stringify(status));
  });

  test(`an oversized message (> ${CONTROL_MAX_MESSAGE_BYTES} bytes, no newline) is dropped and the connection closed`, async () => {
    const big = `{"id":1,"type":"snapshot","reason":"${'x'.repeat(CONTROL_MAX_MESSAGE_BYTES + 1024)}`;
    const { received, closedByServer } = await rawExchange(big, 1000);
    assert.equal(received, '', 'the oversized message got an answer');
    assert.ok(closedByServer, 'the server kept reading an oversized message');
    const withNewline = await rawExchange(`${big}"}\n`, 1000);
    assert.ok(!withNewline.received.includes('"ok":true'), 'an oversized but complete request was served');
    const status = await controlRequest(socketPath, { id: 10, type: 'status' }, 5000);
    assert.ok(status.ok);
  });

  test('half-open and idle connections do not block other clients, the CLI, or the program', async () => {
    // 20 clients that send half a request and wait, plus one that half-closes its side.
    const idle: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = connect(socketPath);
      socket.on('error', () => {});
      socket.on('connect', () => socket.write('{"id":1,"type":"sta'));
      idle.push(socket);
    }
    const halfClosed = await rawExchange('{"id":5,"type":"status"}', 500, true);
    try {
      assert.ok(!halfClosed.received.includes('"ok":true') || halfClosed.received.includes('"id":5'), 'unexpected answer to a half-closed request');
      const status = await controlRequest(socketPath, { id: 11, type: 'status' }, 5000);
      assert.ok(status.ok, 'status not answered while 20 half-open connections wait');
      const list = await run(process.execPath, [CLI, 'list'], { env: { ...plainEnv(), XDG_RUNTIME_DIR: xdg }, timeoutMs: 20_000 });
      assert.equal(list.code, 0, `cli list failed while half-open connections wait: ${list.stderr}`);
      assert.ok(list.stdout.includes(String(running.pid)), `cli list does not show ${running.pid}:\n${list.stdout}`);
      const snap = await run(process.execPath, [CLI, 'snapshot', String(running.pid), '--out', join(scratch.path, 'cli-out')], { env: { ...plainEnv(), XDG_RUNTIME_DIR: xdg }, timeoutMs: 30_000 });
      assert.equal(snap.code, 0, `cli snapshot failed while half-open connections wait: ${snap.stderr}`);
    } finally {
      for (const socket of idle) socket.destroy();
    }
  });

  test('after all that abuse the program is unaffected: it exits normally with its own output', async () => {
    running.child.stdin?.end();
    const result = await waitFor('the program to exit', () => (running.child.exitCode !== null ? running.exited : undefined), 10_000);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /peakRssAfterSnapshot/);
    assert.equal(result.stderr, '', `the recorder wrote to the program's stderr:\n${result.stderr}`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
