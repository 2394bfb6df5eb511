import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Ring, MIN_RING_BYTES } from '../../src/recorder/ring/index';
import { RingPrefaulter } from '../../src/recorder/ring/prefault';
import { H_STRING_WRITE_WORD, HEADER_BYTES } from '../../src/recorder/ring/layout';

// Residency itself is the kernel's business; what is checked here is which pages get touched
// (every touch is an atomic OR with 0, so it must never change a byte) and when it stops.
test('the prefaulter touches ahead of the writers without changing a byte, and is done once the whole ring is touched', () => {
  const ring = new Ring(MIN_RING_BYTES);
  for (let i = 0; i < 100; i++) ring.write(40, i, i, i, i * 3, -i, ring.appendString(`s${i}`), 0);
  const before = new Uint8Array(ring.buffer).slice();
  const ahead = 16 * 1024;
  const prefaulter = new RingPrefaulter(ring.buffer, ahead);
  assert.equal(prefaulter.step(), true, 'first step: the writers are somewhere');
  assert.deepEqual(new Uint8Array(ring.buffer), before, 'touching leaves every byte as it was');
  assert.equal(prefaulter.done, false, `${ring.layout.totalBytes} bytes are more than ${ahead} ahead of the writers`);
  assert.equal(prefaulter.step(), false, 'no writer moved');
  ring.write(40, 1, 1, 1, 1, 1, 0, 0);
  assert.equal(prefaulter.step(), true, 'a writer moved');
  // Fill the ring once: the prefaulter follows and finishes.
  for (let i = 0; i < ring.layout.recordCapacity; i++) ring.write(40, i, 0, 0, 0, 0, 0, 0);
  const header = new Float64Array(ring.buffer, 0, HEADER_BYTES / 8);
  while ((header[H_STRING_WRITE_WORD] ?? 0) < ring.layout.stringWords) ring.appendString('x'.repeat(200));
  prefaulter.step();
  assert.equal(prefaulter.done, true);
});
