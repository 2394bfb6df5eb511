#!/usr/bin/env node
// The main job, end to end: build, record a demo service, send it traffic (including a slow
// request, fetches, an allocation burst and a failure), take a snapshot, print its summary,
// then open the timeline (served on 127.0.0.1 by `flight-recorder view`; Ctrl-C to stop).
//   npm run demo               everything, ending in the timeline server
//   npm run demo -- --no-view  stop after the summary (prints the snapshot path)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, '.flight-recorder');
const cli = join(root, 'dist', 'cli.js');
const view = !process.argv.includes('--no-view');
const deadlineMs = 30_000;

function step(text) {
  console.log(`\n▶ ${text}`);
}

function cliSync(args) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: deadlineMs });
  if (result.status !== 0) throw new Error(`flight-recorder ${args.join(' ')} failed (${result.status}): ${result.stderr || result.error}`);
  return result.stdout;
}

async function waitFor(what, probe) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main() {
  step('Building');
  if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  mkdirSync(outDir, { recursive: true });

  step('Starting examples/demo-server.js under the recorder');
  // Each request carries an x-request-id, recorded on its span: what finds it in the logs.
  const server = spawn(process.execPath, [cli, 'run', '--out', outDir, '--record-header', 'x-request-id', '--', process.execPath, join(root, 'examples', 'demo-server.js')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  server.stdout.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  const stop = () => server.exitCode === null && server.kill('SIGTERM');
  process.on('exit', stop);
  try {
    const port = await waitFor('the demo server', () => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const base = `http://127.0.0.1:${port}`;

    step('Sending traffic: 30 fast requests, a 300 ms report, 3 aggregations (fetch), 2 imports (GC), 1 failure');
    let requestId = 0;
    const get = (path) => fetch(base + path, { headers: { 'x-request-id': `demo-${++requestId}` } }).then((response) => response.text());
    for (let i = 0; i < 30; i++) await get(`/hello?token=demo-secret-${i}`);
    await Promise.all([get('/report?ms=300'), get('/hello?token=during-block')]);
    for (let i = 0; i < 3; i++) await get('/aggregate');
    for (let i = 0; i < 2; i++) await get('/import');
    await get('/fail');

    step('Taking a snapshot');
    const entries = JSON.parse(cliSync(['list', '--json']));
    const list = Array.isArray(entries) ? entries : entries.processes ?? [];
    const demo = list.find((entry) => (entry.argv ?? []).some((arg) => String(arg).endsWith('demo-server.js')));
    if (!demo) throw new Error('the demo server is not in `flight-recorder list`');
    const file = cliSync(['snapshot', String(demo.pid), '--reason', 'demo', '--out', outDir]).trim().split('\n').pop();
    console.log(file);

    step('Summary');
    process.stdout.write(cliSync(['summary', file]));

    stop();
    if (!view) return;
    step('Opening the timeline (Ctrl-C to stop)');
    console.log(`In VS Code with the extension installed, open ${file} for the same timeline next to your code.`);
    spawnSync(process.execPath, [cli, 'view', file], { stdio: 'inherit' });
  } finally {
    stop();
  }
}

main().catch((error) => {
  console.error(`demo: ${error.message}`);
  process.exitCode = 1;
});
