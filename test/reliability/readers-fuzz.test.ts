// Readers on bad input, in process: `parseTraceText` (src/format/read.ts), `validateSnapshot`
// (src/format/validate.ts) and the viewer's loader (src/viewer/model/load.ts) on empty, non-JSON,
// deeply nested and seeded-mutation inputs. Each must answer (a result or one clear sentence),
// never throw, never hang, never pollute Object.prototype.
// FUZZ_CASES=100000 FUZZ_SEED=n for a longer run; the default is a fixed few thousand cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceText } from '../../src/format/read';
import { validateSnapshot } from '../../src/format/validate';
import { loadTraceText } from '../../src/viewer/model/load';
import { deeplyNested, mutate, syntheticSnapshot } from './corpus';
import { seededRandom } from './helpers';

const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 3000);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261125);
/** A hang detector, not a performance assertion: one small input must never take this long. */
const CASE_BOUND_MS = 60_000;

const seeds = [
  JSON.stringify(syntheticSnapshot({ requests: 12 })),
  JSON.stringify(syntheticSnapshot({ requests: 4, hostile: true })),
  JSON.stringify(syntheticSnapshot({ requests: 6 }).traceEvents), // plain Chrome trace, array form
  JSON.stringify({ nodes: [{ id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2] }, { id: 2, callFrame: { functionName: 'f', url: 'file:///a.js', lineNumber: 1, columnNumber: 1 } }], startTime: 0, endTime: 300, samples: [1, 2, 2], timeDeltas: [100, 100, 100] }),
];

interface Failure {
  reader: string;
  caseName: string;
  problem: string;
}

/** Runs every in-process reader on one input and returns what went wrong, if anything. */
function checkAllReaders(text: string, caseName: string): Failure[] {
  const failures: Failure[] = [];
  const started = Date.now();
  // 1. The format reader: must never throw; an error is one non-empty sentence.
  let parsed: ReturnType<typeof parseTraceText> | undefined;
  try {
    parsed = parseTraceText(text, 'fuzz.nodetrace.json');
    if ('error' in parsed) {
      if (typeof parsed.error !== 'string' || parsed.error.length === 0) failures.push({ reader: 'parseTraceText', caseName, problem: 'empty error message' });
      else if (/Cannot read|undefined|is not a function|\[object Object\]/.test(parsed.error)) failures.push({ reader: 'parseTraceText', caseName, problem: `unclear error: ${parsed.error.slice(0, 200)}` });
    } else if (!Array.isArray(parsed.trace.traceEvents) || !Number.isFinite(parsed.trace.window.startTs) || !Number.isFinite(parsed.trace.window.endTs)) {
      failures.push({ reader: 'parseTraceText', caseName, problem: 'a result without events array or finite window' });
    }
  } catch (error) {
    failures.push({ reader: 'parseTraceText', caseName, problem: `threw ${String(error).slice(0, 200)}` });
  }
  // 2. The validator, on whatever JSON.parse gives (it must cope with any value).
  let value: unknown;
  let isJson = true;
  try {
    value = JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (isJson) {
    try {
      const violations = validateSnapshot(value, { maxViolations: 1000 });
      if (!Array.isArray(violations)) failures.push({ reader: 'validateSnapshot', caseName, problem: 'did not return an array' });
      else if (parsed && 'error' in parsed === false && violations.some((v) => typeof v.message !== 'string')) failures.push({ reader: 'validateSnapshot', caseName, problem: 'a violation without a message' });
    } catch (error) {
      failures.push({ reader: 'validateSnapshot', caseName, problem: `threw ${String(error).slice(0, 200)}` });
    }
  }
  // 3. The viewer's loader (same promise: an answer, never an exception).
  try {
    const loaded = loadTraceText(text, 'fuzz.nodetrace.json');
    if ('error' in loaded && (typeof loaded.error !== 'string' || loaded.error.length === 0)) failures.push({ reader: 'viewer loadTraceText', caseName, problem: 'empty error message' });
  } catch (error) {
    failures.push({ reader: 'viewer loadTraceText', caseName, problem: `threw ${String(error).slice(0, 200)}` });
  }
  const polluted = ({} as Record<string, unknown>).polluted;
  if (polluted !== undefined) failures.push({ reader: 'any', caseName, problem: 'Object.prototype was polluted' });
  const elapsedMs = Date.now() - started;
  if (elapsedMs > CASE_BOUND_MS) failures.push({ reader: 'any', caseName, problem: `took ${elapsedMs} ms` });
  return failures;
}

function report(failures: Failure[]): string {
  const byProblem = new Map<string, Failure[]>();
  for (const failure of failures) {
    const key = `${failure.reader}: ${failure.problem.replace(/\d+/g, 'N').slice(0, 120)}`;
    byProblem.set(key, [...(byProblem.get(key) ?? []), failure]);
  }
  return [...byProblem].map(([key, list]) => `${list.length}× ${key} (e.g. ${list.slice(0, 3).map((f) => f.caseName).join(', ')})`).join('\n');
}

test('the seed documents are valid, so mutations start from real input', () => {
  for (const [i, text] of seeds.entries()) {
    const parsed = parseTraceText(text, `seed-${i}.json`);
    assert.ok(!('error' in parsed), `seed ${i} is refused: ${'error' in parsed ? parsed.error : ''}`);
  }
  assert.deepEqual(validateSnapshot(JSON.parse(seeds[0] as string), { mode: 'strict' }), [], 'the synthetic snapshot must validate strictly');
});

test('empty, whitespace, non-JSON and wrong-shape inputs get a clear error from every reader', () => {
  const inputs: Record<string, string> = {
    empty: '',
    whitespace: ' \n\t\r\n ',
    bom: '\uFEFF',
    'binary garbage': String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 73 + 11) % 256)),
    'png header': '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR',
    'utf-16 text': '\uFEFF{\u0000"\u0000t\u0000',
    'a number': '42',
    'a string': '"traceEvents"',
    null: 'null',
    'traceEvents not an array': '{"traceEvents":{"0":{}}}',
    'events all wrong': '{"traceEvents":[1,"x",null,[],{"ph":7}]}',
    'html page': '<!doctype html><script>window.__pwned=1</script>',
    'ndjson': '{"name":"a","ph":"i","ts":1,"pid":1,"tid":1}\n{"name":"b","ph":"i","ts":2,"pid":1,"tid":1}\n',
    'truncated mid-string': (seeds[0] as string).slice(0, 1234),
    'truncated at 1 byte': '{',
    'trailing garbage': `${seeds[0] as string}GARBAGE`,
  };
  const failures: Failure[] = [];
  for (const [name, text] of Object.entries(inputs)) {
    failures.push(...checkAllReaders(text, name));
    const parsed = parseTraceText(text, 'x.json');
    if (!['events all wrong', 'ndjson'].includes(name)) assert.ok('error' in parsed, `${name}: parseTraceText accepted it`);
  }
  assert.equal(failures.length, 0, report(failures));
});

test('deeply nested documents (arrays 10^3 and 10^5 deep at the top, in args and in metadata; 10^6 in metadata) are refused or read without a stack overflow', () => {
  const failures: Failure[] = [];
  for (const depth of [1000, 100_000]) {
    for (const where of ['top', 'args', 'metadata'] as const) failures.push(...checkAllReaders(deeplyNested(depth, where), `${where} nested ${depth}`));
  }
  failures.push(...checkAllReaders(deeplyNested(1_000_000, 'metadata'), 'metadata nested 1000000'));
  assert.equal(failures.length, 0, report(failures));
});

test(`seeded mutation fuzzer: ${FUZZ_CASES} cases (seed ${FUZZ_SEED}) never crash a reader`, { timeout: 600_000 }, (t) => {
  const random = seededRandom(FUZZ_SEED);
  const failures: Failure[] = [];
  const kinds = new Map<string, number>();
  for (let i = 0; i < FUZZ_CASES; i++) {
    const { text, how } = mutate(random, seeds);
    kinds.set(how, (kinds.get(how) ?? 0) + 1);
    failures.push(...checkAllReaders(text, `case ${i} (${how})`));
  }
  t.diagnostic(`mutations: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; failures ${failures.length}`);
  assert.equal(failures.length, 0, `reproduce with FUZZ_SEED=${FUZZ_SEED}:\n${report(failures)}`);
});
