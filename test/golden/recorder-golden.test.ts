// Golden tests: small programs run under the recorder; the core's events of their snapshot
// (user annotations, process, trigger, thread metadata), stabilised (times, pids, paths
// removed), compared with checked-in text. On a mismatch `<name>.actual.txt` is written next
// to the expectation; UPDATE_GOLDEN=1 rewrites the expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Snapshot } from '../../src/format/snapshot';

const RECORDER = resolve(__dirname, '../../dist/recorder.js');
const HERE = join(__dirname, 'recorder');
const CORE_CATEGORIES = new Set(['user', 'process', 'trigger']);

function stabilise(snapshot: Snapshot): string {
  const lines: string[] = [];
  const m = snapshot.metadata;
  lines.push(`trigger: source=${m.trigger.source} reason=${m.trigger.reason} value=${m.trigger.value ?? '-'}`);
  lines.push(`program: ${m.programName} platform=${m.platform === process.platform} node=${m.nodeVersion === process.version}`);
  lines.push(`window ordered: ${m.window.startTs <= m.window.endTs}; droppedEvents: ${m.droppedEvents}`);
  const events = snapshot.traceEvents.filter((e) => e.ph === 'M' ? e.name === 'thread_name' || e.name === 'process_name' : CORE_CATEGORIES.has(e.cat ?? ''));
  let previousTs = -Infinity;
  for (const event of events) {
    const args = event.args ? JSON.stringify(event.args, (key, value) => (key === 'ppid' || key === 'name' && typeof value === 'string' && /\(\d+\)$/.test(value) ? '<x>' : value)) : '';
    const ordered = event.ph === 'M' || event.ts >= previousTs ? '' : ' (out of order)';
    if (event.ph !== 'M') previousTs = event.ts;
    lines.push(`${event.ph} ${event.cat ?? '-'} ${event.name}${event.dur !== undefined ? ' dur>0=' + (event.dur > 0) : ''}${event.id !== undefined ? ' id=' + event.id : ''} tid=${event.tid} ${args}${ordered}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

for (const program of readdirSync(HERE).filter((name) => name.endsWith('.js'))) {
  test(`golden: ${program}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfr-golden-'));
    try {
      const out = join(dir, 'out');
      const result = spawnSync(process.execPath, ['--require', RECORDER, join(HERE, program)], {
        cwd: dir, encoding: 'utf8', timeout: 30_000,
        env: { ...process.env, NODE_OPTIONS: '', RECORDER_PATH: RECORDER, FLIGHT_RECORDER: JSON.stringify({ out }), FLIGHT_RECORDER_REGISTRY: join(dir, 'registry') },
      });
      assert.equal(result.stderr, '');
      const files = existsSync(out) ? readdirSync(out) : [];
      assert.equal(files.length, 1, `one snapshot expected, got ${files.join(', ')}`);
      const actual = stabilise(JSON.parse(readFileSync(join(out, files[0]!), 'utf8')) as Snapshot);
      const expectedPath = join(HERE, program.replace(/\.js$/, '.txt'));
      const actualPath = join(HERE, program.replace(/\.js$/, '.actual.txt'));
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, actual);
      assert.ok(existsSync(expectedPath), `${expectedPath} missing: run with UPDATE_GOLDEN=1 once and check it in`);
      const expected = readFileSync(expectedPath, 'utf8');
      if (actual !== expected) writeFileSync(actualPath, actual);
      else rmSync(actualPath, { force: true });
      assert.equal(actual, expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
