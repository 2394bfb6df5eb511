// dist/recorder.js loads the recorder's code (recorder-core.js) with V8's code cache, kept
// beside it: the first run writes it (at exit, or after 3 s), later runs use it; a damaged,
// cut or foreign cache file is not used and is written again; a cache that cannot be written
// changes nothing for the program; the recorder records the same either way. Real processes,
// on a copy of dist/ (the cache files are the test's own).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { RECORDER } from './recorder-harness';

const built = (() => {
  try {
    return statSync(join(dirname(RECORDER), 'recorder-core.js')).size > 4000;
  } catch {
    return false;
  }
})();
const root = mkdtempSync(join(tmpdir(), 'nfr-code-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the recorder's two files in a folder of its own. */
function recorderCopy(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const file of ['recorder.js', 'recorder-core.js']) copyFileSync(join(dirname(RECORDER), file), join(dir, file));
  return join(dir, 'recorder.js');
}

const cacheFiles = (recorder: string) => readdirSync(dirname(recorder)).filter((name) => name.endsWith('.v8cache'));

/** Runs `code` with `recorder` preloaded (FLIGHT_RECORDER_DEBUG=1: the loader says what it did). */
function run(recorder: string, code: string, env: NodeJS.ProcessEnv = {}) {
  const out = join(root, 'out');
  const result = spawnSync(process.execPath, ['--require', recorder, '-e', code], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NODE_OPTIONS: '', FLIGHT_RECORDER_DEBUG: '1', FLIGHT_RECORDER_REGISTRY: join(root, 'registry'), FLIGHT_RECORDER: JSON.stringify({ out }), ...env },
  });
  const cacheNotes = result.stderr.split('\n').flatMap((line) => /code cache \S+: (.*)$/.exec(line)?.[1] ?? []);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, cacheNotes };
}

// Takes a snapshot through the preloaded recorder and prints its trigger: the core really ran.
const SNAPSHOT_PROGRAM = `const r = require(process.env.RECORDER); r.snapshot({ reason: 'cache-check' }).then((p) => {
  const s = JSON.parse(require('fs').readFileSync(p, 'utf8'));
  console.log('snapshot', s.metadata.trigger.reason, s.traceEvents.length > 0);
});`;

test('the first run writes the code cache, the next uses it, and the recorder records the same', { skip: !built && 'dist/ not built', timeout: 60_000 }, () => {
  const recorder = recorderCopy('first');
  const first = run(recorder, SNAPSHOT_PROGRAM, { RECORDER: recorder });
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout.trim(), 'snapshot cache-check true');
  assert.deepEqual(first.cacheNotes, ['none', 'written']);
  assert.equal(cacheFiles(recorder).length, 1);
  const second = run(recorder, SNAPSHOT_PROGRAM, { RECORDER: recorder });
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout.trim(), 'snapshot cache-check true');
  assert.deepEqual(second.cacheNotes, ['found'], 'used, and not written again');
  // Off by the environment: no cache read or written.
  const off = run(recorder, 'console.log(1)', { FLIGHT_RECORDER_CODE_CACHE: 'off' });
  assert.equal(off.stdout.trim(), '1');
  assert.deepEqual(off.cacheNotes, ['off']);
});

test('a damaged, cut or foreign cache file is not used, the program runs as ever, and the cache is written again', { skip: !built && 'dist/ not built', timeout: 60_000 }, () => {
  const recorder = recorderCopy('damaged');
  assert.equal(run(recorder, '0').status, 0);
  const [name] = cacheFiles(recorder);
  assert.ok(name, 'a cache to damage');
  const path = join(dirname(recorder), name);
  const good = readFileSync(path);
  // What the loader says of each: its own check (two copies that differ, a length or header
  // that is not ours) or, for a file that passes it, V8's (whose header checks come first).
  const damages: Record<string, [Buffer, string]> = {
    'one byte changed in the middle': (() => {
      const copy = Buffer.from(good);
      copy[copy.length >> 1] = (copy[copy.length >> 1]! + 1) & 0xff;
      return [copy, 'damaged'];
    })(),
    'cut short': [good.subarray(0, good.length - 100), 'damaged'],
    'empty': [Buffer.alloc(0), 'damaged'],
    'not a cache': [Buffer.from('<img src=x onerror=alert(1)>'.repeat(100)), 'damaged'],
    'our header over two equal copies of garbage': (() => {
      const copy = Buffer.alloc(good.length, 0x41);
      good.copy(copy, 0, 0, 16);
      return [copy, 'refused by V8'];
    })(),
  };
  for (const [what, [bytes, verdict]] of Object.entries(damages)) {
    writeFileSync(path, bytes);
    const result = run(recorder, SNAPSHOT_PROGRAM, { RECORDER: recorder });
    assert.equal(result.status, 0, `${what}: ${result.stderr}`);
    assert.equal(result.stdout.trim(), 'snapshot cache-check true', what);
    assert.deepEqual(result.cacheNotes, [verdict, 'written'], what);
    assert.equal(run(recorder, '0').cacheNotes[0], 'found', `${what}: the rewritten cache is used`);
  }
});

test('a cache that cannot be written changes nothing for the program; caches older than the code are removed', { skip: !built && 'dist/ not built', timeout: 60_000 }, () => {
  const recorder = recorderCopy('unwritable');
  const first = run(recorder, 'console.log("ran")');
  assert.equal(first.stdout.trim(), 'ran');
  const [name] = cacheFiles(recorder);
  assert.ok(name);
  const path = join(dirname(recorder), name);
  // Where the cache goes, a folder: the write fails whoever runs the test (root too).
  rmSync(path);
  mkdirSync(path);
  const blocked = run(recorder, 'console.log("still ran"); process.exitCode = 3');
  assert.equal(blocked.status, 3, 'the program exits as it meant to');
  assert.equal(blocked.stdout.trim(), 'still ran');
  assert.equal(blocked.cacheNotes[0], 'none');
  assert.match(blocked.cacheNotes[1] ?? '', /^not written \(/);
  assert.deepEqual(readdirSync(dirname(recorder)).filter((file) => file.endsWith('.tmp')), [], 'no temporary file left behind');
  rmSync(path, { recursive: true });

  // A cache made for an older build of the core (older than the core file) goes when a new one is written.
  const stale = join(dirname(recorder), 'recorder-core.js.00000000.v8cache');
  writeFileSync(stale, 'old');
  const coreMtime = statSync(join(dirname(recorder), 'recorder-core.js')).mtime;
  utimesSync(stale, new Date(coreMtime.getTime() - 60_000), new Date(coreMtime.getTime() - 60_000));
  assert.deepEqual(run(recorder, '0').cacheNotes, ['none', 'written']);
  assert.deepEqual(cacheFiles(recorder), [name], 'the stale cache removed, the new one kept');
});
