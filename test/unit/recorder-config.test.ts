import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigEnv, resolveOptions, configErrorLine, defaultOptions } from '../../src/recorder/config';
import { nodeOptionsWithRecorder } from '../../src/recorder/threads/children';
import { validateRequest } from '../../src/recorder/control/server';
import { registryDirectory } from '../../src/recorder/control/registry-path';

test('absent or empty FLIGHT_RECORDER gives the defaults (Go: 10 MiB, 10 s)', () => {
  for (const env of [{}, { FLIGHT_RECORDER: '' }, { FLIGHT_RECORDER: '  ' }]) {
    const result = parseConfigEnv(env, '/work');
    assert.ok(result.ok);
    assert.deepEqual(result.options, defaultOptions('/work'));
    assert.equal(result.options.maxBytes, 10 * 1024 * 1024);
    assert.equal(result.options.minAgeMs, 10_000);
    assert.equal(result.options.out, '/work/.flight-recorder');
    assert.equal(result.options.triggers.signal, null);
  }
});

test('values override defaults; nested objects merge; out resolves against cwd', () => {
  const result = parseConfigEnv({ FLIGHT_RECORDER: JSON.stringify({ out: 'snaps', maxBytes: 1 << 20, redact: { query: false }, triggers: { slowRequestMs: 200, signal: 'SIGUSR1' } }) }, '/app');
  assert.ok(result.ok);
  assert.equal(result.options.out, '/app/snaps');
  assert.equal(result.options.maxBytes, 1 << 20);
  assert.deepEqual(result.options.redact, { query: false, headers: true, argv: true });
  assert.equal(result.options.triggers.slowRequestMs, 200);
  assert.equal(result.options.triggers.signal, 'SIGUSR1');
  assert.equal(result.options.triggers.cooldownMs, 30_000);
  assert.deepEqual(result.options.recordHeaders, []);
  // Header names: any case in, lower case and each once out.
  const headers = parseConfigEnv({ FLIGHT_RECORDER: JSON.stringify({ recordHeaders: ['X-Request-Id', 'traceparent', 'x-request-id'] }) });
  assert.ok(headers.ok);
  assert.deepEqual(headers.options.recordHeaders, ['x-request-id', 'traceparent']);
});

test('bad JSON, bad values and unknown keys are errors naming the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['{oops', /not valid JSON/],
    ['[1]', /must be an object/],
    ['{"maxBytes":100}', /maxBytes must be an integer from 65536/],
    ['{"maxBytes":"10MB"}', /maxBytes/],
    ['{"minAgeMs":-5}', /minAgeMs/],
    ['{"followChildren":"yes"}', /followChildren must be true or false/],
    ['{"triggers":{"signal":"SIGKILL"}}', /triggers\.signal/],
    ['{"triggers":{"slowRequest":100}}', /unknown key triggers\.slowRequest/],
    ['{"redact":{"cookies":true}}', /unknown key redact\.cookies/],
    ['{"maxbytes":100000}', /unknown key maxbytes/],
    ['{"recordHeaders":"x-request-id"}', /recordHeaders must be a list of at most 16 header names/],
    ['{"recordHeaders":["x request id"]}', /recordHeaders must be a list/],
    ['{"recordHeaders":[1]}', /recordHeaders must be a list/],
    [JSON.stringify({ recordHeaders: Array.from({ length: 17 }, (_, i) => `x-h${i}`) }), /recordHeaders must be a list of at most 16/],
  ];
  for (const [text, pattern] of cases) {
    const result = parseConfigEnv({ FLIGHT_RECORDER: text });
    assert.equal(result.ok, false, text);
    if (!result.ok) {
      assert.match(result.error, pattern, text);
      assert.match(configErrorLine(result.error), /^flight-recorder: .*; recording is off\n$/);
    }
  }
  assert.equal(resolveOptions({ triggers: 3 }).ok, false);
});

test('children inherit the recorder through NODE_OPTIONS, once, quoted when needed', () => {
  assert.equal(nodeOptionsWithRecorder(undefined, '/a/recorder.js'), '--require /a/recorder.js');
  assert.equal(nodeOptionsWithRecorder('--max-old-space-size=100', '/a/recorder.js'), '--require /a/recorder.js --max-old-space-size=100');
  assert.equal(nodeOptionsWithRecorder('--require /a/recorder.js', '/a/recorder.js'), '--require /a/recorder.js');
  assert.equal(nodeOptionsWithRecorder('', '/my dir/recorder.js'), '--require "/my dir/recorder.js"');
});

test('control requests are validated', () => {
  assert.ok(validateRequest({ id: 1, type: 'status' }).ok);
  assert.ok(validateRequest({ id: 1, type: 'snapshot', reason: 'x' }).ok);
  assert.equal(validateRequest({ type: 'status' }).ok, false);
  assert.equal(validateRequest({ id: 1, type: 'snapshot', out: 3 }).ok, false);
  assert.equal(validateRequest({ id: 1, type: 'armSnapshotPoint', url: 'x' }).ok, false);
  assert.equal(validateRequest([1]).ok, false);
  assert.equal(validateRequest({ id: 2, type: 'rm -rf' }).ok, false);
});

test('registry directory: env override, XDG_RUNTIME_DIR, then tmpdir with the uid', () => {
  assert.equal(registryDirectory({ FLIGHT_RECORDER_REGISTRY: '/x/reg', XDG_RUNTIME_DIR: '/run/user/1' }), '/x/reg');
  assert.equal(registryDirectory({ XDG_RUNTIME_DIR: '/run/user/1' }), '/run/user/1/node-flight-recorder');
  assert.match(registryDirectory({}), /node-flight-recorder-\d+$/);
});
