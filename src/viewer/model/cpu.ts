// CPU samples (V8 `Profile` / `ProfileChunk` trace events, as DevTools reads them) turned into
// a flame chart (one row per stack depth, consecutive samples of the same frame merged) and
// bottom-up tables (self and total time per function).
import type { TraceEvent } from '../../format/trace-event';
import { colorIndex } from './colors';
import type { PackedRow } from './layout';
import { lowerBound, packRows } from './layout';
import { isRecord } from './load';

export type CodeOrigin = 'user' | 'modules' | 'node' | 'gc' | 'program' | 'idle';

/** A function as shown to people: lines and columns 1-based. */
export interface CpuFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
  origin: CodeOrigin;
}

export interface CpuProfileModel {
  pid: number;
  tid: number;
  frames: CpuFrame[];
  /** Per profile node (dense index): its frame, parent node (-1 for the root) and depth (-1 root). */
  nodeFrame: Int32Array;
  nodeParent: Int32Array;
  nodeDepth: Int32Array;
  sampleTs: Float64Array;
  sampleDurUs: Float64Array;
  sampleNode: Int32Array;
  sampleCount: number;
  /**
   * Flame chart rows, `ref` = node index: made when first read (the track drawn, a selection in
   * it) — a profile's track is often below the first frame's fold, and its rows took 10–45 ms
   * of a million-event file's first frame (docs/benchmarks.md).
   */
  readonly rows: PackedRow[];
  /** How many rows the flame chart has (its deepest sampled stack), known without making them. */
  rowCount: number;
}

interface RawNode {
  id: number;
  parent?: number;
  callFrame: Record<string, unknown>;
}

/** Groups Profile/ProfileChunk events by (pid, profile id) and builds one model per profile. */
export function buildCpuProfiles(events: TraceEvent[], profileEventIndices: number[]): CpuProfileModel[] {
  // Samples stay in their events' arrays until every chunk is seen, then go to typed arrays in
  // one pass (a profile can hold hundreds of thousands).
  interface Pending { pid: number; tid: number; startTime: number; nodes: RawNode[]; chunks: { samples: unknown[]; deltas: unknown[] }[]; sampleCount: number }
  const byKey = new Map<string, Pending>();
  for (const index of profileEventIndices) {
    const event = events[index]!;
    const key = `${event.pid}:${String(event.id ?? '')}`;
    let pending = byKey.get(key);
    if (!pending) {
      pending = { pid: event.pid, tid: event.tid, startTime: event.ts, nodes: [], chunks: [], sampleCount: 0 };
      byKey.set(key, pending);
    }
    const data = isRecord(event.args) && isRecord(event.args.data) ? event.args.data : undefined;
    if (!data) continue;
    if (event.name === 'Profile') {
      if (typeof data.startTime === 'number') pending.startTime = data.startTime;
      pending.tid = event.tid;
      continue;
    }
    const profile = isRecord(data.cpuProfile) ? data.cpuProfile : undefined;
    if (profile && Array.isArray(profile.nodes)) {
      for (const node of profile.nodes) {
        if (isRecord(node) && typeof node.id === 'number' && isRecord(node.callFrame)) {
          pending.nodes.push({ id: node.id, parent: typeof node.parent === 'number' ? node.parent : undefined, callFrame: node.callFrame });
        }
      }
    }
    const samples: unknown[] = profile && Array.isArray(profile.samples) ? profile.samples : [];
    const deltas: unknown[] = Array.isArray(data.timeDeltas) ? data.timeDeltas : [];
    pending.chunks.push({ samples, deltas });
    pending.sampleCount += samples.length;
  }
  const models: CpuProfileModel[] = [];
  for (const pending of byKey.values()) {
    if (pending.nodes.length === 0 || pending.sampleCount === 0) continue;
    const samples = new Float64Array(pending.sampleCount);
    const deltas = new Float64Array(pending.sampleCount);
    let at = 0;
    for (const chunk of pending.chunks) {
      for (let i = 0; i < chunk.samples.length; i++, at++) {
        samples[at] = Number(chunk.samples[i]);
        deltas[at] = Number(chunk.deltas[i] ?? 0) || 0;
      }
    }
    models.push(buildProfile(pending.pid, pending.tid, pending.startTime, pending.nodes, samples, deltas));
  }
  return models;
}

function buildProfile(pid: number, tid: number, startTime: number, nodes: RawNode[], samples: Float64Array, deltas: Float64Array): CpuProfileModel {
  const indexOfId = new Map<number, number>();
  nodes.forEach((node, index) => indexOfId.set(node.id, index));
  const frames: CpuFrame[] = [];
  const frameKey = new Map<string, number>();
  const nodeFrame = new Int32Array(nodes.length);
  const nodeParent = new Int32Array(nodes.length).fill(-1);
  nodes.forEach((node, index) => {
    const frame = toFrame(node.callFrame);
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
    let frameIndex = frameKey.get(key);
    if (frameIndex === undefined) {
      frameIndex = frames.length;
      frames.push(frame);
      frameKey.set(key, frameIndex);
    }
    nodeFrame[index] = frameIndex;
    if (node.parent !== undefined) nodeParent[index] = indexOfId.get(node.parent) ?? -1;
  });
  const nodeDepth = new Int32Array(nodes.length).fill(-2);
  for (let i = 0; i < nodes.length; i++) depthOf(i, nodeParent, nodeDepth);

  const count = samples.length;
  const sampleTs = new Float64Array(count);
  const sampleNode = new Int32Array(count);
  const nodeOfId = denseIndexOfId(nodes, indexOfId);
  let ts = startTime;
  for (let i = 0; i < count; i++) {
    const delta = deltas[i]!;
    ts += delta > 0 ? delta : 0;
    sampleTs[i] = ts;
    sampleNode[i] = nodeOfId(samples[i]!);
  }
  const sampleDurUs = new Float64Array(count);
  for (let i = 0; i < count - 1; i++) sampleDurUs[i] = sampleTs[i + 1]! - sampleTs[i]!;
  if (count > 0) sampleDurUs[count - 1] = count > 1 ? Math.min(sampleDurUs[count - 2]!, 10_000) : 1000;
  // A long gap between samples means the profiler was off, not that one function ran that long.
  const typical = medianOf(sampleDurUs, count);
  for (let i = 0; i < count; i++) if (sampleDurUs[i]! > typical * 20 + 1000) sampleDurUs[i] = typical;

  const idle = idleNodes(frames, nodeFrame);
  let rows: PackedRow[] | undefined;
  const model = { pid, tid, frames, nodeFrame, nodeParent, nodeDepth, sampleTs, sampleDurUs, sampleNode, sampleCount: count, rowCount: flameRowCount(sampleNode, count, nodeDepth, idle) } as CpuProfileModel;
  Object.defineProperty(model, 'rows', { get: () => (rows ??= buildFlameRows(model, idle)), enumerable: true });
  return model;
}

function depthOf(index: number, parent: Int32Array, depth: Int32Array): number {
  // Iterative: profiles can be thousands of frames deep.
  const chain: number[] = [];
  let current = index;
  while (current >= 0 && depth[current] === -2) {
    chain.push(current);
    depth[current] = -3; // visiting: a cycle in a corrupt file ends here
    current = parent[current]!;
  }
  let base = current >= 0 ? depth[current]! : -2;
  if (base === -3) base = -1;
  for (let i = chain.length - 1; i >= 0; i--) {
    base = base + 1;
    depth[chain[i]!] = base;
  }
  return depth[index]!;
}

function toFrame(callFrame: Record<string, unknown>): CpuFrame {
  const functionName = typeof callFrame.functionName === 'string' ? callFrame.functionName : '';
  const url = typeof callFrame.url === 'string' ? callFrame.url : '';
  const line = typeof callFrame.lineNumber === 'number' ? callFrame.lineNumber : -1;
  const column = typeof callFrame.columnNumber === 'number' ? callFrame.columnNumber : -1;
  return { functionName, url, lineNumber: line + 1, columnNumber: column + 1, origin: originOf(functionName, url) };
}

export function originOf(functionName: string, url: string): CodeOrigin {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)' || functionName === '(root)') return 'program';
  if (url === '' || url.startsWith('node:') || url.startsWith('internal/')) return 'node';
  if (url.includes('/node_modules/')) return 'modules';
  return 'user';
}

const ORIGIN_FAMILY: Record<CodeOrigin, string> = {
  user: 'cpu.user', modules: 'cpu.modules', node: 'cpu.node', gc: 'cpu.gc', program: 'cpu.node', idle: 'cpu.node',
};

export function frameLabel(frame: CpuFrame): string {
  return frame.functionName || '(anonymous)';
}

/**
 * Merges consecutive samples that share a frame at a depth into one slice per depth. The
 * stack still open from the previous sample is a path from the root, so a new sample's stack
 * is compared from its leaf up only until it meets that path (consecutive samples usually
 * share all but their last frames). Slices go into typed arrays as they close (time order per
 * depth), and are packed into rows by depth at the end.
 */
function buildFlameRows(model: CpuProfileModel, idle: Uint8Array): PackedRow[] {
  const { sampleTs, sampleDurUs, sampleNode, nodeParent, nodeDepth, frames, nodeFrame } = model;
  const nodeCount = nodeParent.length;
  let maxDepth = 0;
  for (let node = 0; node < nodeCount; node++) if (nodeDepth[node]! > maxDepth) maxDepth = nodeDepth[node]!;
  const openNode = new Int32Array(maxDepth + 1);
  const openStart = new Float64Array(maxDepth + 1);
  const path = new Int32Array(maxDepth + 1);
  let open = 0;
  // Consecutive samples mostly differ in a frame or two: room for two slices a sample first.
  let capacity = Math.max(1024, 2 * model.sampleCount);
  let start = new Float64Array(capacity);
  let end = new Float64Array(capacity);
  let ref = new Int32Array(capacity);
  let depth = new Int32Array(capacity);
  let slices = 0;
  const close = (fromDepth: number, at: number) => {
    for (let d = open - 1; d >= fromDepth; d--) {
      if (slices === capacity) {
        capacity *= 2;
        start = grown(start, new Float64Array(capacity));
        end = grown(end, new Float64Array(capacity));
        ref = grown(ref, new Int32Array(capacity));
        depth = grown(depth, new Int32Array(capacity));
      }
      start[slices] = openStart[d]!;
      end[slices] = at;
      ref[slices] = openNode[d]!;
      depth[slices++] = d;
    }
    if (fromDepth < open) open = fromDepth;
  };
  let previousLeaf = -2;
  let previousEnd = 0;
  for (let i = 0; i < model.sampleCount; i++) {
    const ts = sampleTs[i]!;
    let leaf = sampleNode[i]!;
    if (leaf >= 0 && idle[leaf] === 1) leaf = -1;
    if (open > 0 && ts > previousEnd + 1) close(0, previousEnd); // gap: the profiler was off
    previousEnd = ts + sampleDurUs[i]!;
    if (leaf === previousLeaf && open > 0) continue;
    previousLeaf = leaf;
    // Up from the leaf to the first node the open stack holds at its depth: below it, new frames.
    let pathLength = 0;
    let node = leaf;
    for (; node >= 0 && nodeDepth[node]! >= 0; node = nodeParent[node]!) {
      const d = nodeDepth[node]!;
      if (d < open && openNode[d] === node) break;
      path[pathLength++] = node;
    }
    close(node >= 0 && nodeDepth[node]! >= 0 ? nodeDepth[node]! + 1 : 0, ts);
    for (let k = pathLength - 1; k >= 0; k--) {
      openNode[open] = path[k]!;
      openStart[open++] = ts;
    }
  }
  close(0, previousEnd);
  // One colour per frame, not per slice (a colour hashes the frame's URL).
  const frameColor = frames.map((frame) => colorIndex(ORIGIN_FAMILY[frame.origin], frame.url || frame.functionName));
  // Rows by depth, each depth's slices in the order they closed (time order).
  let rowCount = 0;
  for (let k = 0; k < slices; k++) if (depth[k]! >= rowCount) rowCount = depth[k]! + 1;
  const inClosingOrder = new Int32Array(slices);
  for (let k = 0; k < slices; k++) inClosingOrder[k] = k;
  return packRows(inClosingOrder, depth.subarray(0, slices), rowCount, start, end, (k) => frameColor[nodeFrame[ref[k]!]!]!, (k) => ref[k]!);
}

/** 1 for each node whose frame is the profiler's idle frame (its samples are not drawn). */
function idleNodes(frames: CpuFrame[], nodeFrame: Int32Array): Uint8Array {
  const idle = new Uint8Array(nodeFrame.length);
  for (let node = 0; node < nodeFrame.length; node++) if (frames[nodeFrame[node]!]!.origin === 'idle') idle[node] = 1;
  return idle;
}

/**
 * The flame chart's row count without its rows: one row per depth down to the deepest drawn
 * sample (a sample's stack is drawn from its leaf up to the root's child, and not at all when
 * its leaf is idle, the root, or not under the root) — what buildFlameRows comes to.
 */
function flameRowCount(sampleNode: Int32Array, count: number, nodeDepth: Int32Array, idle: Uint8Array): number {
  let rows = 0;
  for (let i = 0; i < count; i++) {
    const leaf = sampleNode[i]!;
    if (leaf < 0 || idle[leaf] === 1) continue;
    const depth = nodeDepth[leaf]!;
    if (depth >= rows) rows = depth + 1;
  }
  return rows;
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * The node index of a sample's node id. V8 numbers nodes 1, 2, 3, …: then a table indexed by id
 * (a sample costs one array read, not a Map lookup: profiles hold hundreds of thousands of
 * samples); otherwise the Map.
 */
function denseIndexOfId(nodes: RawNode[], indexOfId: Map<number, number>): (id: number) => number {
  let maxId = 0;
  for (const node of nodes) {
    if (!Number.isInteger(node.id) || node.id < 0) return (id) => indexOfId.get(id) ?? -1;
    if (node.id > maxId) maxId = node.id;
  }
  if (maxId > 4 * nodes.length + 1024) return (id) => indexOfId.get(id) ?? -1;
  const table = new Int32Array(maxId + 1).fill(-1);
  for (const [id, index] of indexOfId) table[id] = index;
  return (id) => (id >= 0 && id <= maxId ? table[id]! : -1);
}

/** Samples of the intervals the median is taken over: enough for a typical value, not a sort of all of them. */
const MEDIAN_SAMPLES = 4096;

/** The median of `values[0..count)`, from at most MEDIAN_SAMPLES evenly spread values (exact below that). */
function medianOf(values: Float64Array, count: number): number {
  if (count === 0) return 0;
  const step = Math.max(1, Math.floor(count / MEDIAN_SAMPLES));
  const picked = new Float64Array(Math.ceil(count / step));
  for (let i = 0, k = 0; i < count; i += step, k++) picked[k] = values[i]!;
  picked.sort();
  return picked[picked.length >> 1]!;
}

export interface HotFunction {
  frame: CpuFrame;
  frameIndex: number;
  selfUs: number;
  totalUs: number;
}

/** Bottom-up: self and total time per function over samples in [t0, t1] (whole profile by default). */
export function hotFunctions(model: CpuProfileModel, t0 = -Infinity, t1 = Infinity): HotFunction[] {
  const self = new Float64Array(model.frames.length);
  const total = new Float64Array(model.frames.length);
  const stamp = new Int32Array(model.frames.length).fill(-1);
  const first = t0 === -Infinity ? 0 : lowerBound(model.sampleTs, model.sampleCount, t0);
  for (let i = first; i < model.sampleCount; i++) {
    const ts = model.sampleTs[i]!;
    if (ts > t1) break;
    const leaf = model.sampleNode[i]!;
    if (leaf < 0) continue;
    const dur = model.sampleDurUs[i]!;
    const leafFrame = model.nodeFrame[leaf]!;
    if (model.frames[leafFrame]!.origin === 'idle') continue;
    self[leafFrame]! += dur;
    for (let node = leaf; node >= 0 && model.nodeDepth[node]! >= 0; node = model.nodeParent[node]!) {
      const frame = model.nodeFrame[node]!;
      if (stamp[frame] === i) continue; // recursion: count a function once per sample
      stamp[frame] = i;
      total[frame]! += dur;
    }
  }
  const result: HotFunction[] = [];
  for (let f = 0; f < model.frames.length; f++) {
    if (total[f]! > 0) result.push({ frame: model.frames[f]!, frameIndex: f, selfUs: self[f]!, totalUs: total[f]! });
  }
  result.sort((a, b) => b.selfUs - a.selfUs || b.totalUs - a.totalUs);
  return result;
}

/** The stack (leaf first) of a flame node, as frames. */
export function stackOfNode(model: CpuProfileModel, node: number): CpuFrame[] {
  const stack: CpuFrame[] = [];
  for (let n = node; n >= 0 && model.nodeDepth[n]! >= 0; n = model.nodeParent[n]!) stack.push(model.frames[model.nodeFrame[n]!]!);
  return stack;
}
