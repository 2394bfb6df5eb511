#!/usr/bin/env node
// Writes the results table of docs/benchmarks.md (between its RESULTS markers) from a
// results JSON of `npm run bench`.
//   node test/bench/report.mjs [results.json ...]   (default .tmp/bench/results-full.json)
// With several files, rows of later files replace rows of earlier ones with the same id (a
// benchmark rerun alone with --only), and are added when new (after the last row of their
// family: `attribution-spread` after the other `attribution` rows).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/env.mjs';

const resultsPaths = process.argv.length > 2 ? process.argv.slice(2) : [join(repoRoot, '.tmp', 'bench', 'results-full.json')];
const resultsPath = resultsPaths.join(', ');
const docPath = join(repoRoot, 'docs', 'benchmarks.md');
const reports = resultsPaths.map((path) => JSON.parse(readFileSync(path, 'utf8')));
const report = reports[0];
for (const later of reports.slice(1)) {
  for (const row of later.results) {
    const index = report.results.findIndex((existing) => existing.id === row.id);
    const marked = { ...row, headline: `${row.headline ?? ''} (run of ${later.startedAt.slice(11, 16)} UTC)` };
    if (index >= 0) report.results[index] = marked;
    else {
      const family = row.id.split('-')[0];
      const last = report.results.findLastIndex((existing) => existing.id.split('-')[0] === family);
      report.results.splice(last >= 0 ? last + 1 : report.results.length, 0, marked);
    }
  }
}

const verdict = (row) =>
  row.skipped ? `skipped: ${row.skipped}` : row.error ? `error: ${row.error.split('\n')[0]}` : row.unresolved ? `**not resolved** (${row.unresolved})` : row.pass === true ? 'meets' : row.pass === false ? '**misses**' : 'measured';
const cell = (text) => String(text).replaceAll('|', '\\|');

const lines = [];
const m = report.machine;
const buildText = (r) => (r.recorderBuild ? `recorder build ${r.recorderBuild.sha256} (${r.recorderBuild.bytes} bytes, built ${r.recorderBuild.builtAt.slice(11, 16)} UTC)` : 'recorder build unknown');
lines.push(`Last ${report.settings.mode} run: ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC — ${m.nproc} cores (${m.cpuModel}), ` +
  `${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${report.loadAverageAtEnd.join(' / ')}` +
  `; ${buildText(report)}` +
  (reports.length > 1 ? `. Rows marked "run of HH:MM" come from later runs of those benchmarks alone: ${reports.slice(1).map((r) => `${r.startedAt.slice(11, 16)} UTC with ${buildText(r)}`).join('; ')}` : '') + '.');
lines.push('');
lines.push('| benchmark | target | result (median, min–max) | verdict |');
lines.push('|---|---|---|---|');
for (const row of report.results) {
  lines.push(`| \`${row.id}\` ${cell(row.title)} | ${cell(row.target)} | ${cell(row.headline ?? '')} | ${cell(verdict(row))} |`);
}
lines.push('');
lines.push(`Reproduce: \`npm run build && npm run bench\` (this table: \`node test/bench/report.mjs\`). Every sample is in \`${resultsPath.replaceAll(repoRoot, '')}\`.`);

const doc = readFileSync(docPath, 'utf8');
const begin = '<!-- RESULTS:BEGIN -->';
const end = '<!-- RESULTS:END -->';
const from = doc.indexOf(begin);
const to = doc.indexOf(end);
if (from < 0 || to < 0) throw new Error(`${docPath} has no ${begin} … ${end} section`);
writeFileSync(docPath, `${doc.slice(0, from + begin.length)}\n${lines.join('\n')}\n${doc.slice(to)}`);
console.log(`updated ${docPath} from ${resultsPath}`);
