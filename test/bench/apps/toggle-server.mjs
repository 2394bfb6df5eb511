// The node:http benchmark server with the recorder switched on and off in the same process
// (library API: new FlightRecorder(options).start() / stop()), alternating every `phaseMs`.
// After each switch it lets `SETTLE_MS` pass (the switch itself — worker start, sources
// installed, JIT re-adapting — is a one-off, not a per-request cost), then measures for
// `phaseMs` and prints `PHASE {json}`: on/off, requests finished, and the main thread's on-CPU
// time from /proc/self/task/<pid>/schedstat (ns). Alternating every second inside one
// process puts whatever else the machine does on both sides equally: the cross-check of the
// interleaved A/B for a busy machine.
// Usage: node toggle-server.mjs <recorder path> <phaseMs> '<options json>'
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { announce, handle } from './work.mjs';

const [recorderPath, phaseText, optionsJson] = process.argv.slice(2);
const { FlightRecorder } = createRequire(import.meta.url)(recorderPath);
const phaseMs = Number(phaseText) || 1000;
const options = JSON.parse(optionsJson || '{}');
const mainThreadCpuNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);

let finished = 0;
const server = createServer((req, res) => {
  handle(req.url).then((body) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    finished++;
  });
});

const SETTLE_MS = 300;
let recorder = null;
function switchTo(on) {
  if (on && !recorder) {
    recorder = new FlightRecorder(options);
    recorder.start();
  } else if (!on && recorder) {
    recorder.stop();
    recorder = null;
  }
}
function measurePhase(on, done) {
  const started = { finished, cpuNs: mainThreadCpuNs(), ms: performance.now() };
  setTimeout(() => {
    const cpuNs = mainThreadCpuNs() - started.cpuNs;
    const requests = finished - started.finished;
    process.stdout.write(`PHASE ${JSON.stringify({ on, requests, cpuNs, ms: performance.now() - started.ms })}\n`);
    done();
  }, phaseMs);
}

let phaseIndex = 0;
function nextPhase() {
  // off, on, on, off, off, on, on, ...: each side follows each side equally often.
  const on = Math.floor((phaseIndex + 1) / 2) % 2 === 1;
  phaseIndex++;
  switchTo(on);
  setTimeout(() => measurePhase(on, nextPhase), SETTLE_MS);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  if (text.includes('GO')) nextPhase();
});
server.listen(0, '127.0.0.1', () => announce(server.address().port));
process.on('SIGTERM', () => {
  recorder?.stop();
  server.close(() => process.exit(0)).closeAllConnections();
});
