// The HTML page `cli view` serves: the viewer bundle and its stylesheet, under a strict
// Content-Security-Policy with a fresh nonce per response. No trace data is ever inlined
// into the page; the viewer fetches its event summary from /trace/summary (or, when there is
// none, the file from /trace) and parses it itself.
import { SUMMARY_COLUMNS_BYTES_HEADER, SUMMARY_MAX_BYTES_HEADER } from '../../format/event-summary';
import { PAGE_BYTES } from '../../format/memory-arena';

export function contentSecurityPolicy(nonce: string, inMeta = false): string {
  const directives = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  // frame-ancestors only works as a header; browsers warn when a <meta> carries it.
  if (!inMeta) directives.push("frame-ancestors 'none'");
  return directives.join('; ');
}

/**
 * The page's first request for the summary, made by a small inline script in the head (our own
 * constant code under the nonce, no trace data): the body is read as it arrives, while the
 * browser loads the viewer script, and the viewer takes the result (host.ts). A `<link
 * rel=preload>` did not overlap like this: Chromium kept the preloaded body and handed it over
 * on the main thread only once the script asked, ~0.2–0.5 s for 30 MB.
 * The body is read with a BYOB reader straight into one buffer as big as the summary can be
 * (its Content-Length, or while cli view still builds it, SUMMARY_MAX_BYTES_HEADER); once it
 * is full, a small read finds the end (or, should more come, the buffer doubles). A view of no
 * bytes cannot be read into. `arrayBuffer()` collected the chunks and copied them into a new buffer
 * after the last one, ~0.13–0.25 s for 30 MB between the last byte and the viewer's start,
 * against ~0.01 s now (docs/benchmarks.md). The untouched tail of a bound costs no memory; a
 * bound the browser will not allocate starts the buffer at 1 MB instead.
 * When the answer says where the span layout starts (SUMMARY_COLUMNS_BYTES_HEADER), the part
 * before it goes into a buffer of its own and the promise resolves as soon as it is in, with
 * `rest` reading the span layout into another: the viewer decodes the columns while the host
 * still lays the spans out (a buffer read into is handed back by every read, which would cut
 * the decoded views off one buffer shared by both).
 * While cli view still builds the summary the page has most of a second with nothing to do, and
 * then takes ~5 ms per MB it writes for the first time (page faults on the VMs measured here:
 * docs/benchmarks.md) — the summary's columns and the model's arrays, ~45 MB for a million
 * events. With `spareBytes` (an estimate of both, from the file's size) the script allocates a
 * spare buffer once the page has loaded and writes a zero to each of its pages, 2 MB per task,
 * until the answer comes; the columns are read into it if they fit, and the viewer lays its
 * model's big arrays out in the rest (host.ts, MemoryArena).
 * Resolves to { response } for any other status, { response, bytes, length[, rest] } for a summary.
 */
export const EARLY_SUMMARY_GLOBAL = 'flightRecorderEarlySummary';

/** The page's memory per event: the columns (23–34 bytes for the snapshots measured) and the model's span arrays (~20). */
const SPARE_BYTES_PER_EVENT = 48;

/**
 * The page's spare buffer for a file of `fileBytes` whose summary is still being built: its
 * events (`eventsPerByte`, as the build has found so far) times the page's memory per event;
 * without that, a quarter of the file (the columns were 0.13–0.17 of the file's bytes and the
 * model's span arrays ~0.1 for the snapshots measured). At most that quarter, and 256 MB.
 * None when the build's threads leave no core idle (`idleCores`): touching the spare is free
 * on an idle core, but with two workers on two cores the page's ~50 MB of first writes slowed
 * the build by more than they saved later (fresh opens of the 1 M-event file: 21 of 32
 * interleaved pairs sooner without, by 0.06–0.1 s at the median; docs/benchmarks.md).
 */
export function spareBytesFor(fileBytes: number, eventsPerByte?: number, idleCores = 1): number {
  if (idleCores < 1) return 0;
  const quarter = fileBytes * 0.25;
  const bytes = eventsPerByte === undefined ? quarter : Math.min(quarter, fileBytes * eventsPerByte * SPARE_BYTES_PER_EVENT);
  return Math.min(256 << 20, Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES);
}

function earlySummaryScript(spareBytes: number): string {
  // One function scope: no globals but the result's, and an unused spare is let go.
  // touch(): writes a zero to each page of the spare buffer, 2 MB per task, until the answer
  // comes. read(reader, size, want): reads into a buffer of `size` bytes (the spare when it is
  // big enough; grown should more come) until `want` bytes are in or the body ends; resolves
  // { bytes, length, done }.
  const spare = Number.isSafeInteger(spareBytes) && spareBytes > 0 ? spareBytes : 0;
  return `(function(){var spare=null,touched=0,waiting=true;
function touch(){if(!waiting||!spare)return;var u=new Uint8Array(spare),end=Math.min(u.length,touched+2097152);for(;touched<end;touched+=4096)u[touched]=0;if(touched<u.length)setTimeout(touch,0)}
if(${spare}>0)addEventListener("load",function(){if(!waiting)return;try{spare=new ArrayBuffer(${spare})}catch(e){return}touch()});
window.${EARLY_SUMMARY_GLOBAL}=fetch("/trace/summary").then(function(r){waiting=false;var own=spare;spare=null;
if(r.status!==200)return{response:r};
var reader;try{reader=r.body.getReader({mode:"byob"})}catch(e){return r.arrayBuffer().then(function(b){return{response:r,bytes:b,length:b.byteLength}})}
function read(size,want){
var buffer,n=0;if(own&&own.byteLength>=size)buffer=own;else try{buffer=new ArrayBuffer(size)}catch(e){buffer=new ArrayBuffer(1048576)}own=null;
function next(){
if(n===want)return{bytes:buffer,length:n,done:false};
if(n<buffer.byteLength)return reader.read(new Uint8Array(buffer,n,Math.min(buffer.byteLength,want)-n)).then(function(step){
if(step.value)buffer=step.value.buffer;
if(step.done)return{bytes:buffer,length:n,done:true};
n+=step.value.byteLength;return next()});
return reader.read(new Uint8Array(65536)).then(function(step){
if(step.done)return{bytes:buffer,length:n,done:true};
var bigger=new ArrayBuffer(2*n+step.value.byteLength);new Uint8Array(bigger).set(new Uint8Array(buffer));new Uint8Array(bigger).set(step.value,n);buffer=bigger;n+=step.value.byteLength;return next()})}
return next()}
var size=Number(r.headers.get("content-length"))||Number(r.headers.get("${SUMMARY_MAX_BYTES_HEADER}"))||1048576;
var split=Number(r.headers.get("${SUMMARY_COLUMNS_BYTES_HEADER}"))||0;
if(!(split>0&&split<size))return read(size,Infinity).then(function(all){return{response:r,bytes:all.bytes,length:all.length}});
return read(split,split).then(function(columns){
if(columns.done)return{response:r,bytes:columns.bytes,length:columns.length};
var rest=read(size-split,Infinity);rest.catch(function(){});
return{response:r,bytes:columns.bytes,length:columns.length,rest:rest}})})})();`;
}

/**
 * `summary`: the page reads /trace/summary, which it starts fetching from the head while the
 * browser loads the script — the summary is most of what the first frame waits for.
 * `spareBytes`: while the summary is still being built, the spare buffer the page makes
 * resident meanwhile (spareBytesFor).
 */
export function viewerPage(nonce: string, title: string, summary = false, spareBytes = 0): string {
  const summaryAttributes = summary ? ' data-summary-url="/trace/summary" data-bytes-url="/trace/bytes" data-search-url="/trace/search" data-progress-url="/trace/progress"' : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce, true)}">
<title>Loading ${escapeHtml(title)} — Flight Recorder</title>
<link rel="stylesheet" href="/viewer.css">${summary ? `\n<script nonce="${nonce}">${earlySummaryScript(spareBytes)}</script>` : ''}
</head>
<body data-trace-url="/trace"${summaryAttributes}>
<div id="nfr-root"></div>
<script nonce="${nonce}" src="/viewer.js"></script>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
