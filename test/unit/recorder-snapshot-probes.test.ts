// A snapshot gives each `Event loop blocked` slice the stack of the probe taken within it — the
// probe of that slice's own thread: a worker's block never takes the main thread's stack, nor
// the other way round, even when both threads block at the same moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, type LoopProbe } from '../../src/recorder/snapshot/build';
import { Ring } from '../../src/recorder/ring/index';
import { MIN_RING_BYTES } from '../../src/recorder/ring/layout';
import { Kind } from '../../src/recorder/sources/kinds';
import { defaultOptions } from '../../src/recorder/config';
import { gatherFacts } from '../../src/recorder/snapshot/facts';
import { EventNames, type LoopBlockArgs } from '../../src/format/trace-event';

const T0 = 1_000_000_000;

function ringWithBlock(startUs: number, durUs: number): Uint8Array {
  const ring = new Ring(MIN_RING_BYTES);
  ring.write(Kind.loopBlock, startUs, durUs, 0, 50, 0, 0, 0);
  return new Uint8Array(ring.buffer);
}

const frame = (functionName: string) => ({ functionName, url: '/app.js', lineNumber: 2, columnNumber: 1 });

test('each thread\'s block takes its own thread\'s probe', () => {
  const options = defaultOptions();
  const probes: LoopProbe[] = [
    { ts: T0 + 100_000, frames: [frame('mainWork')] },
    { ts: T0 + 150_000, frames: [frame('workerWork')], tid: 4 },
  ];
  const { snapshot } = buildSnapshot({
    facts: gatherFacts(options),
    options,
    trigger: { reason: 'test', source: 'api', ts: T0 + 1_000_000 },
    threads: [
      { tid: 0, name: 'main', bytes: ringWithBlock(T0, 300_000) },
      { tid: 4, name: 'worker 4', bytes: ringWithBlock(T0 + 50_000, 300_000) },
      { tid: 6, name: 'worker 6', bytes: ringWithBlock(T0, 300_000) },
    ],
    loopProbes: probes,
    clockSync: { ts: T0, epochMs: Date.now() },
    hookErrors: 0,
    usedBytes: 0,
  });
  const framesOf = (tid: number) => {
    const block = snapshot.traceEvents.find((e) => e.name === EventNames.loopBlock && e.tid === tid);
    assert.ok(block, `a block on thread ${tid}`);
    return (block.args as unknown as LoopBlockArgs).frames?.map((f) => f.functionName);
  };
  assert.deepEqual(framesOf(0), ['mainWork']);
  assert.deepEqual(framesOf(4), ['workerWork']);
  assert.equal(framesOf(6), undefined, 'no probe of that worker: no frames, though probes of others fall in its time');
});
