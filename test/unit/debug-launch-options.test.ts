// The launch property `flightRecorder` and the environment merge, without an editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideInjection,
  mergeDebugEnv,
  parseFlightRecorderProperty,
  readEnvFileValue,
  RECORDED_MARKER,
  skipRecorderFiles,
  validateRecorderOptions,
} from '../../src/extension/debug/launch-options';
import { defaultOptions } from '../../src/recorder/config';
import packageJson from '../../package.json';

test('true, false, absent and objects', () => {
  assert.deepEqual(parseFlightRecorderProperty(true), { requested: true, refused: false, options: {}, errors: [] });
  assert.equal(parseFlightRecorderProperty(false).refused, true);
  assert.equal(parseFlightRecorderProperty(undefined).requested, false);
  const parsed = parseFlightRecorderProperty({ maxBytes: 1048576, triggers: { slowRequestMs: 200 } });
  assert.equal(parsed.requested, true);
  assert.deepEqual(parsed.options, { maxBytes: 1048576, triggers: { slowRequestMs: 200 } });
  assert.equal(parseFlightRecorderProperty({ enabled: false }).refused, true);
});

test('bad values get one message each, naming the key', () => {
  assert.match(parseFlightRecorderProperty('yes').errors[0] ?? '', /must be true, false or an object/);
  const errors = validateRecorderOptions({ maxBytez: 1, minAgeMs: -5, asyncCausality: 'on', maxBytes: 100, triggers: { slowRequest: 3, statusAtLeast: 42, signal: 'usr1' }, redact: 'all' });
  const text = errors.join('\n');
  assert.match(text, /"flightRecorder.maxBytez" is not a recorder option \(did you mean "flightRecorder.maxBytes"\?\)/);
  assert.match(text, /"flightRecorder.minAgeMs" must be a number ≥ 0/);
  assert.match(text, /"flightRecorder.asyncCausality" must be true or false/);
  assert.match(text, /"flightRecorder.maxBytes" is 100 bytes; use at least 65536/);
  assert.match(text, /"flightRecorder.triggers.slowRequest" is not a recorder option \(did you mean "flightRecorder.triggers.slowRequestMs"\?\)/);
  assert.match(text, /statusAtLeast" must be an HTTP status/);
  assert.match(text, /triggers.signal" must be a signal name/);
  assert.match(text, /"flightRecorder.redact" must be an object/);
  assert.match(validateRecorderOptions({ recordHeaders: ['ok', 'not ok'] }).join('\n'), /"flightRecorder.recordHeaders" must be a list of at most 16 header names like \["x-request-id"\] \(got \["ok","not ok"\]\)/);
  assert.deepEqual(validateRecorderOptions({ recordHeaders: ['x-request-id', 'Traceparent'] }), []);
  assert.deepEqual(validateRecorderOptions({ maxBytes: 0, out: '/tmp/x', triggers: { signal: null, statusAtLeast: 500 }, redact: { query: false } }), []);
});

test('who gets the recorder', () => {
  assert.equal(decideInjection({ type: 'node', request: 'launch', flightRecorder: true }, false).inject, true);
  assert.equal(decideInjection({ type: 'node', request: 'launch' }, false).inject, false);
  assert.equal(decideInjection({ type: 'node', request: 'launch' }, true).inject, true);
  assert.equal(decideInjection({ type: 'node', request: 'launch', flightRecorder: false }, true).inject, false, 'an explicit false beats the setting');
  assert.equal(decideInjection({ type: 'pwa-node', request: 'attach', __pendingTargetId: 'abc', flightRecorder: true }, true).inject, false, 'js-debug child sessions are left alone');
  assert.equal(decideInjection({ type: 'node', flightRecorder: true, [RECORDED_MARKER]: {} }, false).inject, false, 'never twice');
  const bad = decideInjection({ type: 'node', flightRecorder: { maxBytes: 'big' } }, false);
  assert.equal(bad.inject, false);
  assert.equal(bad.errors.length, 1);
});

test('env merge keeps the user\'s variables and merges a hand-written FLIGHT_RECORDER over ours', () => {
  const env = mergeDebugEnv(
    { PORT: '3000', NODE_ENV: null, FLIGHT_RECORDER: '{"maxBytes":2097152,"triggers":{"loopBlockMs":100}}' },
    { NODE_OPTIONS: '--require /x/recorder.js', FLIGHT_RECORDER: '{"out":"/ws/.flight-recorder","triggers":{"slowRequestMs":200}}' },
  );
  assert.equal(env.PORT, '3000');
  assert.equal(env.NODE_ENV, null);
  assert.equal(env.NODE_OPTIONS, '--require /x/recorder.js');
  assert.deepEqual(JSON.parse(env.FLIGHT_RECORDER as string), { out: '/ws/.flight-recorder', maxBytes: 2097152, triggers: { slowRequestMs: 200, loopBlockMs: 100 } });
});

test('envFile values', () => {
  const text = '# comment\nPORT=3000\nexport NODE_OPTIONS="--max-old-space-size=512"\nOTHER=1\n';
  assert.equal(readEnvFileValue(text, 'NODE_OPTIONS'), '--max-old-space-size=512');
  assert.equal(readEnvFileValue(text, 'MISSING'), undefined);
});

test('skipFiles: the recorder bundle is added once, to the configuration\'s list or to the template default', () => {
  const recorder = '/ext/dist/recorder.js';
  assert.deepEqual(skipRecorderFiles(undefined, recorder), ['<node_internals>/**', recorder]);
  assert.deepEqual(skipRecorderFiles(['${workspaceFolder}/node_modules/**'], recorder), ['${workspaceFolder}/node_modules/**', recorder]);
  assert.deepEqual(skipRecorderFiles([recorder, 7], recorder), [recorder]);
  assert.deepEqual(skipRecorderFiles([], recorder), [recorder]);
});

test('every recorder option is known to the launch validation and to every schema of package.json', () => {
  // The recorder's own defaults name every option it takes: a launch configuration or a setting
  // holding any of them must not be refused (gc once was).
  const defaults = JSON.parse(JSON.stringify(defaultOptions('/tmp/project'))) as Record<string, unknown>;
  assert.deepEqual(validateRecorderOptions(defaults), []);
  const schemas: Record<string, { properties: Record<string, { properties?: Record<string, unknown> }> }>[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    if (properties && 'maxBytes' in properties && 'loopBlockThresholdMs' in properties) schemas.push(node as never);
    for (const value of Object.values(node)) walk(value);
  };
  walk(packageJson.contributes);
  assert.equal(schemas.length, 6, 'the setting and five launch/attach schemas');
  for (const schema of schemas) {
    const properties = (schema as unknown as { properties: Record<string, { properties?: Record<string, unknown> }> }).properties;
    for (const key of Object.keys(defaults)) assert.ok(key in properties, `schema lacks ${key}`);
    for (const key of Object.keys(defaults.triggers as object)) assert.ok(key in properties.triggers!.properties!, `schema lacks triggers.${key}`);
    for (const key of Object.keys(defaults.redact as object)) assert.ok(key in properties.redact!.properties!, `schema lacks redact.${key}`);
  }
});
