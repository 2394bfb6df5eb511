// Entry of dist/viewer.js: the timeline viewer, hosted by a VS Code webview or by `cli view`.
import { createHost } from './host';
import { App } from './ui/app';

function start(): void {
  const root = document.getElementById('nfr-root') ?? document.body.appendChild(document.createElement('div'));
  root.id = 'nfr-root';
  const holder: { app?: App } = {};
  const host = createHost((frame) => holder.app?.showSourceLocation(frame));
  const viewer = new App(root, host);
  holder.app = viewer;
  window.addEventListener('error', (event) => {
    host.post({ type: 'error', message: String(event.message) });
  });
  host.start((message) => viewer.handle(message), (progress) => viewer.showLoadProgress(progress));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
