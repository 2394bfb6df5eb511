// Times, in a fresh process, `require(dist/extension.js)` and its `activate(context)` with a
// stand-in `vscode` module; prints `ACTIVATION {"requireMs":..,"activateMs":..}`.
// Usage: node activation-probe.cjs <abs path of dist/extension.js>
'use strict';
const Module = require('node:module');
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');

const fakeVscode = require('./fake-vscode.cjs');
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') return fakeVscode;
  return originalLoad.call(this, request, parent, isMain);
};

const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-activation-'));
const subscriptions = [];
const memento = { get: (_key, fallback) => fallback, update: async () => undefined, keys: () => [], setKeysForSync() {} };
const context = {
  subscriptions,
  extensionPath: path.resolve(path.dirname(process.argv[2]), '..'),
  extensionUri: fakeVscode.Uri.file(path.resolve(path.dirname(process.argv[2]), '..')),
  globalState: memento,
  workspaceState: memento,
  globalStorageUri: fakeVscode.Uri.file(storage),
  storageUri: fakeVscode.Uri.file(storage),
  logUri: fakeVscode.Uri.file(storage),
  globalStoragePath: storage,
  storagePath: storage,
  logPath: storage,
  asAbsolutePath: (relative) => path.resolve(path.dirname(process.argv[2]), '..', relative),
  extensionMode: 1,
  environmentVariableCollection: fakeVscode.environmentVariableCollection,
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
  extension: { id: 'node-flight-recorder.node-flight-recorder', packageJSON: {} },
};

(async () => {
  const cpuStart = process.cpuUsage();
  const requireStartNs = process.hrtime.bigint();
  const extension = require(process.argv[2]);
  const requireEndNs = process.hrtime.bigint();
  const returned = extension.activate(context);
  const activateSyncEndNs = process.hrtime.bigint();
  await returned;
  const activateEndNs = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuStart);
  const ms = (from, to) => Number(to - from) / 1e6;
  process.stdout.write(
    `ACTIVATION ${JSON.stringify({
      requireMs: ms(requireStartNs, requireEndNs),
      activateSyncMs: ms(requireEndNs, activateSyncEndNs),
      activateMs: ms(requireEndNs, activateEndNs),
      subscriptions: subscriptions.length,
      cpuMs: (cpu.user + cpu.system) / 1000,
    })}\n`,
  );
  try {
    await extension.deactivate?.();
  } catch {
    // deactivation against stand-ins is not what we time
  }
  fs.rmSync(storage, { recursive: true, force: true });
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`activation failed: ${error?.stack ?? error}\n`);
  fs.rmSync(storage, { recursive: true, force: true });
  process.exit(1);
});
