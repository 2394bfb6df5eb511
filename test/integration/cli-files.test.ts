// `summary` and `validate` on real files, and usage errors of every command, through
// `node dist/cli.js` for real: exit 2 + one line for bad usage, exit 1 + a clear line for files
// that are missing, corrupt or cut off, exit 0 and readable output otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeSnapshot } from '../../src/format/write';
import { validSnapshot } from '../unit/format-fixtures';
import { CLI, removeDir, runCli, tempDir } from './cli-helpers';

const dir = tempDir('cli-files');
const good = join(dir, 'server-4242-20261125T190000Z-check.nodetrace.json');
const text = serializeSnapshot(validSnapshot());
before(() => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.js --only cli` (npm test builds it)');
  writeFileSync(good, text);
  writeFileSync(join(dir, 'empty.json'), '');
  writeFileSync(join(dir, 'cut.json'), text.slice(0, Math.floor(text.length * 0.6)));
  writeFileSync(join(dir, 'html.json'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, 'shape.json'), '{"hello":"world"}');
  const broken = validSnapshot() as unknown as { traceEvents: Record<string, unknown>[] };
  broken.traceEvents[5]!.dur = -4;
  broken.traceEvents[9]!.ph = '?';
  writeFileSync(join(dir, 'invalid.nodetrace.json'), JSON.stringify(broken));
  mkdirSync(join(dir, 'a-directory'));
});
after(() => removeDir(dir));

/** One line on stderr, no stack trace. */
function assertOneLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s+at /m);
}

test('summary names the slowest request first, with status, and the other sections', async () => {
  const r = await runCli(['summary', good]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Slowest request: GET \/slow — 300 ms \(200\); its event loop was blocked 300 ms of it$/m);
  const table = r.stdout.split('Slowest requests')[1]!.split('\n');
  assert.match(table[1]!, /DURATION\s+KIND\s+STATUS\s+AT\s+LOOP BLOCKED\s+REQUEST/);
  assert.match(table[2]!, /300 ms\s+server\s+200\s+-?[\d.]+ m?s\s+300 ms\s+GET \/slow/);
  assert.match(r.stdout, /trigger\s+check \(control\)/);
  assert.match(r.stdout, /3 dropped before the window/);
  assert.match(r.stdout, /GC: 3 collections, 10\.0 ms in total, longest 8\.00 ms — major 1× 8\.00 ms \(max 8\.00 ms; freed 40\.0 MiB\), minor 2× 2\.00 ms \(max 1\.50 ms; 1 of them freed 18\.3 MiB\)/);
  assert.match(r.stdout, /Uncaught exception\s+Error: boom/);
  assert.match(r.stdout, /busyWait\s+\/srv\/server\.js:10/);
  assert.match(r.stdout, /100 ms\+\s+server\s+-\s+-?[\d.]+ m?s\s+-\s+GET \/pending/);
});

test('summary says why a loop block has no place when nothing sampled the CPU', async () => {
  const withoutSamples = validSnapshot();
  withoutSamples.traceEvents = withoutSamples.traceEvents.filter((e) => e.cat !== 'cpu');
  for (const event of withoutSamples.traceEvents) if (event.name === 'Event loop blocked') event.args = { thresholdMs: 50 };
  const file = join(dir, 'unprobed.nodetrace.json');
  writeFileSync(file, serializeSnapshot(withoutSamples));
  const bare = await runCli(['summary', file]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.doesNotMatch(bare.stdout, /Hottest functions/);
  assert.ok(bare.stdout.replace(/\s+/g, ' ').includes('a block without a place was not probed: the recorder looks where a thread is only in blocks of ~100 ms or more (~250 ms on a worker thread), while work is under way (the loop busy, an HTTP request just arrived) or within 30 s of an earlier block'), bare.stdout);
  const noteLines = bare.stdout.slice(bare.stdout.indexOf('  a block without a place')).split('\n\n')[0]!.split('\n');
  assert.ok(noteLines.length >= 3 && noteLines.every((line) => line.startsWith('  ') && line.length <= 110), noteLines.join('\n'));
  // With samples (the good file) the blocks are named by them: no note.
  assert.doesNotMatch((await runCli(['summary', good])).stdout, /a block without a place/);
  // A block with a place, and no samples: no note either.
  for (const event of withoutSamples.traceEvents) if (event.name === 'Event loop blocked') event.args = { thresholdMs: 50, framesAtMs: 20, frames: [{ functionName: 'busyWait', url: '/srv/server.js', lineNumber: 10, columnNumber: 3 }] };
  writeFileSync(file, serializeSnapshot(withoutSamples));
  const probed = await runCli(['summary', file]);
  assert.match(probed.stdout, /main thread, in busyWait \/srv\/server\.js:10/);
  assert.doesNotMatch(probed.stdout, /a block without a place/);
});

test('summary leads with where a stuck main thread is', async () => {
  const snapshot = validSnapshot();
  snapshot.traceEvents.push({
    name: 'Main thread stuck', cat: 'trigger', ph: 'i', s: 't', ts: 1_950_000, pid: 4242, tid: 0,
    args: { waitedMs: 500, frames: [
      { functionName: 'spinForever', url: '/srv/spin.js', lineNumber: 1, columnNumber: 26 },
      { functionName: 'onTimeout', url: '/srv/spin.js', lineNumber: 2, columnNumber: 5 },
    ] },
  });
  const file = join(dir, 'stuck.nodetrace.json');
  writeFileSync(file, serializeSnapshot(snapshot));
  const r = await runCli(['summary', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Main thread stuck in spinForever \/srv\/spin\.js:1, called from onTimeout$/m);
  assert.match(r.stdout, /Main thread stuck\s+stuck in spinForever \/srv\/spin\.js:1 ← onTimeout \/srv\/spin\.js:2/);
});

test('summary --json is machine-readable and complete', async () => {
  const r = await runCli(['summary', good, '--json', '--top', '2']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.kind, 'snapshot');
  assert.equal(json.slowestRequests.length, 2);
  assert.equal(json.slowestRequests[0].url, '/slow');
  assert.equal(json.slowestRequests[0].durationMs, 300.2);
  assert.equal(json.gc.count, 3);
});

test('validate: exit 0 for a valid snapshot, exit 1 listing each violation with its event index', async () => {
  const ok = await runCli(['validate', good]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /valid snapshot \(18 events\)/);
  const bad = await runCli(['validate', join(dir, 'invalid.nodetrace.json')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /event 5 \(dur\): a complete event needs dur ≥ 0/);
  assert.match(bad.stdout, /event 9 \(ph\): unknown phase "\?"/);
  assert.match(bad.stderr, /is not valid: 2 violations/);
  const json = await runCli(['validate', join(dir, 'invalid.nodetrace.json'), '--json']);
  assert.deepEqual(JSON.parse(json.stdout).violations.map((v: { index: number }) => v.index), [5, 9]);
});

test('missing, empty, cut-off, non-JSON, wrong-shape files and directories: exit 1 with a clear line', async () => {
  const cases: [string, RegExp][] = [
    ['missing.json', /missing\.json: no such file/],
    ['empty.json', /empty\.json is empty \(0 bytes\)/],
    ['cut.json', /cut\.json: file ends early at byte \d+ — was it cut off while being written\?/],
    ['html.json', /html\.json: not valid JSON at line 1, column 1/],
    ['shape.json', /shape\.json: not a trace — expected/],
    ['a-directory', /a-directory is a directory, not a trace file/],
  ];
  // Concurrently: each run is a short, mostly idle process; wall time matters on a shared machine.
  const runs = ['summary', 'validate'].flatMap((command) => cases.map(([name, message]) => ({ command, name, message, result: runCli([command, join(dir, name)]) })));
  for (const { command, name, message, result } of runs) {
    const r = await result;
    assert.equal(r.code, 1, `${command} ${name}: ${r.stderr}`);
    assert.match(r.stderr, message, `${command} ${name}`);
    assertOneLine(r.stderr);
  }
});

test('usage errors: exit 2 with one line pointing at --help', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate" \(see flight-recorder --help\)/],
    [['summary'], /flight-recorder summary: missing the file to summarize \(see flight-recorder summary --help\)/],
    [['summary', good, '--colour'], /unknown option --colour/],
    [['summary', good, '--top', 'many'], /--top many: not a positive whole number/],
    [['validate', good, '--strict', '--lenient'], /exclude each other/],
    [['snapshot'], /which process\?/],
    [['snapshot', 'firefox'], /"firefox" is not a pid or "all"/],
    [['snapshot', 'all', '--timeout', 'soon'], /--timeout: "soon" is not a duration/],
    [['list', 'extra'], /unexpected argument "extra"/],
    [['run'], /no command to run/],
    [['run', '--max-bytes', 'lots', '--', 'node', '-v'], /--max-bytes: "lots" is not a size/],
    [['run', '--trigger', 'slow-request', '--', 'node', '-v'], /--trigger slow-request needs a value \(e\.g\. slow-request=200ms\)/],
    [['run', '--trigger', 'status=abc', '--', 'node', '-v'], /not a whole number from 100 to 599/],
    [['run', '--trigger', 'signal=SIGKILL', '--', 'node', '-v'], /not a signal that can be caught/],
    [['run', '--out'], /--out needs a value/],
  ];
  const results = cases.map(([args]) => runCli(args));
  for (const [i, [args, message]] of cases.entries()) {
    const r = await results[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /--help\)$/m);
    assertOneLine(r.stderr);
  }
});

test('--help of every command: exit 0, usage on stdout', async () => {
  const commands = ['run', 'snapshot', 'list', 'summary', 'validate', 'view'];
  const results = commands.map((command) => runCli([command, '--help']));
  for (const [i, command] of commands.entries()) {
    const r = await results[i]!;
    assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`(U|u)sage: flight-recorder ${command}`));
  }
  const main = await runCli(['--help']);
  assert.equal(main.code, 0);
  for (const command of ['run', 'snapshot', 'list', 'summary', 'validate', 'view']) assert.match(main.stdout, new RegExp(`^  ${command} `, 'm'));
});
