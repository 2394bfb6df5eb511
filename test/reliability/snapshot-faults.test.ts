// Snapshots under fault: kill -9 in the middle of a snapshot leaves no partial
// `*.nodetrace.json` (only a temp file, cleaned later); a full disk (64 KiB tmpfs) or an
// unwritable directory (read-only tmpfs, a path under a file) gives the requester a clear error
// and the program carries on; concurrent requests are all served or answered "busy"; a process
// that dies or freezes between request and answer gives the CLI a clear message, not a hang.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { validateSnapshot } from '../../src/format/validate';
import type { ControlResponse } from '../../src/format/control';
import { CLI, FIXTURES, RECORDER, SNAPSHOT_SUFFIX, controlRequest, plainEnv, recorderEnv, run, snapshotFiles, start, tempDir, waitFor, waitForRegistration, type Running } from './helpers';

const scratch = tempDir('snapfaults');
const mounts: string[] = [];
after(() => {
  for (const mount of mounts) {
    try {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    } catch {}
  }
  scratch.remove();
});

let counter = 0;
/** A recorded program that filled its ring with a short event storm and now waits on stdin. */
async function filledProgram(config: Record<string, unknown>, stormMs = 500): Promise<{ running: Running; socket: string; registry: string }> {
  const registry = join(scratch.path, `registry-${++counter}`);
  const running = start(process.execPath, ['--require', RECORDER, join(FIXTURES, 'storm.js')], {
    env: recorderEnv(registry, config, { NFR_RECORDER_PATH: RECORDER, STORM_MS: String(stormMs), FLIGHT_RECORDER_DEBUG: '1' }),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeoutMs: 120_000,
  });
  const entry = await waitForRegistration(registry, running.pid, 20_000, running);
  await waitFor('the storm to finish', () => running.stdout().includes('"calls"'), 20_000);
  return { running, socket: entry.socket, registry };
}

async function finish(running: Running): Promise<void> {
  running.child.stdin?.end();
  const result = await Promise.race([running.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
  if (!result) running.kill();
}

/** Every `*.nodetrace.json` in `dir` must be a complete, valid snapshot. */
function assertOnlyCompleteSnapshots(dir: string): { complete: number; temps: string[] } {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  for (const name of names.filter((n) => n.endsWith(SNAPSHOT_SUFFIX))) {
    const text = readFileSync(join(dir, name), 'utf8');
    let value: unknown;
    assert.doesNotThrow(() => (value = JSON.parse(text)), `${name} is a partial file (${text.length} chars, ends ${JSON.stringify(text.slice(-40))})`);
    assert.deepEqual(validateSnapshot(value, { maxViolations: 5 }), [], `${name} does not validate`);
  }
  return { complete: names.filter((n) => n.endsWith(SNAPSHOT_SUFFIX)).length, temps: names.filter((n) => !n.endsWith(SNAPSHOT_SUFFIX)) };
}

function mountTmpfs(path: string, options: string): string | undefined {
  mkdirSync(path, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path], { stdio: 'pipe' });
    mounts.push(path);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${String((error as Error).message).split('\n')[0]}); needs root and CAP_SYS_ADMIN`;
  }
}

describe('kill -9 during a snapshot', () => {
  const out = join(scratch.path, 'kill-out');
  let tempLeft: string | undefined;

  test('killed the moment the temp file appears: no partial .nodetrace.json', async (t) => {
    const { running, socket } = await filledProgram({ out, maxBytes: 48 * 1024 * 1024 }, 1500);
    try {
      const answer = controlRequest(socket, { id: 1, type: 'snapshot', reason: 'killed', out }, 30_000).catch((error: Error) => error);
      // Poll tightly for the temp file; kill as soon as it exists (mid-write).
      const temp = await waitFor('a temp file in the out dir', () => (existsSync(out) ? readdirSync(out).find((n) => !n.endsWith(SNAPSHOT_SUFFIX)) : undefined), 20_000, 1);
      running.kill('SIGKILL');
      await running.exited;
      const reply = await answer;
      assert.ok(reply instanceof Error || !(reply as ControlResponse).ok || existsSync((reply as { path: string }).path), 'an ok answer named a file that does not exist');
      const { complete, temps } = assertOnlyCompleteSnapshots(out);
      t.diagnostic(`temp file at kill: ${temp}; after: ${complete} complete, temps ${temps.join(', ') || 'none'}`);
      tempLeft = temps.find((n) => n === temp);
    } finally {
      running.kill();
    }
  });

  test('killed at fixed delays after the request (0, 30, 100, 300 ms): no partial .nodetrace.json', async () => {
    for (const delayMs of [0, 30, 100, 300]) {
      const dir = join(scratch.path, `kill-delay-${delayMs}`);
      const { running, socket } = await filledProgram({ out: dir, maxBytes: 32 * 1024 * 1024 }, 600);
      try {
        const answer = controlRequest(socket, { id: 1, type: 'snapshot', reason: 'killed', out: dir }, 30_000).catch((error: Error) => error);
        await new Promise((r) => setTimeout(r, delayMs)); // the fault's timing, not a synchronisation
        running.kill('SIGKILL');
        await running.exited;
        await answer;
        assertOnlyCompleteSnapshots(dir);
      } finally {
        running.kill();
      }
    }
  });

  test('the temp file of a killed snapshot is cleaned later (by the next snapshot into that directory)', async (t) => {
    if (!tempLeft) return t.skip('the kill left no temp file to clean');
    const { running, socket } = await filledProgram({ out, maxBytes: 1024 * 1024 }, 50);
    try {
      const reply = await controlRequest(socket, { id: 1, type: 'snapshot', reason: 'after-kill', out }, 20_000);
      assert.ok(reply.ok, JSON.stringify(reply));
      assert.ok(!existsSync(join(out, tempLeft)), `${tempLeft} of the killed process is still in ${out} after a later snapshot there`);
    } finally {
      await finish(running);
    }
  });
});

describe('a snapshot that cannot be written', () => {
  let fullDisk: string;
  let readOnly: string;
  let skipReason: string | undefined;
  before(() => {
    fullDisk = join(scratch.path, 'full-disk');
    readOnly = join(scratch.path, 'read-only');
    skipReason = mountTmpfs(fullDisk, 'size=64k') ?? mountTmpfs(readOnly, 'size=64k,ro');
    if (!skipReason) {
      // Fill the small disk completely, so that any snapshot, however small, hits ENOSPC.
      const fd = openSync(join(fullDisk, 'filler'), 'w');
      try {
        const block = Buffer.alloc(4096, 120);
        while (true) writeSync(fd, block);
      } catch {
      } finally {
        closeSync(fd);
      }
    }
  });

  const cases: Array<[string, () => string, RegExp]> = [
    ['a full disk (a 64 KiB tmpfs, filled)', () => fullDisk, /ENOSPC|no space|disk.*full/i],
    ['a read-only file system', () => readOnly, /EROFS|read-only/i],
    ['a directory path under a regular file', () => {
      const file = join(scratch.path, 'a-file');
      writeFileSync(file, 'x');
      return join(file, 'snapshots');
    }, /ENOTDIR|not a directory|EEXIST/i],
  ];
  for (const [title, where, expected] of cases) {
    test(`${title}: a clear error to the requester, no partial file, and the program carries on`, async (t) => {
      if (skipReason) return t.skip(skipReason);
      const target = where();
      const good = join(scratch.path, `good-${++counter}`);
      const { running, socket } = await filledProgram({ out: good, maxBytes: 4 * 1024 * 1024 }, 300);
      try {
        const reply = await controlRequest(socket, { id: 1, type: 'snapshot', reason: 'nospace', out: target }, 20_000);
        assert.equal(reply.ok, false, `the snapshot into ${target} reported success: ${JSON.stringify(reply)}`);
        if (!reply.ok) {
          assert.match(reply.error, expected, `unclear error: ${reply.error}`);
          assert.equal(reply.code, 'io', `error code ${reply.code}, expected "io"`);
        }
        assert.deepEqual(snapshotFiles(target), [], 'a .nodetrace.json was left in the unwritable place');
        if (existsSync(target)) assert.deepEqual(readdirSync(target).filter((n) => n !== 'filler'), [], 'a temp file was left behind');
        // The program carries on: still answers, still snapshots elsewhere, exits normally.
        const status = await controlRequest(socket, { id: 2, type: 'status' }, 5000);
        assert.ok(status.ok, JSON.stringify(status));
        const second = await controlRequest(socket, { id: 3, type: 'snapshot', reason: 'after', out: good }, 20_000);
        assert.ok(second.ok && second.type === 'snapshot' && existsSync(second.path), JSON.stringify(second));
      } finally {
        await finish(running);
      }
      const result = await running.exited;
      assert.equal(result.code, 0, `the program did not carry on: exit ${result.code} ${result.stderr}`);
      assert.match(result.stdout, /peakRssAfterSnapshot/);
    });
  }

  test('through the CLI: `snapshot <pid> --out <full disk>` exits 1 with the reason', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { running, registry } = await filledProgram({ out: join(scratch.path, 'unused'), maxBytes: 4 * 1024 * 1024 }, 300);
    try {
      const result = await run(process.execPath, [CLI, 'snapshot', String(running.pid), '--out', fullDisk], { env: { ...plainEnv(), FLIGHT_RECORDER_REGISTRY: registry }, timeoutMs: 30_000 });
      assert.equal(result.code, 1, `exit ${result.code}; stdout ${result.stdout}; stderr ${result.stderr}`);
      assert.match(result.stderr, /ENOSPC|no space|full/i);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
    } finally {
      await finish(running);
    }
  });
});

test('concurrent snapshot requests are all served, or answered "busy"', async (t) => {
  const out = join(scratch.path, 'concurrent');
  const { running, socket } = await filledProgram({ out, maxBytes: 4 * 1024 * 1024 }, 500);
  try {
    const replies = await Promise.all([1, 2, 3, 4].map((id) => controlRequest(socket, { id, type: 'snapshot', reason: `c${id}`, out }, 30_000)));
    const served = replies.filter((r) => r.ok);
    const busy = replies.filter((r) => !r.ok && r.code === 'busy');
    const other = replies.filter((r) => !r.ok && r.code !== 'busy');
    t.diagnostic(`served ${served.length}, busy ${busy.length}`);
    assert.deepEqual(other, [], 'a concurrent request failed with something other than "busy"');
    assert.ok(served.length >= 1, 'none was served');
    const paths = served.map((r) => (r as { path: string }).path);
    assert.equal(new Set(paths).size, paths.length, `two requests were answered with the same file: ${paths.join(', ')}`);
    for (const reply of busy) assert.match((reply as { error: string }).error, /busy|in progress|already/i);
    assertOnlyCompleteSnapshots(out);
    assert.equal(snapshotFiles(out).length, served.length);
  } finally {
    await finish(running);
  }
});

describe('a process that dies or freezes between request and answer', () => {
  test('killed after the CLI asked: the CLI ends with a clear message, not a hang', async (t) => {
    const { running, registry } = await filledProgram({ out: join(scratch.path, 'dies'), maxBytes: 1024 * 1024 }, 50);
    try {
      process.kill(running.pid, 'SIGSTOP'); // it can no longer answer
      const cli = start(process.execPath, [CLI, 'snapshot', String(running.pid)], { env: { ...plainEnv(), FLIGHT_RECORDER_REGISTRY: registry }, timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 700)); // the CLI has connected and is waiting
      running.kill('SIGKILL');
      const result = await cli.exited;
      assert.equal(result.timedOut, false, 'the CLI hung');
      assert.notEqual(result.code, 0, `the CLI reported success: ${result.stdout}`);
      assert.ok(result.stderr.trim().length > 0, 'no message');
      assert.doesNotMatch(result.stderr, /^\s+at /m, result.stderr);
      t.diagnostic(`CLI after ${result.durationMs} ms: ${result.stderr.trim()}`);
    } finally {
      running.kill();
    }
  });

  test('frozen (SIGSTOP) and never answering: the CLI times out with a clear message', async (t) => {
    const { running, registry } = await filledProgram({ out: join(scratch.path, 'frozen'), maxBytes: 1024 * 1024 }, 50);
    try {
      process.kill(running.pid, 'SIGSTOP');
      const result = await run(process.execPath, [CLI, 'snapshot', String(running.pid)], { env: { ...plainEnv(), FLIGHT_RECORDER_REGISTRY: registry }, timeoutMs: 40_000 });
      assert.equal(result.timedOut, false, 'the CLI hung for 40 s');
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /time|answer|respond/i, result.stderr);
      assert.doesNotMatch(result.stderr, /^\s+at /m, result.stderr);
      t.diagnostic(`CLI after ${result.durationMs} ms: ${result.stderr.trim()}`);
    } finally {
      running.kill('SIGKILL');
    }
  });

  test('a stale registry entry of a killed process: `list` and `snapshot all` skip it quickly', async () => {
    const { running, registry } = await filledProgram({ out: join(scratch.path, 'stale'), maxBytes: 1024 * 1024 }, 50);
    running.kill('SIGKILL');
    await running.exited;
    assert.ok(existsSync(join(registry, `${running.pid}.json`)), 'precondition: kill -9 leaves the entry');
    const list = await run(process.execPath, [CLI, 'list'], { env: { ...plainEnv(), FLIGHT_RECORDER_REGISTRY: registry }, timeoutMs: 20_000 });
    assert.equal(list.timedOut, false);
    assert.ok(list.code === 0, `list: exit ${list.code} ${list.stderr}`);
    assert.ok(!list.stdout.includes(String(running.pid)), `list shows the dead process ${running.pid}:\n${list.stdout}`);
    const all = await run(process.execPath, [CLI, 'snapshot', 'all'], { env: { ...plainEnv(), FLIGHT_RECORDER_REGISTRY: registry }, timeoutMs: 20_000 });
    assert.equal(all.timedOut, false);
    assert.doesNotMatch(all.stderr, /^\s+at /m);
    const one = await run(process.execPath, [CLI, 'snapshot', String(running.pid)], { env: { ...plainEnv(), FLIGHT_RECORDER_REGISTRY: registry }, timeoutMs: 20_000 });
    assert.equal(one.code, 1, `snapshot of a dead pid: exit ${one.code}`);
    assert.ok(one.stderr.trim().length > 0);
  });
});
