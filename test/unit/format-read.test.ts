import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findJsonProblem, parseTraceText, MAX_DOCUMENT_DEPTH } from '../../src/format/read';
import { serializeSnapshot } from '../../src/format/write';
import { validSnapshot } from './format-fixtures';

function errorOf(text: string, fileName = 'a.nodetrace.json'): string {
  const result = parseTraceText(text, fileName);
  assert.ok('error' in result, `expected an error for ${JSON.stringify(text.slice(0, 60))}`);
  return result.error;
}

test('reads our snapshot: kind, metadata, window from metadata, every event', () => {
  const text = serializeSnapshot(validSnapshot());
  const result = parseTraceText(text, 'a.nodetrace.json');
  assert.ok(!('error' in result));
  assert.equal(result.kind, 'snapshot');
  assert.equal(result.trace.metadata?.trigger.reason, 'check');
  assert.deepEqual(result.trace.window, { startTs: 1_000_000, endTs: 2_000_000 });
  assert.equal(result.trace.traceEvents.length, validSnapshot().traceEvents.length);
  assert.deepEqual(result.warnings, []);
});

test('empty and whitespace-only files', () => {
  assert.equal(errorOf(''), 'a.nodetrace.json is empty (0 bytes)');
  assert.equal(errorOf('\uFEFF'), 'a.nodetrace.json is empty (0 bytes)');
  assert.equal(errorOf(' \n\t '), 'a.nodetrace.json contains only whitespace');
});

test('a file cut off while being written says so, with its byte length', () => {
  const text = serializeSnapshot(validSnapshot());
  for (const cut of [1, 17, Math.floor(text.length / 2), text.length - 3]) {
    const part = text.slice(0, cut);
    const message = errorOf(part);
    assert.match(message, new RegExp(`file ends early at byte ${Buffer.byteLength(part)} — was it cut off while being written\\?`), message);
  }
  // Multi-byte characters count as bytes, not characters.
  assert.match(errorOf('{"traceEvents":[{"name":"é€'), /ends early at byte 30/);
});

test('not JSON: line, column and byte of the first bad character', () => {
  assert.equal(errorOf('{\n  "traceEvents": [1,, 2]\n}'), 'a.nodetrace.json: not valid JSON at line 2, column 21 (byte 22): unexpected "," where a value should be');
  assert.match(errorOf('<!doctype html><p>hi'), /not valid JSON at line 1, column 1 \(byte 0\): unexpected "<"/);
  assert.match(errorOf('{"traceEvents":[]} trailing'), /column 20 .*after the end of the JSON value/);
  assert.match(errorOf("{'a':1}"), /expected a property name in double quotes/);
  assert.match(errorOf('{"a":"x\ny"}'), /a control character inside a string/);
  assert.match(errorOf('{"a":01}'), /malformed number/);
  assert.match(errorOf('{"a":NaN}'), /unexpected "N"/);
});

test('wrong shape names what it found', () => {
  assert.match(errorOf('42'), /not a trace — expected .* found a number/);
  assert.match(errorOf('null'), /found null/);
  assert.match(errorOf('{"hello":"world","x":1}'), /found an object with keys "hello", "x"/);
  assert.match(errorOf('{}'), /found an empty object/);
  assert.match(errorOf('{"traceEvents":"nope"}'), /found an object with keys "traceEvents"/);
});

test('too deeply nested documents are refused before parsing', () => {
  const depth = 1_000_000;
  for (const text of ['['.repeat(depth) + ']'.repeat(depth), `{"traceEvents":[{"name":"x","ph":"i","ts":1,"pid":1,"tid":1,"args":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}]}`]) {
    assert.match(errorOf(text), new RegExp(`too deeply nested — more than ${MAX_DOCUMENT_DEPTH} levels`));
  }
  // Brackets inside strings are not nesting.
  const inString = JSON.stringify({ traceEvents: [{ name: '['.repeat(500), ph: 'i', ts: 1, pid: 1, tid: 1 }] });
  assert.ok(!('error' in parseTraceText(inString, 'x')));
  // Escaped quotes do not end a string early.
  const escaped = JSON.stringify({ traceEvents: [{ name: '\\"[[[[' + '['.repeat(200), ph: 'i', ts: 1, pid: 1, tid: 1 }] });
  assert.ok(!('error' in parseTraceText(escaped, 'x')));
});

test('plain Chrome traces: array form, object form; unusable entries skipped with a warning', () => {
  const array = parseTraceText(JSON.stringify([
    { name: 'a', ph: 'X', ts: 10, dur: 5, pid: 1, tid: 2 },
    { name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: 'main' } },
    { ph: 'X', ts: 1, pid: 1, tid: 1 }, // X without dur: skipped
    'junk',
  ]), 't.json');
  assert.ok(!('error' in array));
  assert.equal(array.kind, 'chrome-trace');
  assert.equal(array.trace.traceEvents.length, 2);
  assert.equal(array.trace.traceEvents[1]!.ts, 0); // M event without ts gets 0
  assert.deepEqual(array.trace.window, { startTs: 10, endTs: 15 });
  assert.match(array.warnings[0]!, /2 of 4 entries are not usable trace events .*first is entry 2/);
  const object = parseTraceText(JSON.stringify({ traceEvents: [{ name: 'b', ph: 'i', ts: 5, pid: '7', tid: 1 }], metadata: { 'command-line': 'node x' } }), 't.json');
  assert.ok(!('error' in object));
  assert.equal(object.kind, 'chrome-trace');
  assert.equal(object.trace.metadata, undefined);
  assert.equal(object.trace.traceEvents[0]!.pid, 7);
});

test('.cpuprofile becomes Profile + ProfileChunk events with parent links', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, hitCount: 0, children: [2] },
      { id: 2, callFrame: { functionName: 'hotLoop', scriptId: '1', url: 'file:///a.js', lineNumber: 3, columnNumber: 0 }, hitCount: 3 },
    ],
    startTime: 100,
    endTime: 5000,
    samples: [2, 2, 2],
    timeDeltas: [10, 1000, 1000],
  };
  const result = parseTraceText(JSON.stringify(profile), 'cpu.cpuprofile');
  assert.ok(!('error' in result));
  assert.equal(result.kind, 'cpuprofile');
  const chunk = result.trace.traceEvents.find((e) => e.name === 'ProfileChunk')!;
  const data = (chunk.args as { data: { cpuProfile: { nodes: { id: number; parent?: number }[]; samples: number[] }; timeDeltas: number[] } }).data;
  assert.deepEqual(data.cpuProfile.nodes.map((n) => [n.id, n.parent]), [[1, undefined], [2, 1]]);
  assert.deepEqual(data.cpuProfile.samples, [2, 2, 2]);
  assert.deepEqual(data.timeDeltas, [10, 1000, 1000]);
  assert.deepEqual(result.trace.window, { startTs: 100, endTs: 5000 });
  assert.ok(result.trace.traceEvents.some((e) => e.name === 'Profile' && e.ph === 'P'));
  assert.match(errorOf(JSON.stringify({ ...profile, timeDeltas: [1] }), 'cpu.cpuprofile'), /not a valid \.cpuprofile — timeDeltas has 1 entries but samples has 3/);
  assert.match(errorOf(JSON.stringify({ ...profile, samples: [2, 2, 9] }), 'cpu.cpuprofile'), /sample 2 refers to unknown node 9/);
});

test('never throws, whatever the input', () => {
  const inputs = ['{', '[', '"', '\\', '{"a":', '[1,', 'tru', 'nul', '-', '1e', '"\\u12', '{"a"', '\u0000', '\uD800', `{"traceEvents":[${'{"ph":"i"},'.repeat(50)}{}]}`];
  for (const text of inputs) {
    const result = parseTraceText(text, 'x');
    assert.ok('error' in result || Array.isArray(result.trace.traceEvents), text);
  }
  // Not even for a non-string.
  assert.ok('error' in parseTraceText(undefined as unknown as string, 'x'));
});

test('findJsonProblem agrees with JSON.parse on what is valid', () => {
  const samples = ['{}', '[]', '[1,-2.5e3,true,false,null,"a\\u00e9\\n"]', ' {"a" : [ {} , [] ] } ', '{"a":1,}', '[1 2]', '{"a":1}}', '"x', '0', '-0.5', '01', '1.', '.5', '[-]', '{"a":tru}'];
  for (const text of samples) {
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    assert.equal(findJsonProblem(text) === null, valid, text);
  }
});

test('findJsonProblem agrees with JSON.parse on 3000 seeded mutations of a snapshot', () => {
  const base = serializeSnapshot(validSnapshot());
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = '{}[]",:\\ 0123456789-+.eEtrufalsn\n\u00e9';
  for (let i = 0; i < 3000; i++) {
    let text = base;
    const edits = 1 + Math.floor(random() * 3);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(random() * text.length);
      const op = random();
      if (op < 0.33) text = text.slice(0, at) + text.slice(at + 1);
      else if (op < 0.66) text = text.slice(0, at) + alphabet[Math.floor(random() * alphabet.length)] + text.slice(at);
      else text = text.slice(0, at);
    }
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    const problem = findJsonProblem(text);
    assert.equal(problem === null, valid, `case ${i}: ${JSON.stringify(problem)} for …${JSON.stringify(text.slice(-80))}`);
    const result = parseTraceText(text, 'm.json');
    if ('error' in result) assert.ok(result.error.length > 0 && !/undefined|\[object/.test(result.error), result.error);
  }
});
