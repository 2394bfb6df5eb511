// A program whose event loop blocks again and again: BLOCK_MS of counted work, a turn of the
// loop (a timer of 0 ms), and again, for MEASURE_MS once the recorder's watchdog is up. Prints
// `WORK <units> <blocks>`: the work done in the blocks, which is what probing them takes from;
// then waits to be snapshotted and stopped.
const BLOCK_MS = Number(process.env.BLOCK_MS) || 120;
const MEASURE_MS = Number(process.env.MEASURE_MS) || 8_000;
const SETTLE_MS = 1_500;

let units = 0;
let blocks = 0;
function crunch(untilMs) {
  let x = 0;
  while (performance.now() < untilMs) {
    for (let i = 0; i < 2_000; i++) x += Math.sqrt(i + x);
    units++;
  }
  return x;
}

setTimeout(() => {
  const endMs = performance.now() + MEASURE_MS;
  const next = () => {
    const now = performance.now();
    if (now >= endMs) {
      process.stdout.write(`WORK ${units} ${blocks}\n`);
      setTimeout(() => {}, 60_000); // alive for the benchmark's snapshot, until it stops us
      return;
    }
    crunch(Math.min(endMs, now + BLOCK_MS));
    blocks++;
    setTimeout(next, 0);
  };
  next();
}, SETTLE_MS);
