// A stand-in `vscode` module for timing the extension's activation outside VS Code: every
// property is another stand-in, every call and `new` returns one, so any API the extension
// touches at activation exists and does nothing; Uri, EventEmitter, Disposable, configuration
// and one workspace folder (FAKE_VSCODE_WORKSPACE) behave like the real ones. What it cannot show: time VS Code itself
// spends (extension host, webviews). `then` is undefined so stand-ins are not thenables, and
// registrations return disposables. `visible` is false: the run modelled is activation by a
// command with the Flight Recorder view closed (when the view is open, listing the processes
// for it is that view's own work, started at activation).
'use strict';

/** Properties the extension reads as strings or numbers, never as objects. */
const STRING_KEYS = new Set(['fsPath', 'path', 'name', 'id', 'scheme', 'authority', 'query', 'fragment', 'languageId', 'fileName', 'appName', 'appRoot', 'language', 'machineId', 'sessionId', 'uriScheme', 'remoteName', 'shell', 'label', 'description', 'text', 'title']);
const NUMBER_KEYS = new Set(['length', 'index', 'lineCount', 'uiKind', 'extensionKind', 'version']);
/** Properties read as booleans whose stand-in value must be false (a truthy proxy would not be). */
const FALSE_KEYS = new Set(['visible']);

function standIn(path) {
  const target = function () {};
  return new Proxy(target, {
    get(_target, key) {
      if (key === 'then') return undefined;
      if (STRING_KEYS.has(key)) return '';
      if (NUMBER_KEYS.has(key)) return 0;
      if (FALSE_KEYS.has(key)) return false;
      if (key === Symbol.toPrimitive) return () => path;
      if (key === Symbol.iterator) return function* () {};
      if (key === 'dispose') return () => undefined;
      if (key === 'toString') return () => path;
      if (typeof key === 'symbol') return undefined;
      return standIn(`${path}.${key}`);
    },
    apply() {
      return standIn(`${path}()`);
    },
    construct() {
      return standIn(`new ${path}`);
    },
    set() {
      return true;
    },
  });
}

// The module itself is a plain object with every top-level name of the real API as an own
// property (read from @types/vscode: the declarations one tab deep inside `declare module
// 'vscode'`, not the namespaces' members), because bundlers copy a module's own properties
// into the namespace object of `import * as vscode`.
const fs = require('node:fs');
const path = require('node:path');

function apiNames() {
  try {
    const typings = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
    const names = new Set();
    for (const match of typings.matchAll(/^\texport (?:namespace|class|enum|const|function|let) ([A-Za-z_]+)/gm)) names.add(match[1]);
    return [...names];
  } catch {
    return ['window', 'workspace', 'commands', 'languages', 'debug', 'env', 'extensions', 'Uri', 'EventEmitter', 'Disposable'];
  }
}

const vscode = {};
for (const name of apiNames()) vscode[name] = standIn(`vscode.${name}`);
vscode.version = '1.90.0';

// The few parts activation uses as values, not just as calls: real enough to behave.
const disposable = () => ({ dispose() {} });
class Disposable {
  constructor(onDispose) {
    this.onDispose = onDispose;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((item) => item?.dispose?.()));
  }
  dispose() {
    this.onDispose?.();
  }
}
class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener) => {
      this.listeners.add(listener);
      return { dispose: () => this.listeners.delete(listener) };
    };
  }
  fire(value) {
    for (const listener of this.listeners) listener(value);
  }
  dispose() {
    this.listeners.clear();
  }
}
function uri(fsPath) {
  return { scheme: 'file', authority: '', path: fsPath, fsPath, query: '', fragment: '', with: (change) => uri(change.path ?? fsPath), toString: () => `file://${fsPath}`, toJSON: () => ({ fsPath }) };
}
const Uri = new Proxy(
  { file: uri, parse: (text) => uri(text.replace(/^file:\/\//, '')), joinPath: (base, ...parts) => uri(path.join(base.fsPath, ...parts)), from: (parts) => uri(parts.path ?? '') },
  { get: (target, key) => target[key] ?? standIn(`vscode.Uri.${String(key)}`) },
);
const workspaceDir = process.env.FAKE_VSCODE_WORKSPACE || process.cwd();
const folder = { uri: uri(workspaceDir), name: path.basename(workspaceDir), index: 0 };
const configuration = { get: (_key, fallback) => fallback, has: () => false, inspect: () => undefined, update: async () => undefined };
const overlay = (base, values) => new Proxy(values, { get: (target, key) => (key in target ? target[key] : base[key]) });
Object.assign(vscode, {
  Disposable,
  EventEmitter,
  Uri,
  workspace: overlay(vscode.workspace, {
    workspaceFolders: [folder],
    getWorkspaceFolder: () => folder,
    getConfiguration: () => configuration,
    onDidChangeConfiguration: disposable,
    onDidChangeWorkspaceFolders: disposable,
    createFileSystemWatcher: () => ({ onDidCreate: disposable, onDidChange: disposable, onDidDelete: disposable, dispose() {} }),
    textDocuments: [],
  }),
  commands: overlay(vscode.commands, { registerCommand: disposable, registerTextEditorCommand: disposable, executeCommand: async () => undefined }),
  window: overlay(vscode.window, { visibleTextEditors: [], activeTextEditor: undefined, terminals: [] }),
});
module.exports = vscode;
