// Where the main thread was during an event-loop block (loopBlockStacks): real recorded
// programs block their loop in a named function; the snapshot's `Event loop blocked` slice
// names it — in a snapshot the watchdog writes, in one the main thread writes as it dies, and
// not at all when the option is off. The probe polls every 50 ms for 30 s after each block
// recorded, and every 200 ms while the loop works (watchdog/loop-probe.ts): in most tests a first,
// shorter block arms it, and the one looked at is the second; one looks at a working program's first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventNames, type LoopBlockArgs, type TraceEvent } from '../../src/format/trace-event';
import { recordedPrograms, waitForEntry, waitFor, request, readSnapshot, snapshotFiles, serverScript, portOf, get } from './recorder-harness';

const { start } = recordedPrograms();

// Line 2 of the server script: the function the block is spent in.
const CRUNCH = `function crunchReport(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x; }`;
/** The server's handler: /warm blocks its loop 80 ms, /report 300 ms. */
const HANDLER = `if (req.url === '/warm') crunchReport(80); if (req.url === '/report') crunchReport(300); res.end('ok');`;
/**
 * An idle server's first block: long enough for the watchdog's first look after the request's
 * notice — when the idle tick (every 100 ms) is overdue by the threshold, up to 150 ms into the
 * block, or at once when the notice reaches the watchdog late — and its probe, on a loaded
 * machine. At 250 ms, 1 run in 30 ended first when a late notice still waited for the slow
 * looks (0 in 30 since it looks at once); 400 leaves room for a slow CI machine. Without the
 * notice the watchdog looks once a second, and would mostly miss it.
 */
const IDLE_FIRST_BLOCK_MS = 400;

/** Blocks the server's loop twice: a short block that arms the probe, then the one to find. */
async function blockTwice(port: number): Promise<void> {
  assert.equal(await get(port, '/warm'), 200);
  await new Promise((r) => setTimeout(r, 300)); // the arming message is on its way to the watchdog
  assert.equal(await get(port, '/report'), 200);
}

function blocksOf(events: TraceEvent[]): { event: TraceEvent; args: LoopBlockArgs }[] {
  return events
    .filter((e) => e.name === EventNames.loopBlock && e.ph === 'X' && e.tid === 0)
    .map((event) => ({ event, args: event.args as unknown as LoopBlockArgs }));
}

/** The 300 ms block of the test: the longest. */
function longest(events: TraceEvent[]): { event: TraceEvent; args: LoopBlockArgs } {
  const blocks = blocksOf(events).sort((a, b) => b.event.dur! - a.event.dur!);
  assert.ok(blocks[0], `a loop block among ${events.length} events`);
  assert.ok(blocks[0].event.dur! >= 250_000, JSON.stringify(blocks[0].event));
  return blocks[0];
}

test('a finished block names the function it was spent in, and how far into it the frames were taken', async () => {
  const app = start({ 'app.js': serverScript(HANDLER, CRUNCH) }, 'app.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  await blockTwice(port);
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'after the block' }, 10_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const { event, args } = longest(readSnapshot(answer.path).traceEvents);
  const frames = args.frames ?? [];
  assert.equal(frames[0]?.functionName, 'crunchReport', JSON.stringify(args));
  assert.match(frames[0]!.url, /app\.js$/);
  assert.equal(frames[0]!.lineNumber, 2);
  assert.ok(frames[0]!.columnNumber > 1);
  // Called from the server's request handler; the probe's own frame is not among them.
  assert.ok(frames.some((f) => /app\.js$/.test(f.url) && f.lineNumber === 3), JSON.stringify(frames));
  assert.ok(frames.every((f) => !f.url.includes('loop-probe') && f.functionName !== 'nfrLoopProbe'), JSON.stringify(frames));
  assert.equal(args.ongoing, undefined);
  assert.ok(args.framesAtMs !== undefined && args.framesAtMs >= 0 && args.framesAtMs * 1000 <= event.dur!, JSON.stringify(args));
});

test('a working program\'s first block gets its stack too (the watchdog looks slowly while the loop works)', async () => {
  const handler = `if (req.url === '/work') crunchReport(5); if (req.url === '/long') crunchReport(600); res.end('ok');`;
  const app = start({ 'app.js': serverScript(handler, CRUNCH) }, 'app.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  // Small requests keep the loop working (no block: 5 ms each); the loop's tick says so.
  for (let i = 0; i < 40; i++) assert.equal(await get(port, '/work'), 200);
  await new Promise((r) => setTimeout(r, 300)); // the message is on its way to the watchdog
  assert.equal(await get(port, '/long'), 200);
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'after the first block' }, 10_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const events = readSnapshot(answer.path).traceEvents;
  assert.equal(blocksOf(events).filter((b) => b.event.dur! >= 250_000).length, 1, 'one long block: the program\'s first');
  const { args } = longest(events);
  assert.equal(args.frames?.[0]?.functionName, 'crunchReport', JSON.stringify(args));
  assert.equal(args.frames?.[0]?.lineNumber, 2);
});

test('an idle server\'s first request that blocks gets its stack (the request tells the watchdog to look)', async () => {
  const handler = `if (req.url === '/long') crunchReport(${IDLE_FIRST_BLOCK_MS}); res.end('ok');`;
  const app = start({ 'app.js': serverScript(handler, CRUNCH) }, 'app.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  // Nothing happens for a while: the loop's tick finds no work and tells the watchdog nothing.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await get(port, '/long'), 200);
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'after an idle server\'s first block' }, 10_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const events = readSnapshot(answer.path).traceEvents;
  const blocks = blocksOf(events).filter((b) => b.event.dur! >= (IDLE_FIRST_BLOCK_MS - 20) * 1000);
  assert.equal(blocks.length, 1, JSON.stringify(blocksOf(events).map((b) => b.event.dur)));
  assert.equal(blocks[0]!.args.frames?.[0]?.functionName, 'crunchReport', JSON.stringify(blocks[0]!.args));
  assert.equal(blocks[0]!.args.frames?.[0]?.lineNumber, 2);
});

test('an idle program\'s timer job that blocks over a second gets its stack (the watchdog looks once a second)', async () => {
  const job = `setTimeout(() => { crunchReport(1600); console.log('JOB DONE'); }, 1500);`;
  const app = start({ 'app.js': serverScript(`res.end('ok');`, `${CRUNCH}\n${job}`) }, 'app.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  await waitFor('the job', () => app.stdout().includes('JOB DONE'), 15_000);
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'after the job' }, 10_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const blocks = blocksOf(readSnapshot(answer.path).traceEvents).filter((b) => b.event.dur! >= 1_500_000);
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.args.frames?.[0]?.functionName, 'crunchReport', JSON.stringify(blocks[0]!.args));
});

test('a worker thread\'s blocks get their stacks: a long one while nothing is under way, and the next one after it', async () => {
  // The worker blocks its own loop 1.6 s (the watchdog's look a second finds it), then, armed by
  // that block (the worker says so on its lane), 400 ms in another function; the main thread idles.
  const app = start({
    'app.js': `const { Worker, isMainThread, parentPort } = require('node:worker_threads');
function crunchInWorker(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x; }
function resizeImages(ms) { return crunchInWorker(ms); }
if (isMainThread) {
  new Worker(__filename).on('message', (m) => console.log(m));
  setInterval(() => {}, 1000);
} else {
  setInterval(() => {}, 1000);
  setTimeout(() => { crunchInWorker(1600); setTimeout(() => { resizeImages(400); parentPort.postMessage('WORKER DONE'); }, 300); }, 1500);
}
`,
  }, 'app.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  await waitFor('the worker\'s blocks', () => app.stdout().includes('WORKER DONE'), 15_000);
  await new Promise((r) => setTimeout(r, 200)); // the worker's tick reports its last block
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'after the worker\'s blocks' }, 10_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const events = readSnapshot(answer.path).traceEvents;
  const workerBlocks = events
    .filter((e) => e.name === EventNames.loopBlock && e.ph === 'X' && e.tid !== 0 && e.dur! >= 350_000)
    .sort((a, b) => a.ts - b.ts)
    .map((e) => e.args as unknown as LoopBlockArgs);
  assert.equal(workerBlocks.length, 2, JSON.stringify(workerBlocks));
  assert.equal(workerBlocks[0]!.frames?.[0]?.functionName, 'crunchInWorker', JSON.stringify(workerBlocks[0]));
  assert.equal(workerBlocks[0]!.frames?.[0]?.lineNumber, 2);
  const second = workerBlocks[1]!.frames ?? [];
  assert.equal(second[0]?.functionName, 'crunchInWorker', JSON.stringify(workerBlocks[1]));
  assert.equal(second[1]?.functionName, 'resizeImages', 'called from resizeImages');
  assert.ok(blocksOf(events).every((b) => b.args.frames === undefined), 'the idle main thread\'s blocks, if any, take no worker\'s stack');
});

test('a worker stuck when the snapshot is taken shows its block under way and where it spins; a terminated one is named ended, not stuck', async () => {
  const app = start({
    'app.js': `const { Worker, isMainThread, workerData } = require('node:worker_threads');
function spinInWorker() { let x = 0; for (;;) x += Math.sqrt(x + 1); }
if (isMainThread) {
  const ended = new Worker(__filename, { workerData: 'ended' });
  new Worker(__filename, { workerData: 'stuck' });
  setTimeout(() => ended.terminate().then(() => console.log('TERMINATED')), 500);
  setInterval(() => {}, 1000);
} else {
  setInterval(() => {}, 1000);
  if (workerData === 'stuck') setTimeout(spinInWorker, 700);
}
`,
  }, 'app.js');
  const entry = await waitForEntry(app.registry, app.child.pid!);
  await waitFor('the terminated worker', () => app.stdout().includes('TERMINATED'), 15_000);
  await new Promise((r) => setTimeout(r, 1200)); // the other worker spins for ~1 s by now
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'a stuck worker' }, 10_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const snapshot = readSnapshot(answer.path);
  const threads = (snapshot.metadata.recorder?.threads ?? []) as { tid: number; name: string }[];
  const ended = threads.find((t) => t.name.endsWith('(exited)'));
  assert.ok(ended, `the terminated worker's lane says it ended: ${JSON.stringify(threads)}`);
  const underWay = snapshot.traceEvents.filter((e) => e.name === EventNames.loopBlock && (e.args as unknown as LoopBlockArgs | undefined)?.ongoing === true);
  assert.equal(underWay.length, 1, JSON.stringify(underWay));
  assert.notEqual(underWay[0]!.tid, 0);
  assert.notEqual(underWay[0]!.tid, ended.tid);
  assert.ok(underWay[0]!.dur! >= 700_000, `under way ${underWay[0]!.dur} µs`);
  assert.equal((underWay[0]!.args as unknown as LoopBlockArgs).frames?.[0]?.functionName, 'spinInWorker');
  app.child.kill('SIGKILL');
});

test('a slow request\'s rule snapshot, taken as the request ends, holds the block that made it slow and where it was', async () => {
  // The rule fires inside the callback that blocked, before the loop's tick could report the
  // block: the snapshot reports it first (EventSource.flush).
  const handler = `if (req.url === '/long') crunchReport(300); res.end('ok');`;
  const app = start({ 'app.js': serverScript(handler, CRUNCH) }, 'app.js', { config: { triggers: { slowRequestMs: 200 } } });
  await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await get(port, '/long'), 200);
  const file = await waitFor('the rule\'s snapshot', () => snapshotFiles(app.out)[0]);
  const snapshot = readSnapshot(file);
  assert.equal(snapshot.metadata.trigger.rule, 'slowRequestMs');
  const blocks = blocksOf(snapshot.traceEvents).filter((b) => b.event.dur! >= 280_000);
  assert.equal(blocks.length, 1, JSON.stringify(blocksOf(snapshot.traceEvents).map((b) => b.event.dur)));
  assert.ok(blocks[0]!.event.ts + blocks[0]!.event.dur! <= snapshot.metadata.trigger.ts + 1000, 'the block ended as the rule fired');
  assert.equal(blocks[0]!.args.frames?.[0]?.functionName, 'crunchReport', JSON.stringify(blocks[0]!.args));
});

test('loopBlockStacks: false leaves the block without frames', async () => {
  const app = start({ 'app.js': serverScript(HANDLER, CRUNCH) }, 'app.js', { config: { loopBlockStacks: false } });
  const entry = await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  await blockTwice(port);
  const answer = await request(entry.socket, { id: 1, type: 'snapshot', reason: 'after the block' }, 10_000);
  assert.ok(answer.ok && answer.type === 'snapshot', JSON.stringify(answer));
  const { args } = longest(readSnapshot(answer.path).traceEvents);
  assert.equal(args.frames, undefined, JSON.stringify(args));
});

test('a program that blocks and then dies: the snapshot written at exit has the block and where it was spent', async () => {
  // The block is requested over HTTP once the watchdog is up; the program throws just after.
  const app = start(
    { 'app.js': serverScript(`${HANDLER} if (req.url === '/report') setTimeout(() => { throw new Error('after the block'); }, 100);`, CRUNCH) },
    'app.js',
  );
  await waitForEntry(app.registry, app.child.pid!);
  const port = await portOf(app);
  await blockTwice(port);
  const exit = await app.exited;
  assert.notEqual(exit.code, 0);
  const files = await waitFor('the exit snapshot', () => snapshotFiles(app.out).find((f) => f.includes('uncaught')));
  const { args } = longest(readSnapshot(files).traceEvents);
  assert.equal(args.frames?.[0]?.functionName, 'crunchReport', JSON.stringify(args));
});
