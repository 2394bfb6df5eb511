// What a request's thread did while it was open: unions of overlapping spans clipped to the
// request, for the CLI summary and the viewer's details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredUs, whileOpen } from '../../src/format/while-open';

const span = (startUs: number, endUs: number) => ({ startUs, endUs });

test('coveredUs: the union of the spans within the window, each instant counted once', () => {
  assert.equal(coveredUs([], 0, 100), 0);
  assert.equal(coveredUs([span(10, 20)], 0, 100), 10);
  assert.equal(coveredUs([span(-50, 20), span(90, 500)], 0, 100), 30, 'clipped at both ends');
  assert.equal(coveredUs([span(10, 40), span(30, 60), span(20, 25)], 0, 100), 50, 'overlaps counted once, in any order');
  assert.equal(coveredUs([span(60, 70), span(10, 20), span(20, 30)], 0, 100), 30, 'touching spans join');
  assert.equal(coveredUs([span(100, 200), span(-10, 0)], 0, 100), 0, 'outside, or only touching the window');
  assert.equal(coveredUs([span(0, 1000)], 0, 100), 100);
});

test('whileOpen: blocks, collections and outgoing requests that overlap the request, and how much of it each covered', () => {
  const request = span(1000, 2000);
  const found = whileOpen(
    request,
    [span(900, 1300), span(1200, 1400), span(2500, 2600)],
    [span(1100, 1110), span(1500, 1520), span(5000, 5010)],
    [span(1050, 1550), span(1500, 1800), span(0, 10)],
  );
  assert.deepEqual(found, { blockedUs: 400, blocks: 2, gcUs: 30, collections: 2, outgoingUs: 750, outgoing: 2 });
  assert.deepEqual(whileOpen(request, [], [], []), { blockedUs: 0, blocks: 0, gcUs: 0, collections: 0, outgoingUs: 0, outgoing: 0 });
});
