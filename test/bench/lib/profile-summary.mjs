// Reads a V8 .cpuprofile and says where the time went: self time per function (mapped through
// dist/*.js.map to src/ when a map is there) and the share of all samples with a recorder
// frame on the stack — the recorder's whole cost, including the Node internals it calls.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map();
function sourceMapFor(url) {
  if (!maps.has(url)) {
    let map = null;
    try {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url;
      // The recorder's code runs under dist/recorder.js's name but is recorder-core.js's (its map).
      const coreMap = path.endsWith('/recorder.js') ? path.replace(/recorder\.js$/, 'recorder-core.js.map') : undefined;
      const mapPath = coreMap !== undefined && existsSync(coreMap) ? coreMap : `${path}.map`;
      if (existsSync(mapPath)) map = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

function location({ url, lineNumber, columnNumber }) {
  const map = url ? sourceMapFor(url) : null;
  const entry = map?.findEntry(lineNumber, columnNumber);
  if (entry && entry.originalSource) {
    const source = entry.originalSource.replace(/^.*?(src\/)/, '$1');
    return `${source}:${entry.originalLine + 1}`;
  }
  const short = url ? url.replace(/^.*\/(node_modules\/|dist\/|test\/)/, '$1') : '(native)';
  return `${short}:${lineNumber + 1}`;
}

/**
 * @param {string} path a .cpuprofile
 * @param {RegExp} ownUrl frames whose url matches are "ours" (default: dist/recorder.js)
 */
export function summarizeProfile(path, ownUrl = /dist\/recorder\.js/, top = 15) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const ownCache = new Map();
  const isOwn = (id) => {
    if (ownCache.has(id)) return ownCache.get(id);
    const node = byId.get(id);
    const own = ownUrl.test(node.callFrame.url) || (parentOf.has(id) && isOwn(parentOf.get(id)));
    ownCache.set(id, own);
    return own;
  };
  const selfUs = new Map();
  let totalUs = 0;
  let ownUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const deltaUs = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i];
    const name = byId.get(id).callFrame.functionName;
    if (name === '(idle)') {
      idleUs += deltaUs;
      continue;
    }
    totalUs += deltaUs;
    selfUs.set(id, (selfUs.get(id) ?? 0) + deltaUs);
    if (isOwn(id)) ownUs += deltaUs;
  }
  const byFunction = new Map();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${location(frame)}${isOwn(id) && !ownUrl.test(frame.url) ? ' [under recorder]' : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const ranked = [...byFunction].sort((a, b) => b[1] - a[1]);
  const ownRanked = [...selfUs]
    .filter(([id]) => isOwn(id))
    .map(([id, us]) => [`${byId.get(id).callFrame.functionName || '(anonymous)'} ${location(byId.get(id).callFrame)}`, us])
    .reduce((acc, [key, us]) => acc.set(key, (acc.get(key) ?? 0) + us), new Map());
  return {
    busyMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    ownPercentOfBusy: totalUs ? (ownUs / totalUs) * 100 : 0,
    top: ranked.slice(0, top).map(([key, us]) => ({ function: key, selfMs: us / 1000, percent: (us / totalUs) * 100 })),
    ownTop: [...ownRanked].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, us]) => ({ function: key, selfMs: us / 1000, percent: (us / totalUs) * 100 })),
  };
}
