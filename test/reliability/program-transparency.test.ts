// Inside the program: a recorded program behaves exactly as the same program without the
// recorder — same stdout, stderr and exit code — even when it replaces console, Promise or
// process.emit, guards Error's stack settings while its loop blocks, installs its own uncaughtException handler, or crashes; it exits by itself as it
// would without the recorder; a hook that throws inside the recorder is swallowed and counted.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, RECORDER, controlRequest, plainEnv, readSnapshot, recorderEnv, run, start, tempDir, waitFor, waitForRegistration, type RunResult } from './helpers';

const scratch = tempDir('transparency');
after(() => scratch.remove());

let counter = 0;
/** Runs a fixture with and without `--require dist/recorder.js`, in the same cwd. */
async function runBoth(fixture: string): Promise<{ plain: RunResult; recorded: RunResult }> {
  const n = ++counter;
  const out = join(scratch.path, `out-${n}`);
  const registry = join(scratch.path, `registry-${n}`);
  const file = join(FIXTURES, fixture);
  const plain = await run(process.execPath, [file], { cwd: FIXTURES, env: plainEnv(), timeoutMs: 20_000 });
  const recorded = await run(process.execPath, ['--require', RECORDER, file], { cwd: FIXTURES, env: recorderEnv(registry, { out }), timeoutMs: 20_000 });
  return { plain, recorded };
}

function assertSameBehaviour(plain: RunResult, recorded: RunResult): void {
  assert.equal(plain.timedOut, false, 'the plain run hung');
  assert.equal(recorded.timedOut, false, 'the recorded run hung (the recorder kept it alive or blocked it)');
  assert.equal(recorded.stdout, plain.stdout, 'stdout differs with the recorder');
  assert.equal(recorded.stderr, plain.stderr, 'stderr differs with the recorder');
  assert.equal(recorded.code, plain.code, 'exit code differs with the recorder');
  assert.equal(recorded.signal, plain.signal, 'exit signal differs with the recorder');
}

describe('a recorded program behaves exactly as without the recorder', () => {
  const cases: Array<[string, string, (plain: RunResult) => void]> = [
    ['replaces the global console and patches the original', 'replace-console.js', (p) => assert.match(p.stdout, /mine:hello 1/)],
    ['replaces the global Promise (subclass, then a non-promise)', 'replace-promise.js', (p) => assert.match(p.stdout, /values=2,4,7/)],
    ['wraps process.emit and swallows warnings', 'replace-process-emit.js', (p) => assert.match(p.stdout, /swallowed warning/)],
    ['installs its own uncaughtException handler and sets exitCode 7', 'own-uncaught-handler.js', (p) => assert.equal(p.code, 7)],
    ['crashes with an uncaught exception and no handler (exit 1, stack on stderr)', 'uncaught-crash.js', (p) => assert.equal(p.code, 1)],
    ['crashes on an unhandled rejection (exit 1)', 'unhandled-rejection.js', (p) => assert.equal(p.code, 1)],
    ['calls process.exit(3) from a callback', 'exit-code.js', (p) => assert.equal(p.code, 3)],
    // While the loop is blocked the watchdog evaluates a stack capture in the program's realm.
    ['guards Error\'s stack settings and fakes process.hrtime while its loop blocks', 'guard-error-and-clock.js', (p) => assert.match(p.stdout, /^limit=5 prepare=true stack=probe me @ 5 frames hrtime=0,42$/m)],
  ];
  for (const [title, fixture, checkPlain] of cases) {
    test(title, async () => {
      const { plain, recorded } = await runBoth(fixture);
      checkPlain(plain); // the fixture does what it says, so the comparison means something
      assertSameBehaviour(plain, recorded);
    });
  }
});

test('the recorder never keeps the event loop alive: a program that exits by itself still does', async (t) => {
  const file = join(FIXTURES, 'exits-by-itself.js');
  const registry = join(scratch.path, 'registry-exit');
  const out = join(scratch.path, 'out-exit');
  // Interleaved pairs; the bound is generous (a kept-alive program never exits: it is killed at 20 s).
  const plainMs: number[] = [];
  const recordedMs: number[] = [];
  for (let i = 0; i < 2; i++) {
    const plain = await run(process.execPath, [file], { env: plainEnv(), timeoutMs: 20_000 });
    const recorded = await run(process.execPath, ['--require', RECORDER, file], { env: recorderEnv(registry, { out }), timeoutMs: 20_000 });
    assertSameBehaviour(plain, recorded);
    assert.equal(recorded.stdout, 'done\n');
    plainMs.push(plain.durationMs);
    recordedMs.push(recorded.durationMs);
  }
  const plainBest = Math.min(...plainMs);
  const recordedBest = Math.min(...recordedMs);
  t.diagnostic(`exit wall time: plain ${plainMs.join('/')} ms, recorded ${recordedMs.join('/')} ms`);
  assert.ok(recordedBest < plainBest + 2000, `recorded program took ${recordedBest} ms to exit vs ${plainBest} ms without the recorder`);
});

test('a recorder error inside a hook is swallowed, counted (metadata.recorder.hookErrors) and reported once', async (t) => {
  const registry = join(scratch.path, 'registry-hooks');
  const out = join(scratch.path, 'out-hooks');
  const file = join(FIXTURES, 'hook-errors.js');
  const plain = start(process.execPath, [file], { env: plainEnv(), stdio: ['pipe', 'pipe', 'pipe'], timeoutMs: 20_000 });
  plain.child.stdin?.end();
  const plainResult = await plain.exited;
  assert.equal(plainResult.code, 0, plainResult.stderr);

  const recorded = start(process.execPath, ['--require', RECORDER, file], { env: recorderEnv(registry, { out }), stdio: ['pipe', 'pipe', 'pipe'], timeoutMs: 20_000 });
  try {
    const entry = await waitForRegistration(registry, recorded.pid, 20_000, recorded);
    await waitFor('the fixture to publish', () => recorded.stdout().includes('published'), 10_000);
    const subscribed = Number(/channels with subscribers: (\d+)/.exec(recorded.stderr())?.[1] ?? 0);
    assert.ok(subscribed > 0, 'the recorder subscribes to none of the http/net/undici diagnostics channels, so this test cannot provoke a hook error');
    const response = await controlRequest(entry.socket, { id: 1, type: 'snapshot', reason: 'hook-errors', out });
    assert.ok(response.ok && response.type === 'snapshot', `snapshot failed: ${JSON.stringify(response)}`);
    const snapshot = readSnapshot(response.path);
    const hookErrors = snapshot.metadata.recorder?.hookErrors;
    assert.equal(typeof hookErrors, 'number', 'metadata.recorder.hookErrors is missing');
    assert.ok((hookErrors as number) >= 1, `hookErrors = ${hookErrors} after ${subscribed} subscribed channels received malformed messages`);
    t.diagnostic(`${subscribed} channels subscribed; hookErrors ${hookErrors}`);
    const status = await controlRequest(entry.socket, { id: 2, type: 'status' });
    assert.ok(status.ok && status.type === 'status');
    assert.equal(status.status.hookErrors, hookErrors, 'status.hookErrors disagrees with the snapshot');
  } finally {
    recorded.child.stdin?.end();
  }
  const result = await recorded.exited;
  assert.equal(result.code, 0, `the program did not survive the hook errors: ${result.stderr}`);
  assert.equal(result.stdout, plainResult.stdout, 'stdout differs with the recorder');
  // Reported once: at most one line of the recorder's own on stderr for ~1000 failing hook calls.
  const recorderLines = result.stderr.split('\n').filter((line) => line && !line.startsWith('channels with subscribers'));
  assert.ok(recorderLines.length <= 1, `hook errors reported ${recorderLines.length} times:\n${recorderLines.slice(0, 5).join('\n')}`);
  assert.ok(!/^\s+at /m.test(result.stderr), 'a stack trace reached stderr');
});
