#!/usr/bin/env node
// Writes the results table of docs/benchmarks.md (between its RESULTS markers) from a
// results JSON of `npm run bench`.
//   node test/bench/report.mjs [.tmp/bench/results-full.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/env.mjs';

const resultsPath = process.argv[2] ?? join(repoRoot, '.tmp', 'bench', 'results-full.json');
const docPath = join(repoRoot, 'docs', 'benchmarks.md');
const report = JSON.parse(readFileSync(resultsPath, 'utf8'));

const verdict = (row) =>
  row.skipped ? `skipped: ${row.skipped}` : row.error ? `error: ${row.error.split('\n')[0]}` : row.pass === true ? 'meets' : row.pass === false ? '**misses**' : 'measured';
const cell = (text) => String(text).replaceAll('|', '\\|');

const lines = [];
const m = report.machine;
lines.push(`Last ${report.settings.mode} run: ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC — ${m.nproc} cores (${m.cpuModel}), ` +
  `${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${report.loadAverageAtEnd.join(' / ')}` +
  (report.recorderBuild ? `; recorder build ${report.recorderBuild.sha256} (${report.recorderBuild.bytes} bytes, ${report.recorderBuild.builtAt.slice(0, 16).replace('T', ' ')})` : '') + '.');
lines.push('');
lines.push('| benchmark | target | result (median, min–max) | verdict |');
lines.push('|---|---|---|---|');
for (const row of report.results) {
  lines.push(`| \`${row.id}\` ${cell(row.title)} | ${cell(row.target)} | ${cell(row.headline ?? '')} | ${cell(verdict(row))} |`);
}
lines.push('');
lines.push(`Reproduce: \`npm run build && npm run bench\` (this table: \`node test/bench/report.mjs\`). Every sample is in \`${resultsPath.replace(repoRoot, '')}\`.`);

const doc = readFileSync(docPath, 'utf8');
const begin = '<!-- RESULTS:BEGIN -->';
const end = '<!-- RESULTS:END -->';
const from = doc.indexOf(begin);
const to = doc.indexOf(end);
if (from < 0 || to < 0) throw new Error(`${docPath} has no ${begin} … ${end} section`);
writeFileSync(docPath, `${doc.slice(0, from + begin.length)}\n${lines.join('\n')}\n${doc.slice(to)}`);
console.log(`updated ${docPath} from ${resultsPath}`);
