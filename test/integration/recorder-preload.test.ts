// The preload is invisible to the program: same output and exit code with and without it, for
// CommonJS and ESM, via --require and NODE_OPTIONS; bad configuration turns it off with one
// line; loaded twice it still runs once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECORDER } from './recorder-harness';

const dir = mkdtempSync(join(tmpdir(), 'nfr-preload-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'app.cjs'), `console.log('cjs', typeof require('node:http').createServer);
console.error('to stderr');
setTimeout(() => { process.exitCode = 4; }, 20);
`);
writeFileSync(join(dir, 'app.mjs'), `import { createServer } from 'node:http';
console.log('esm', typeof createServer);
await new Promise((r) => setTimeout(r, 20));
process.exitCode = 5;
`);
writeFileSync(join(dir, 'api.cjs'), `const a = require(${JSON.stringify(RECORDER)});
const b = require(${JSON.stringify(RECORDER)});
console.log(a === b, a.recorder !== null && a.recorder.enabled, Object.keys(globalThis).some((k) => k.includes('flight')));
a.region('r', () => 1);
a.task('t').end();
a.log('c', 'm');
a.snapshot({ reason: 'api check' }).then((p) => console.log(require('node:path').basename(p)), (e) => console.log('no snapshot: ' + e.message));
`);

writeFileSync(join(dir, 'library.cjs'), `const { FlightRecorder, log, recorder } = require(${JSON.stringify(RECORDER)});
const { createWriteStream } = require('node:fs');
const fr = new FlightRecorder({ maxBytes: 1 << 20, minAgeMs: 5000, out: 'lib-out' });
console.log('before', recorder, fr.enabled);
fr.start();
try { fr.start(); } catch (e) { console.log('second start:', e.message); }
log('lib', 'logged');
(async () => {
  const path = await fr.snapshot({ reason: 'library' });
  const stream = createWriteStream('written.json');
  const bytes = await fr.writeTo(stream);
  stream.end();
  fr.stop();
  log('lib', 'after stop is a no-op');
  console.log('done', fr.enabled, require('node:path').basename(path).includes('library'), bytes > 100);
  try { new FlightRecorder({ maxBytes: 12 }); } catch (e) { console.log(e.constructor.name); }
})();
`);

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const registry = join(dir, 'registry');
  const result = spawnSync(process.execPath, args, {
    cwd: dir, encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, NODE_OPTIONS: '', FLIGHT_RECORDER_REGISTRY: registry, FLIGHT_RECORDER: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

for (const app of ['app.cjs', 'app.mjs']) {
  test(`${app}: output and exit code unchanged with --require and NODE_OPTIONS`, () => {
    const plain = run([app]);
    assert.equal(plain.code, app === 'app.cjs' ? 4 : 5);
    assert.deepEqual(run(['--require', RECORDER, app]), plain);
    assert.deepEqual(run([app], { NODE_OPTIONS: `--require ${RECORDER}` }), plain);
  });
}

test('bad configuration: recording off, one clear stderr line, program unaffected', () => {
  const plain = run(['app.cjs']);
  const snapshotsBefore = existsSync(join(dir, '.flight-recorder')) ? readdirSync(join(dir, '.flight-recorder')).length : 0;
  for (const config of ['{not json', '{"maxBytes":"big"}', '{"triggers":{"slowRequestMs":-1}}', '{"colour":"red"}']) {
    const result = run(['--require', RECORDER, 'app.cjs'], { FLIGHT_RECORDER: config });
    assert.equal(result.code, plain.code);
    assert.equal(result.stdout, plain.stdout);
    const extra = result.stderr.replace(plain.stderr, '');
    assert.match(extra, /^flight-recorder: .+; recording is off\n$/, config);
  }
  const snapshotsAfter = existsSync(join(dir, '.flight-recorder')) ? readdirSync(join(dir, '.flight-recorder')).length : 0;
  assert.equal(snapshotsAfter, snapshotsBefore);
});

test('enabled:false loads nothing; the library API still answers', () => {
  const result = run(['--require', RECORDER, 'api.cjs'], { FLIGHT_RECORDER: '{"enabled":false}' });
  assert.equal(result.stdout, 'true false false\nno snapshot: flight recorder is not recording\n');
  assert.equal(result.code, 0);
});

test('required twice and preloaded: one instance; annotations and snapshot() work', () => {
  const result = run(['--require', RECORDER, 'api.cjs']);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines[0], 'true true false');
  assert.match(lines[1] ?? '', /^api-\d+-\d{8}T\d{6}Z-api_check\.nodetrace\.json$/);
  assert.ok(readdirSync(join(dir, '.flight-recorder')).includes(lines[1]!));
  assert.equal(result.stderr, '');
});

test('library mode without the preload: start, snapshot, writeTo, stop; the process then exits', () => {
  const result = run(['library.cjs']);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(result.stdout, 'before null false\nsecond start: FlightRecorder: already started\ndone false true true\nTypeError\n');
  const written = JSON.parse(readFileSync(join(dir, 'written.json'), 'utf8')) as { traceEvents: Array<{ cat?: string; args?: { message?: string } }>; metadata: { trigger: { reason: string }; recorder: { maxBytes: number } } };
  assert.equal(written.metadata.trigger.reason, 'writeTo');
  assert.equal(written.metadata.recorder.maxBytes, 1 << 20);
  assert.ok(written.traceEvents.some((e) => e.cat === 'user' && e.args?.message === 'logged'));
  assert.equal(readdirSync(join(dir, 'lib-out')).length, 1);
});

// Start-up cost (issue 7): the watchdog thread starts after the program's first tick, so a
// program that ends within it never pays for a thread; one that lives on gets it (and its
// control socket) at once. Threads counted from /proc at exit, the program's last moment.
test('a program that ends in its first tick starts no watchdog thread; one that lives on does and registers', { skip: process.platform !== 'linux' && 'counts threads in /proc' }, () => {
  const threadsAtExit = `process.on('exit', () => console.log(require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/Threads:\\s+(\\d+)/)[1]));`;
  const registry = join(dir, 'registry');
  const bare = run(['-e', threadsAtExit]);
  const firstTick = run(['--require', RECORDER, '-e', threadsAtExit]);
  assert.equal(firstTick.code, 0, firstTick.stderr);
  assert.equal(firstTick.stdout, bare.stdout, 'no extra thread in a program that ends in its first tick');
  const livesOn = run(['--require', RECORDER, '-e', `${threadsAtExit}
const { existsSync } = require('node:fs');
const deadline = Date.now() + 20000;
const poll = setInterval(() => { if (existsSync(${JSON.stringify(registry)} + '/' + process.pid + '.json') || Date.now() > deadline) { clearInterval(poll); console.log('registered', existsSync(${JSON.stringify(registry)} + '/' + process.pid + '.json')); } }, 5);`]);
  assert.equal(livesOn.code, 0, livesOn.stderr);
  const [registered, threads] = livesOn.stdout.trim().split('\n');
  assert.equal(registered, 'registered true');
  assert.equal(Number(threads), Number(bare.stdout) + 1, 'one more thread: the watchdog');
});
