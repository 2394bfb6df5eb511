// The live view's page: three sparklines (event-loop delay p99, heap used, request rate) and a
// capture button. Small enough to live inline, under the same CSP as the timeline (the script
// carries the nonce). Every value arriving from the host is written as text, never as HTML.
import { contentSecurityPolicy, nonce } from '../timeline/page';

export function liveHtml(cspSource: string): string {
  const scriptNonce = nonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource, scriptNonce).replace("style-src " + cspSource, `style-src ${cspSource} 'nonce-${scriptNonce}'`)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${scriptNonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 6px 10px; }
  header { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; flex-wrap: wrap; }
  select, button { font: inherit; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 6px; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; cursor: pointer; padding: 3px 10px; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button:disabled { opacity: 0.5; cursor: default; }
  .metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 10px; }
  .metric { border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); padding: 6px 8px; }
  .metric .label { opacity: 0.8; }
  .metric .value { font-size: 1.5em; font-variant-numeric: tabular-nums; }
  canvas { width: 100%; height: 48px; display: block; }
  #message { opacity: 0.8; margin: 4px 0; }
</style>
</head>
<body>
<header>
  <select id="process" aria-label="Recorded process"></select>
  <button id="capture" disabled>Capture Snapshot</button>
  <span id="message"></span>
</header>
<div class="metrics">
  <div class="metric"><div class="label">Event-loop delay p99</div><div class="value" id="loop-value">–</div><canvas id="loop-chart"></canvas></div>
  <div class="metric"><div class="label">Heap used</div><div class="value" id="heap-value">–</div><canvas id="heap-chart"></canvas></div>
  <div class="metric"><div class="label">Requests per second</div><div class="value" id="rate-value">–</div><canvas id="rate-chart"></canvas></div>
</div>
<script nonce="${scriptNonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const MAX_POINTS = 120;
  const series = { loop: [], heap: [], rate: [] };
  const select = document.getElementById('process');
  const captureButton = document.getElementById('capture');
  const message = document.getElementById('message');
  let selectedPid = (vscode.getState() || {}).pid;

  function draw(name, values, color) {
    const canvas = document.getElementById(name + '-chart');
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.floor(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.floor(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    if (values.length < 2) return;
    const max = Math.max(1e-9, ...values);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * ratio;
    ctx.beginPath();
    values.forEach(function (v, i) {
      const x = (i / (MAX_POINTS - 1)) * width;
      const y = height - (v / max) * (height - 4 * ratio) - 2 * ratio;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }

  function color(variable, fallback) {
    return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
  }

  function push(name, value) {
    const list = series[name];
    list.push(value);
    if (list.length > MAX_POINTS) list.shift();
  }

  function render() {
    draw('loop', series.loop, color('--vscode-charts-red', '#e51400'));
    draw('heap', series.heap, color('--vscode-charts-blue', '#1a85ff'));
    draw('rate', series.rate, color('--vscode-charts-green', '#388a34'));
  }

  function isNumber(v) { return typeof v === 'number' && isFinite(v); }

  window.addEventListener('message', function (event) {
    const data = event.data;
    if (!data || typeof data.type !== 'string') return;
    if (data.type === 'processes' && Array.isArray(data.processes)) {
      select.textContent = '';
      data.processes.forEach(function (p) {
        if (!p || !isNumber(p.pid) || typeof p.label !== 'string') return;
        const option = document.createElement('option');
        option.value = String(p.pid);
        option.textContent = p.label;
        select.appendChild(option);
      });
      if (isNumber(data.selectedPid)) { select.value = String(data.selectedPid); }
      const changed = selectedPid !== data.selectedPid;
      selectedPid = data.selectedPid;
      if (changed) { series.loop = []; series.heap = []; series.rate = []; render(); }
      captureButton.disabled = !isNumber(selectedPid);
      message.textContent = data.processes.length ? '' : 'No recorded process. Run a file with the recorder or attach to one.';
      vscode.setState({ pid: selectedPid });
    } else if (data.type === 'metrics' && data.metrics && data.pid === selectedPid) {
      const m = data.metrics;
      if (!isNumber(m.loopDelayP99Ms) || !isNumber(m.heapUsedMB) || !isNumber(m.requestsPerSec)) return;
      push('loop', m.loopDelayP99Ms); push('heap', m.heapUsedMB); push('rate', m.requestsPerSec);
      document.getElementById('loop-value').textContent = m.loopDelayP99Ms.toFixed(1) + ' ms';
      document.getElementById('heap-value').textContent = m.heapUsedMB.toFixed(1) + ' MB';
      document.getElementById('rate-value').textContent = m.requestsPerSec.toFixed(1) + (isNumber(m.activeRequests) ? ' (' + m.activeRequests + ' active)' : '');
      message.textContent = '';
      render();
    } else if (data.type === 'error' && typeof data.message === 'string') {
      message.textContent = data.message;
    }
  });

  select.addEventListener('change', function () {
    const pid = Number(select.value);
    if (isNumber(pid)) vscode.postMessage({ type: 'select', pid: pid });
  });
  captureButton.addEventListener('click', function () { vscode.postMessage({ type: 'capture' }); });
  window.addEventListener('resize', render);
  vscode.postMessage({ type: 'ready', pid: isNumber(selectedPid) ? selectedPid : undefined });
})();
</script>
</body>
</html>`;
}
