import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenAsyncSpans } from '../../src/format/open-async-spans';

/** The rule written the plain way: a stack of open spans per (pid, category, id). */
class ReferencePairing {
  private readonly stacks = new Map<string, number[]>();
  private key(pid: number, category: string, id: unknown): string {
    return JSON.stringify([pid, category, typeof id, Number.isNaN(id) ? 'NaN' : id]);
  }
  open(pid: number, category: string, id: unknown, span: number): void {
    const key = this.key(pid, category, id);
    const stack = this.stacks.get(key) ?? [];
    stack.push(span);
    this.stacks.set(key, stack);
  }
  close(pid: number, category: string, id: unknown): number | undefined {
    return this.stacks.get(this.key(pid, category, id))?.pop();
  }
  stillOpen(): number[] {
    return [...this.stacks.values()].flat().sort((a, b) => a - b);
  }
}

function openSpans(pairing: OpenAsyncSpans): number[] {
  const spans: number[] = [];
  pairing.forEachOpen((span) => spans.push(span));
  return spans.sort((a, b) => a - b);
}

test('adjacent begin/end pairs, overlaps and a long-open span pair as Chrome pairs them', () => {
  const pairing = new OpenAsyncSpans();
  pairing.open(1, 'http', 7, 0); // stays open to the end
  pairing.open(1, 'http', 1, 1);
  assert.equal(pairing.close(1, 'http', 1), 1);
  pairing.open(1, 'http', 2, 2);
  pairing.open(1, 'http', 3, 3);
  assert.equal(pairing.close(1, 'http', 2), 2);
  assert.equal(pairing.close(1, 'http', 3), 3);
  assert.equal(pairing.close(1, 'http', 3), undefined, 'an end with nothing open');
  assert.equal(pairing.close(2, 'http', 7), undefined, 'another process');
  assert.equal(pairing.close(1, 'fetch', 7), undefined, 'another category');
  assert.deepEqual(openSpans(pairing), [0]);
});

test('the same id begun again before it ended: the latest begun ends first', () => {
  const pairing = new OpenAsyncSpans();
  pairing.open(1, 'c', 'x', 10);
  pairing.open(1, 'c', 'x', 11);
  pairing.open(1, 'c', 'x', 12);
  assert.equal(pairing.close(1, 'c', 'x'), 12);
  assert.equal(pairing.close(1, 'c', 'x'), 11);
  pairing.open(1, 'c', 'x', 13);
  assert.equal(pairing.close(1, 'c', 'x'), 13);
  assert.equal(pairing.close(1, 'c', 'x'), 10);
  assert.equal(pairing.close(1, 'c', 'x'), undefined);
  assert.deepEqual(openSpans(pairing), []);
});

test('ids compare as Map keys do: 1 and "1" differ, NaN matches NaN', () => {
  const pairing = new OpenAsyncSpans();
  pairing.open(1, 'c', 1, 0);
  assert.equal(pairing.close(1, 'c', '1'), undefined);
  pairing.open(1, 'c', Number.NaN, 1);
  assert.equal(pairing.close(1, 'c', Number.NaN), 1);
  assert.equal(pairing.close(1, 'c', 1), 0);
});

test('random sequences pair exactly like the plain stack-per-id rule', () => {
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const fast = new OpenAsyncSpans();
    const reference = new ReferencePairing();
    let span = 0;
    for (let step = 0; step < 300; step++) {
      const pid = random(2);
      const category = ['a', 'b'][random(2)]!;
      const id = random(3) === 0 ? `s${random(4)}` : random(6);
      if (random(2) === 0) {
        fast.open(pid, category, id, span);
        reference.open(pid, category, id, span);
        span++;
      } else {
        assert.equal(fast.close(pid, category, id), reference.close(pid, category, id), `round ${round}, step ${step}`);
      }
    }
    assert.deepEqual(openSpans(fast), reference.stillOpen());
  }
});
