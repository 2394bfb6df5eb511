#!/usr/bin/env node
// The whole test suite, in stages, ending with one line `N passed, N failed`.
//   npm test                      everything (lint, build, unit, golden, integration,
//                                 reliability, browser, VS Code end-to-end)
//   npm test -- unit golden       only the named stages
//   npm test -- --skip e2e        all but the named stages
// Stages that need Chromium or code-server install them first (idempotently, into git-ignored
// folders) through scripts/setup-*.sh.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const resultsDir = join(root, '.tmp', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

/** Test files of a folder, recursively: `*.test.ts` / `*.test.mjs`. */
function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (/\.test\.(ts|mjs|js)$/.test(name)) found.push(relative(root, path));
  }
  return found;
}

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

/** Runs node's test runner on files: spec to the terminal, TAP to a file we count. */
function nodeTests(stage, files, extraArgs = []) {
  if (files.length === 0) return { passed: 0, failed: 0, note: 'no test files' };
  const tap = join(resultsDir, `${stage}.tap`);
  const status = run(process.execPath, [
    '--import', 'tsx', '--test', ...extraArgs,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  if (status !== 0 && failed === 0) failed = 1; // the runner itself failed
  return { passed, failed };
}

function step(name, command, args, env) {
  const status = run(command, args, env);
  return status === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, note: `${name} exited ${status}` };
}

/** Stages that count results from a JSON file `{ passed, failed }` written by their harness. */
function harness(stage, script, env) {
  const out = join(resultsDir, `${stage}.json`);
  const status = run(process.execPath, [script, '--results', out], env);
  if (!existsSync(out)) return { passed: 0, failed: 1, note: `${stage} harness wrote no results (exit ${status})` };
  const { passed, failed } = JSON.parse(readFileSync(out, 'utf8'));
  return { passed, failed: status !== 0 && failed === 0 ? failed + 1 : failed };
}

const stages = {
  build: () => step('build', 'npm', ['run', '--silent', 'build']),
  lint: () => step('lint', 'npm', ['run', '--silent', 'lint']),
  unit: () => nodeTests('unit', testFiles('test/unit')),
  golden: () => nodeTests('golden', testFiles('test/golden')),
  integration: () => nodeTests('integration', testFiles('test/integration')),
  reliability: () => nodeTests('reliability', testFiles('test/reliability')),
  browser: () => {
    if (testFiles('test/browser').length === 0) return { passed: 0, failed: 0, note: 'no test files' };
    const setup = run('bash', ['scripts/setup-chromium.sh']);
    if (setup !== 0) return { passed: 0, failed: 1, note: 'Chromium could not be installed' };
    return nodeTests('browser', testFiles('test/browser'));
  },
  e2e: () => {
    if (!existsSync('test/e2e/run-code-server.mjs')) return { passed: 0, failed: 0, note: 'no e2e harness' };
    const setup = run('bash', ['scripts/setup-e2e.sh']);
    if (setup !== 0) return { passed: 0, failed: 1, note: 'code-server could not be installed' };
    return harness('e2e', 'test/e2e/run-code-server.mjs');
  },
};

const argv = process.argv.slice(2);
const skipIndex = argv.indexOf('--skip');
const skipped = skipIndex >= 0 ? argv.slice(skipIndex + 1) : [];
const named = (skipIndex >= 0 ? argv.slice(0, skipIndex) : argv).filter((a) => a in stages);
const selected = (named.length ? named : Object.keys(stages)).filter((s) => !skipped.includes(s));
if (!selected.includes('build') && !existsSync('dist/recorder.js')) selected.unshift('build');

let passed = 0;
let failed = 0;
const lines = [];
for (const stage of selected) {
  console.log(`\n=== ${stage} ===`);
  const started = Date.now();
  const result = stages[stage]();
  passed += result.passed;
  failed += result.failed;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  lines.push(`${stage.padEnd(12)} ${String(result.passed).padStart(4)} passed ${String(result.failed).padStart(3)} failed  ${seconds}s${result.note ? `  (${result.note})` : ''}`);
  // Nothing after a broken build can be trusted.
  if (stage === 'build' && result.failed) break;
}
console.log('\n=== summary ===');
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
