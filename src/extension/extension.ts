// Entry of dist/extension.js. Filled in by the extension.
import type * as vscode from 'vscode';
export function activate(_context: vscode.ExtensionContext): void {}
export function deactivate(): void {}
