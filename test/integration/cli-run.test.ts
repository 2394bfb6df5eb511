// `flight-recorder run` for real: the child's exit code and signal come back unchanged,
// signals sent to the CLI reach the child, NODE_OPTIONS gets the recorder prepended to the
// user's own, flags become FLIGHT_RECORDER JSON, and a missing command is exit 127.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { quoteForNodeOptions } from '../../src/cli/commands/run';
import { join } from 'node:path';
import { CLI, cleanEnv, collect, killAllGroups, killGroup, removeDir, ROOT, runCli, runProcess, spawnGroup, tempDir, waitFor } from './cli-helpers';

const dir = tempDir('cli-run');
after(() => {
  killAllGroups();
  removeDir(dir);
});
const env = () => cleanEnv({ FLIGHT_RECORDER_REGISTRY: join(dir, 'registry'), FLIGHT_RECORDER: JSON.stringify({ out: join(dir, 'snapshots') }) });

test('exits with the child\'s exit code', async () => {
  for (const code of [0, 3, 7]) {
    const r = await runCli(['run', '--', process.execPath, '-e', `process.exit(${code})`], { env: env() });
    assert.equal(r.code, code, r.stderr);
  }
});

test('the child sees NODE_OPTIONS with the recorder first and the user\'s own kept, and FLIGHT_RECORDER from the flags', async () => {
  const script = join(dir, 'print-env.js');
  writeFileSync(script, 'console.log(JSON.stringify({ nodeOptions: process.env.NODE_OPTIONS, config: process.env.FLIGHT_RECORDER }))');
  const r = await runCli([
    'run', '--out', 'snaps', '--max-bytes', '2mb', '--min-age', '30s', '--cpu-sampling=500',
    '--trigger', 'slow-request=200ms,status=500', '--trigger', 'loop-block=0.1s', '--trigger', 'heap=512mb', '--trigger', 'signal=usr1',
    '--trigger', 'cooldown=1m', '--no-children', '--no-gc', '--no-loop-block-stacks', '--record-header', 'x-request-id,traceparent', '--record-header', 'X-Tenant', '--', process.execPath, script,
  ], { env: { ...env(), NODE_OPTIONS: '--max-old-space-size=100' }, cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const seen = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(seen.nodeOptions, `--require ${join(ROOT, 'dist', 'recorder.js')} --max-old-space-size=100`);
  const config = JSON.parse(seen.config);
  assert.deepEqual(config, {
    out: join(dir, 'snaps'), // resolved against the CLI's cwd: the child may chdir
    maxBytes: 2 * 1024 * 1024,
    minAgeMs: 30_000,
    cpuSamplingIntervalUs: 500,
    triggers: { slowRequestMs: 200, statusAtLeast: 500, loopBlockMs: 100, heapUsedMb: 512, signal: 'SIGUSR1', cooldownMs: 60_000 },
    followChildren: false,
    gc: false,
    loopBlockStacks: false,
    recordHeaders: ['x-request-id', 'traceparent', 'X-Tenant'],
  });
  const bad = await runCli(['run', '--record-header', 'x request id', '--', process.execPath, '-v'], { env: env() });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--record-header x request id: at most 16 header names like x-request-id/);
});

test('flags are merged over a FLIGHT_RECORDER already in the environment', async () => {
  const r = await runCli(['run', '--trigger', 'max=2', '--', process.execPath, '-e', 'console.log(process.env.FLIGHT_RECORDER)'], {
    env: { ...env(), FLIGHT_RECORDER: JSON.stringify({ maxBytes: 1048576, triggers: { slowRequestMs: 50 } }) },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { maxBytes: 1048576, triggers: { slowRequestMs: 50, maxSnapshots: 2 } });
  const bad = await runCli(['run', '--', process.execPath, '-v'], { env: { ...env(), FLIGHT_RECORDER: '{oops' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /FLIGHT_RECORDER in the environment is not valid JSON/);
});

test('a command that does not exist: exit 127 and a clear line', async () => {
  const r = await runCli(['run', '--', 'no-such-command-for-flight-recorder'], { env: env() });
  assert.equal(r.code, 127);
  assert.match(r.stderr, /no-such-command-for-flight-recorder: command not found/);
});

test('a child killed by a signal: the CLI dies of the same signal', async () => {
  const r = await runCli(['run', '--', process.execPath, '-e', 'process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000)'], { env: env() });
  assert.equal(r.signal, 'SIGTERM', `code ${r.code} ${r.stderr}`);
});

test('SIGTERM and SIGUSR2 sent to the CLI reach the child; its exit code comes back', async () => {
  const marker = join(dir, 'signals.txt');
  const script = join(dir, 'signals.js');
  writeFileSync(script, `
    const fs = require('node:fs');
    process.on('SIGUSR2', () => fs.appendFileSync(${JSON.stringify(marker)}, 'SIGUSR2\\n'));
    process.on('SIGTERM', () => { fs.appendFileSync(${JSON.stringify(marker)}, 'SIGTERM\\n'); process.exit(42); });
    fs.appendFileSync(${JSON.stringify(marker)}, 'ready\\n');
    setInterval(() => {}, 1000);
  `);
  const child = spawnGroup(process.execPath, [CLI, 'run', '--', process.execPath, script], { env: env() });
  const done = collect(child, 20_000);
  try {
    await waitFor('the child to start', () => (existsSync(marker) && readFileSync(marker, 'utf8').includes('ready') ? true : undefined), 15_000);
    child.kill('SIGUSR2');
    await waitFor('SIGUSR2 to arrive', () => (readFileSync(marker, 'utf8').includes('SIGUSR2') ? true : undefined), 5_000);
    child.kill('SIGTERM');
    const r = await done;
    assert.equal(r.code, 42, r.stderr);
    assert.equal(readFileSync(marker, 'utf8'), 'ready\nSIGUSR2\nSIGTERM\n');
  } finally {
    killGroup(child);
  }
});

test('a recorder path with spaces and quotes is quoted the way NODE_OPTIONS reads it', async () => {
  const odd = join(dir, 'a dir with "quotes" and \\ spaces');
  mkdirSync(odd, { recursive: true });
  const preload = join(odd, 'preload.js');
  writeFileSync(preload, 'globalThis.__preloaded = true;');
  const r = await runProcess(process.execPath, ['-e', 'console.log(globalThis.__preloaded === true)'], {
    env: cleanEnv({ NODE_OPTIONS: `--require ${quoteForNodeOptions(preload)}` }),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'true');
});
