import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceText } from '../../src/format/read';
import type { TraceEvent } from '../../src/format/trace-event';
import { serializeEvent, serializeSnapshot, snapshotChunks, SnapshotWriter } from '../../src/format/write';
import { validateSnapshot } from '../../src/format/validate';
import { validSnapshot } from './format-fixtures';

const HOSTILE = [
  '</script><script>alert(1)</script>',
  '"quoted" \\ back\\slash',
  'line\nbreak\r\ttab\u0000nul\u001b[31mred',
  '\u2028\u2029 separators',
  '\uD800 lone high, lone low \uDC00',
  '😀 emoji 𝄞',
  '{"traceEvents":[]}',
  '__proto__',
];

test('hostile strings in names, categories and args round-trip exactly and validate', () => {
  const snapshot = validSnapshot();
  for (const [i, text] of HOSTILE.entries()) {
    snapshot.traceEvents.push({ name: text, cat: 'user', ph: 'i', s: 't', ts: 1_500_000 + i, pid: 4242, tid: 0, args: { [text]: text, nested: { list: [text] } } });
  }
  snapshot.metadata.argv.push(...HOSTILE);
  const text = serializeSnapshot(snapshot);
  assert.doesNotThrow(() => JSON.parse(text));
  const back = parseTraceText(text, 'x.nodetrace.json');
  assert.ok(!('error' in back), 'error' in back ? back.error : '');
  const hostileEvents = back.trace.traceEvents.filter((e) => e.cat === 'user');
  // Lone surrogates are escaped by JSON.stringify (\ud800) and read back unchanged.
  assert.deepEqual(hostileEvents.map((e) => e.name), HOSTILE);
  assert.deepEqual(hostileEvents.map((e) => (e.args as Record<string, unknown>)[e.name]), HOSTILE);
  assert.deepEqual(back.trace.metadata?.argv.slice(2), HOSTILE);
  assert.deepEqual(validateSnapshot(JSON.parse(text)), []);
  // Nothing the writer emits lets a string close a <script> element when inlined raw... that is the
  // host's job (escape <); but no raw control characters reach the file.
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(text.replace(/\n/g, ''), /[\u0000-\u001f]/);
});

test('serializeEvent survives BigInt, cycles, throwing getters and toJSON, NaN', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const getterBomb = Object.defineProperty({}, 'boom', { enumerable: true, get() { throw new Error('no'); } });
  const cases: unknown[] = [
    { name: 'big', ph: 'i', ts: 1, pid: 1, tid: 0, args: { n: 10n } },
    { name: 'cycle', ph: 'i', ts: 1, pid: 1, tid: 0, args: cyclic },
    { name: 'getter', ph: 'i', ts: 1, pid: 1, tid: 0, args: getterBomb },
    { name: 'toJSON', ph: 'i', ts: 1, pid: 1, tid: 0, args: { toJSON() { throw new Error('no'); } } },
    { name: 'nan', ph: 'X', ts: Number.NaN, dur: Number.POSITIVE_INFINITY, pid: 1, tid: 0 },
    { name: Symbol('s'), ph: 'i', ts: 1, pid: 1, tid: 0, args: { f() {}, s: Symbol('x'), u: undefined } },
    { name: 'deep', ph: 'i', ts: 1, pid: 1, tid: 0, args: nest(10_000) },
  ];
  for (const event of cases) {
    const text = serializeEvent(event as TraceEvent);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.equal(typeof parsed.name, 'string');
    assert.ok(Number.isFinite(parsed.ts), text);
  }
  assert.deepEqual(JSON.parse(serializeEvent(cases[0] as TraceEvent)).args, { n: '10' });
  assert.equal(JSON.parse(serializeEvent(cases[1] as TraceEvent)).args.self, '[circular]');
  assert.equal(JSON.parse(serializeEvent(cases[2] as TraceEvent)).args.boom, '[unreadable]');
  const nan = JSON.parse(serializeEvent(cases[4] as TraceEvent));
  assert.equal(nan.ts, 0);
  assert.equal(nan.dur, 0);
});

function nest(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}

test('chunks: header, batches, metadata last; concatenation is the same file', () => {
  const snapshot = validSnapshot();
  const chunks = [...snapshotChunks(snapshot.traceEvents, snapshot.metadata, 5)];
  assert.equal(chunks[0], '{"traceEvents":[');
  // 18 events in batches of 5 → 4 event chunks, then the end.
  assert.equal(chunks.length, 1 + Math.ceil(snapshot.traceEvents.length / 5) + 1);
  assert.match(chunks[chunks.length - 1]!, /^\n\],\n"displayTimeUnit":"ms",\n"metadata":\{"format":"node-flight-recorder"/);
  assert.equal(chunks.join(''), serializeSnapshot(snapshot));
  assert.deepEqual(JSON.parse(chunks.join('')).traceEvents, snapshot.traceEvents);
});

test('a snapshot with no events is still a valid file', () => {
  const writer = new SnapshotWriter();
  const metadata = validSnapshot().metadata;
  const text = writer.begin() + writer.events([]) + writer.end(metadata);
  assert.deepEqual(JSON.parse(text).traceEvents, []);
  assert.equal(writer.count, 0);
  assert.throws(() => writer.events([]), /outside begin/);
});
