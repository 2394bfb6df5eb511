// Inline trace: for the active snapshot (the timeline tab in front, else the last one captured),
// the editor shows where time went — lines where the event loop was blocked, where the slowest
// requests spent their CPU, where CPU samples landed — as line decorations with hover details,
// and one CodeLens per function ("3 blocks, 410 ms; 12 % CPU"). Locations in compiled files are
// mapped to their original sources through source maps. `flightRecorder.toggleInlineTrace`
// hides/shows them; the `flightRecorder.inlineTrace` setting turns the feature off.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { framePath } from '../timeline/reveal';
import { mapToOriginal } from '../timeline/source-map';
import { functionLenses, lensText, type InlineItem, type InlineKind } from './inline-model';
import { inlineItemsOf } from './inline-items';

const TIMELINE_VIEW_TYPE = 'flightRecorder.timeline';
const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;
const SYMBOL_KINDS = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor]);

/** Items of the active snapshot, by absolute file path (after source maps). */
type ItemsByFile = Map<string, InlineItem[]>;

const KIND_LABEL: Record<InlineKind, string> = { block: 'blocked', span: 'slow request', cpu: 'CPU' };

function decorationType(kind: InlineKind): vscode.TextEditorDecorationType {
  const color = kind === 'block' ? 'editorError.foreground' : kind === 'span' ? 'editorWarning.foreground' : 'editorInfo.foreground';
  return vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    after: { color: new vscode.ThemeColor(color), margin: '0 0 0 2em', fontStyle: 'italic' },
    overviewRulerColor: new vscode.ThemeColor(color),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
}

function afterText(items: InlineItem[]): string {
  const parts = items.slice(0, 3).map((item) => (item.kind === 'cpu' ? `${item.percent} % CPU` : item.kind === 'block' ? `blocked ${item.durationMs} ms` : `${item.title}`));
  return `⏱ ${parts.join(' · ')}${items.length > 3 ? ` · +${items.length - 3}` : ''}`;
}

export class InlineTrace implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly types = new Map<InlineKind, vscode.TextEditorDecorationType>(
    (['block', 'span', 'cpu'] as InlineKind[]).map((kind) => [kind, decorationType(kind)]),
  );
  private items: ItemsByFile = new Map();
  private snapshotPath: string | undefined;
  private hidden = false;
  private loading = 0;
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;

  constructor(private readonly services: ExtensionServices) {
    this.disposables.push(
      this.lensEmitter,
      ...this.types.values(),
      vscode.commands.registerCommand('flightRecorder.toggleInlineTrace', () => this.toggle()),
      // Not in the palette: what the inline trace shows, for tests and bug reports.
      vscode.commands.registerCommand('flightRecorder.inlineTraceState', () => this.describe()),
      services.onDidCaptureSnapshot((snapshot) => void this.follow(snapshot.path)),
      vscode.window.tabGroups.onDidChangeTabs(() => this.followActiveTab()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.followActiveTab()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('flightRecorder.inlineTrace')) this.render();
      }),
      vscode.languages.registerCodeLensProvider(
        ['javascript', 'typescript', 'javascriptreact', 'typescriptreact'].map((language) => ({ language, scheme: 'file' })),
        this,
      ),
    );
    this.followActiveTab();
  }

  /** The snapshot followed and the lines annotated in each file (1-based), as plain JSON. */
  describe(): { snapshotPath: string | undefined; visible: boolean; files: Record<string, Array<{ kind: InlineKind; lineNumber: number; title: string }>> } {
    const files: Record<string, Array<{ kind: InlineKind; lineNumber: number; title: string }>> = {};
    for (const [file, items] of this.items) files[file] = items.map(({ kind, lineNumber, title }) => ({ kind, lineNumber, title }));
    return { snapshotPath: this.snapshotPath, visible: this.visible, files };
  }

  private get visible(): boolean {
    return !this.hidden && vscode.workspace.getConfiguration('flightRecorder').get<boolean>('inlineTrace', true);
  }

  private toggle(): void {
    if (!vscode.workspace.getConfiguration('flightRecorder').get<boolean>('inlineTrace', true)) {
      void vscode.window.showInformationMessage('Flight Recorder: the inline trace is turned off in the settings (flightRecorder.inlineTrace).');
      return;
    }
    this.hidden = !this.hidden;
    void vscode.window.setStatusBarMessage(`Flight Recorder: inline trace ${this.hidden ? 'hidden' : 'shown'}`, 3000);
    this.render();
  }

  private followActiveTab(): void {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.viewType === TIMELINE_VIEW_TYPE) void this.follow(input.uri.fsPath);
  }

  /** Makes `file` the active snapshot: reads, models and maps it, then redraws. */
  async follow(file: string): Promise<void> {
    if (file === this.snapshotPath) return;
    this.snapshotPath = file;
    const ticket = ++this.loading;
    try {
      const stat = await fs.stat(file);
      if (stat.size > MAX_SNAPSHOT_BYTES) throw new Error(`${file} is larger than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MiB`);
      // Parsed and modelled on a worker thread: a large snapshot took seconds of this one.
      const { items, cwd } = await inlineItemsOf(file);
      const byFile = await this.locate(items, cwd);
      if (ticket !== this.loading) return; // a newer snapshot took over
      this.items = byFile;
      this.services.log.info(`inline: ${items.length} annotations in ${byFile.size} files from ${file}`);
      this.render();
    } catch (error) {
      if (ticket !== this.loading) return;
      this.items = new Map();
      this.render();
      this.services.log.warn(`inline: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Trace urls → workspace files, through source maps where a compiled file has one. */
  private async locate(items: readonly InlineItem[], cwd: string | undefined): Promise<ItemsByFile> {
    const baseDirs = [...(cwd ? [cwd] : []), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)];
    const byFile: ItemsByFile = new Map();
    const cache = new Map<string, Promise<{ file: string; lineNumber: number; functionLine?: number } | undefined>>();
    for (const item of items) {
      const key = `${item.url}:${item.lineNumber}:${item.columnNumber}:${item.functionLine ?? ''}`;
      let located = cache.get(key);
      if (!located) {
        located = (async () => {
          const found = framePath(item.url, baseDirs);
          if (!('file' in found)) return undefined;
          const original = await mapToOriginal({ file: found.file, lineNumber: item.lineNumber, columnNumber: Math.max(1, item.columnNumber) });
          if (!original) return { file: found.file, lineNumber: item.lineNumber, functionLine: item.functionLine };
          const fn = item.functionLine ? await mapToOriginal({ file: found.file, lineNumber: item.functionLine, columnNumber: 1 }) : undefined;
          return { file: original.file, lineNumber: original.lineNumber, functionLine: fn && fn.file === original.file ? fn.lineNumber : undefined };
        })();
        cache.set(key, located);
      }
      const where = await located;
      if (!where) continue;
      const list = byFile.get(where.file) ?? [];
      list.push({ ...item, lineNumber: where.lineNumber, functionLine: where.functionLine });
      byFile.set(where.file, list);
    }
    return byFile;
  }

  private render(): void {
    const show = this.visible;
    for (const editor of vscode.window.visibleTextEditors) {
      const items = show ? (this.items.get(editor.document.uri.fsPath) ?? []) : [];
      for (const [kind, type] of this.types) {
        const byLine = new Map<number, InlineItem[]>();
        for (const item of items) {
          if (item.kind !== kind || item.lineNumber < 1 || item.lineNumber > editor.document.lineCount) continue;
          byLine.set(item.lineNumber, [...(byLine.get(item.lineNumber) ?? []), item]);
        }
        const options: vscode.DecorationOptions[] = [];
        for (const [line, lineItems] of byLine) {
          const range = editor.document.lineAt(line - 1).range;
          options.push({ range, hoverMessage: this.hover(lineItems), renderOptions: { after: { contentText: afterText(lineItems) } } });
        }
        editor.setDecorations(type, options);
      }
    }
    this.lensEmitter.fire();
  }

  private hover(items: InlineItem[]): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**Flight Recorder**\n\n');
    for (const item of items) md.appendMarkdown(`- *${KIND_LABEL[item.kind]}* — ${escapeMarkdown(item.title)}${item.functionName ? ` in \`${escapeMarkdown(item.functionName)}\`` : ''}\n`);
    if (this.snapshotPath) md.appendMarkdown(`\nfrom \`${escapeMarkdown(this.snapshotPath.replace(/^.*[\\/]/, ''))}\``);
    return md;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.visible) return [];
    const items = this.items.get(document.uri.fsPath);
    if (!items?.length) return [];
    const functions = await this.functionsOf(document);
    const enclosing = functions.length
      ? (line: number) => {
          let best: { name: string; lineNumber: number; size: number } | undefined;
          for (const f of functions) if (line >= f.start && line <= f.end && (!best || f.end - f.start < best.size)) best = { name: f.name, lineNumber: f.start, size: f.end - f.start };
          return best;
        }
      : undefined;
    const snapshot = this.snapshotPath;
    return functionLenses(items, enclosing)
      .filter((lens) => lens.lineNumber >= 1 && lens.lineNumber <= document.lineCount)
      .map((lens) => {
        const range = document.lineAt(lens.lineNumber - 1).range;
        return new vscode.CodeLens(range, {
          title: `⏱ ${lensText(lens)}`,
          tooltip: `Flight Recorder: ${lens.functionName} in ${snapshot?.replace(/^.*[\\/]/, '') ?? 'the snapshot'} — open the timeline`,
          command: snapshot ? 'vscode.openWith' : '',
          arguments: snapshot ? [vscode.Uri.file(snapshot), TIMELINE_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }] : [],
        });
      });
  }

  /** Function ranges (1-based lines) from the language's document symbols. */
  private async functionsOf(document: vscode.TextDocument): Promise<Array<{ name: string; start: number; end: number }>> {
    try {
      const symbols = (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri)) ?? [];
      const out: Array<{ name: string; start: number; end: number }> = [];
      const walk = (list: vscode.DocumentSymbol[]) => {
        for (const symbol of list) {
          if (!(symbol instanceof Object) || !('range' in symbol)) continue;
          if (SYMBOL_KINDS.has(symbol.kind)) out.push({ name: symbol.name, start: symbol.range.start.line + 1, end: symbol.range.end.line + 1 });
          if (symbol.children?.length) walk(symbol.children);
        }
      };
      walk(symbols);
      return out;
    } catch {
      return [];
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function registerInlineTrace(services: ExtensionServices): vscode.Disposable {
  return new InlineTrace(services);
}
