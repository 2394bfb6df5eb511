// `flight-recorder list [--json]`: recorded processes of this user as a tree (children under
// the process that started them), with uptime, ring fill and state.
import type { RecorderStatus, RegistryEntry } from '../../format/control';
import { shortFrameLabel } from '../../format/stack';
import { buildProcessTree, flattenTree, listRegistry, status, type TreeNode } from '../../client/index';
import { flag, parseArgs, type OptionSpec } from '../args';
import { UsageError } from '../errors';
import { oneLine, renderTable } from '../table';
import { formatBytes, formatDurationMs } from '../units';

export const listHelp = `Usage: flight-recorder list [--json]

Lists the Node processes of this user that are being recorded, as a tree (a child under the
process that started it): pid, program, uptime, history held, ring buffer fill, events,
snapshots written, state. Entries of
processes that are gone are removed.

Options:
  --json      print an array of { pid, ppid, depth, programName, argv, ..., status, error }
  -h, --help  this help`;

const specs: OptionSpec[] = [
  { name: 'json', type: 'boolean' },
  { name: 'help', type: 'boolean', short: 'h' },
];

interface ProcessRow {
  entry: RegistryEntry;
  status?: RecorderStatus;
  error?: string;
}

export async function listCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, specs, 'list');
  if (flag(args, 'help')) {
    console.log(listHelp);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`, 'list');
  const listing = await listRegistry();
  const rows = await Promise.all(listing.entries.map(async (entry): Promise<ProcessRow & { pid: number; ppid: number }> => {
    try {
      return { pid: entry.pid, ppid: entry.ppid, entry, status: await status(entry, { answerTimeoutMs: 2000, connectTimeoutMs: 1000 }) };
    } catch (error) {
      return { pid: entry.pid, ppid: entry.ppid, entry, error: (error as Error).message };
    }
  }));
  const ordered = flattenTree(buildProcessTree(rows));
  if (flag(args, 'json')) {
    console.log(JSON.stringify(ordered.map((node) => ({
      ...node.entry.entry,
      depth: node.depth,
      status: node.entry.status ?? null,
      error: node.entry.error ?? null,
    })), null, 2));
    return 0;
  }
  if (ordered.length === 0) {
    console.log(`No recorded processes. Start one with: flight-recorder run -- node app.js`);
    return 0;
  }
  console.log(renderTable(
    [
      { title: 'PID' }, { title: 'PROGRAM', maxWidth: 40 }, { title: 'UPTIME', align: 'right' }, { title: 'HISTORY', align: 'right' },
      { title: 'BUFFER', align: 'right' }, { title: 'EVENTS', align: 'right' }, { title: 'SNAPSHOTS', align: 'right' }, { title: 'STATE', maxWidth: 70 },
    ],
    ordered.map((node) => renderRow(node, ordered)),
    '',
  ));
  return 0;
}

function renderRow(node: TreeNode<ProcessRow & { pid: number; ppid: number }>, all: readonly TreeNode<ProcessRow & { pid: number; ppid: number }>[]): string[] {
  const { entry, status: s, error } = node.entry;
  const uptimeMs = s?.uptimeMs ?? Date.now() - Date.parse(entry.startTime);
  const buffer = s ? `${formatBytes(s.usedBytes)}/${formatBytes(s.maxBytes)} ${Math.round((100 * s.usedBytes) / Math.max(1, s.maxBytes))}%` : `-/${formatBytes(entry.maxBytes)}`;
  const events = s ? `${s.eventCount}${s.droppedEvents > 0 ? ` (${s.droppedEvents} dropped)` : ''}` : '-';
  const blocked = s?.mainLoopBlockedMs === undefined ? '' : `, main thread blocked ${formatDurationMs(s.mainLoopBlockedMs)}${s.mainLoopBlockedIn ? ` in ${shortFrameLabel(s.mainLoopBlockedIn)}` : ''}`;
  const state = s ? s.state + blocked : `not answering: ${error ?? 'unknown'}`;
  const history = s ? formatDurationMs(s.windowMs) : '-';
  const snapshots = s ? String(s.snapshotsWritten) : '-';
  return [treePrefix(node, all) + String(entry.pid), oneLine(entry.programName), formatDurationMs(uptimeMs), history, buffer, events, snapshots, oneLine(state)];
}

/** "├─ ", "│  └─ " … from the node's place among its siblings. */
function treePrefix<T extends { pid: number; ppid: number }>(node: TreeNode<T>, all: readonly TreeNode<T>[]): string {
  if (node.depth === 0) return '';
  const parents = new Map<TreeNode<T>, TreeNode<T>>();
  for (const candidate of all) for (const child of candidate.children) parents.set(child, candidate);
  const isLast = (n: TreeNode<T>) => {
    const parent = parents.get(n);
    return !parent || parent.children[parent.children.length - 1] === n;
  };
  let prefix = isLast(node) ? '└─ ' : '├─ ';
  for (let up = parents.get(node); up && up.depth > 0; up = parents.get(up)) prefix = (isLast(up) ? '   ' : '│  ') + prefix;
  return prefix;
}
