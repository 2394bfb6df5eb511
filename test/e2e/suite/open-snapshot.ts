// Open Snapshot: other formats (a .cpuprofile) open in the timeline too; a corrupt file shows a
// clear error in the editor instead of a timeline.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { assert, test, waitFor } from '../lib/framework';
import { closeAllEditors, workspacePath } from '../lib/extension';
import { ui } from '../lib/ui';
import { serializeSnapshot } from '../../../src/format/write';
import { makeLargeSnapshot } from '../../browser/fixture-trace';

function timelineTabFor(file: string): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputCustom && tab.input.viewType === 'flightRecorder.timeline' && tab.input.uri.fsPath === file) return tab;
    }
  }
  return undefined;
}

/** A V8 CPU profile: main → work (hot) on a 1 ms sample grid. */
function cpuProfile(): object {
  const frame = (functionName: string, lineNumber: number) => ({ functionName, scriptId: '1', url: 'file:///app/work.js', lineNumber, columnNumber: 0 });
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (let i = 0; i < 400; i++) {
    samples.push(i % 4 === 0 ? 2 : 3);
    timeDeltas.push(1000);
  }
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)', -1), hitCount: 0, children: [2] },
      { id: 2, callFrame: frame('main', 0), hitCount: 100, children: [3] },
      { id: 3, callFrame: frame('work', 9), hitCount: 300, children: [] },
    ],
    startTime: 1_000_000,
    endTime: 1_400_000,
    samples,
    timeDeltas,
  };
}

test('Open Snapshot opens a .cpuprofile in the timeline', async () => {
  await closeAllEditors();
  const file = workspacePath('sample.cpuprofile');
  fs.writeFileSync(file, JSON.stringify(cpuProfile()));
  await vscode.commands.executeCommand('flightRecorder.openSnapshot', vscode.Uri.file(file));
  await waitFor('a timeline tab for the profile', () => timelineTabFor(file), 20_000);
  if (!ui.available) return;
  await waitFor('a painted canvas', async () => (await ui.canvases('customEditor')).some((c) => c.paintedPixels > 100), 30_000).catch(async (error: Error) => {
    throw new Error(`${error.message}; iframes: ${JSON.stringify(await ui.frames())}`);
  });
  const probe = await ui.cspProbe('customEditor');
  assert(!probe.inlineRan, 'an inline script without the nonce does not run in the timeline');
  assert(!probe.evalRan, 'eval is refused');
  assert(probe.violations.includes('script-src-elem') || probe.violations.includes('script-src'), `the inline script is reported as a CSP violation (${probe.violations.join(', ')})`);
  assert(probe.violations.includes('img-src'), `a cross-origin image is refused (${probe.violations.join(', ')})`);
}, { timeoutMs: 60_000 });

test('a corrupt snapshot shows a clear error, not a crash', async () => {
  await closeAllEditors();
  const file = workspacePath('.flight-recorder', 'broken-1-20250101T000000Z-manual.nodetrace.json');
  fs.mkdirSync(workspacePath('.flight-recorder'), { recursive: true });
  fs.writeFileSync(file, '{"traceEvents": [ {"name": "truncated", "ph": "X", "ts": 1');
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
  await waitFor('a timeline tab for the broken file', () => timelineTabFor(file), 20_000);
  if (!ui.available) return;
  const text = await waitFor('an error message in the webview', async () => {
    const texts = await ui.frameTexts('customEditor', 'body');
    return texts.find((t) => /error|invalid|truncated|could not|cannot|unexpected/i.test(t));
  }, 20_000);
  assert(text.length > 0, 'an error is shown');
  fs.rmSync(file, { force: true });
}, { timeoutMs: 45_000 });

test('while the extension reads a large snapshot, the timeline\'s loading screen says how far it is', async () => {
  await closeAllEditors();
  const file = workspacePath('.flight-recorder', 'large-9-20250101T000000Z-manual.nodetrace.json');
  fs.mkdirSync(workspacePath('.flight-recorder'), { recursive: true });
  // ~130 MB: read by the extension's summary workers for a second or more here.
  fs.writeFileSync(file, serializeSnapshot(makeLargeSnapshot(700_000)));
  try {
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    await waitFor('a timeline tab for the large file', () => timelineTabFor(file), 20_000);
    if (!ui.available) return;
    // The loading screen's texts as often as the bridge answers, until the timeline is drawn
    // (for the failure message: the bridge may be too slow to see every one).
    const texts: string[] = [];
    await waitFor('the timeline drawn', async () => {
      const shown = await ui.frameTexts('customEditor', '.nfr-loading p');
      for (const text of shown) if (texts[texts.length - 1] !== text) texts.push(text);
      return shown.length === 0 && (await ui.canvases('customEditor')).some((c) => c.paintedPixels > 100);
    }, 60_000, 10);
    // What the loading screen said last, which the viewer keeps on its root: while reading
    // ("Reading the snapshot… 45 % of 130 MB") or once read ("Read 130 MB — laying out the timeline…").
    const [said] = await ui.frameAttribute('customEditor', '#nfr-root', 'data-load-progress');
    assert(said !== undefined && said !== null && /^(Reading the snapshot… \d+ % of \d+ MB|Read \d+ MB — laying out the timeline…)$/.test(said), `the loading screen said how far the extension had read (last progress: ${String(said)}; texts seen: ${texts.join(' | ')})`);
  } finally {
    await closeAllEditors();
    fs.rmSync(file, { force: true });
  }
}, { timeoutMs: 120_000 });
