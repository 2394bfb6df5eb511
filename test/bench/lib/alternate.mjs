// Two variants measured in pairs whose order alternates (A B, B A, A B, …): on a machine whose
// speed drifts from minute to minute, neither variant is always the one measured later.

/**
 * Runs `runA` and `runB` once each per pair, `pairs` times, the first of each pair alternating;
 * `onPair(pair, a, b)` hears each pair's results. Returns both lists, in pair order.
 */
export async function alternatePairs(pairs, runA, runB, onPair = () => {}) {
  const a = [];
  const b = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      a.push(await runA());
      b.push(await runB());
    } else {
      b.push(await runB());
      a.push(await runA());
    }
    onPair(pair, a[pair], b[pair]);
  }
  return [a, b];
}
