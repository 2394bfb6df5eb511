import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rules, type RuleFiring } from '../../src/recorder/triggers/rules';
import { resolveOptions } from '../../src/recorder/config';

function rules(triggers: object, clock: { now: number }) {
  const result = resolveOptions({ triggers });
  assert.ok(result.ok);
  const fired: RuleFiring[] = [];
  let claimed = 0;
  const r = new Rules(result.options, () => (claimed < result.options.triggers.maxSnapshots ? (claimed++, true) : false), (f) => fired.push(f), () => clock.now);
  return { r, fired };
}

test('each rule fires at its threshold, then waits for its cooldown', () => {
  const clock = { now: 0 };
  const { r, fired } = rules({ slowRequestMs: 100, cooldownMs: 1000, loopBlockMs: 50 }, clock);
  r.requestFinished(99, 200, 'GET /a');
  r.requestFinished(150, 200, 'GET /slow');
  r.requestFinished(500, 200, 'GET /slower');
  r.loopBlocked(60); // a different rule: its own cooldown
  clock.now = 1000;
  r.requestFinished(120, 200, 'GET /again');
  assert.deepEqual(fired, [
    { rule: 'slowRequestMs', value: 150, threshold: 100, detail: 'GET /slow' },
    { rule: 'loopBlockMs', value: 60, threshold: 50 },
    { rule: 'slowRequestMs', value: 120, threshold: 100, detail: 'GET /again' },
  ]);
});

test('maxSnapshots caps all rules together; off rules never fire', () => {
  const clock = { now: 0 };
  const { r, fired } = rules({ statusAtLeast: 500, gcPauseMs: 10, cooldownMs: 0, maxSnapshots: 2 }, clock);
  r.heapSampled(10_000);
  for (let i = 0; i < 5; i++) r.requestFinished(1, 503, 'x');
  r.gcPaused(20);
  assert.equal(fired.length, 2);
});
