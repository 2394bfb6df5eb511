// The timeline webview's page and resource roots: files reach the webview only through
// asWebviewUri, from dist/ and media/.
import * as vscode from 'vscode';
import { nonce, timelinePage } from './page';

/** The only folders a timeline or live webview may load from. */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function timelineHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return timelinePage({
    cspSource: webview.cspSource,
    scriptNonce: nonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'viewer.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'viewer.css')).toString(),
    title,
  });
}
