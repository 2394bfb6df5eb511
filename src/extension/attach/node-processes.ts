// Node processes of this user, from /proc (Linux). Pure Node: unit-tested without VS Code.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export interface NodeProcess {
  pid: number;
  /** argv as the kernel has it (cmdline, NUL-separated). */
  argv: string[];
  /** The executable's path when readable. */
  exe?: string;
}

const NODE_EXECUTABLE = /^(node|nodejs|node\d+)(\.exe)?$/i;

export function isNodeCommand(argv: readonly string[], exe: string | undefined): boolean {
  if (exe && NODE_EXECUTABLE.test(path.basename(exe.replace(/ \(deleted\)$/, '')))) return true;
  const first = argv[0];
  return first !== undefined && NODE_EXECUTABLE.test(path.basename(first));
}

export function parseCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** Node processes owned by the current user, except `excludePids`; sorted newest (highest pid) first. */
export async function listNodeProcesses(excludePids: readonly number[] = []): Promise<NodeProcess[]> {
  if (process.platform !== 'linux') return [];
  const uid = process.getuid?.();
  const found: NodeProcess[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (excludePids.includes(pid)) continue;
    try {
      const stat = await fs.stat(`/proc/${name}`);
      if (uid !== undefined && stat.uid !== uid) continue;
      const argv = parseCmdline(await fs.readFile(`/proc/${name}/cmdline`, 'utf8'));
      if (argv.length === 0) continue; // kernel thread or zombie
      let exe: string | undefined;
      try {
        exe = await fs.readlink(`/proc/${name}/exe`);
      } catch {}
      if (isNodeCommand(argv, exe)) found.push({ pid, argv, ...(exe ? { exe } : {}) });
    } catch {
      // The process exited while we looked.
    }
  }
  return found.sort((a, b) => b.pid - a.pid);
}

/** Local TCP ports a process listens on (IPv4 and IPv6), from its socket inodes and /proc/net/tcp*. */
export async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    try {
      const link = await fs.readlink(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match?.[1]) inodes.add(match[1]);
    } catch {}
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = await fs.readFile(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const port of parseListeningPorts(text, inodes)) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Ports in state LISTEN (0A) whose inode is one of `inodes`, from a /proc/net/tcp table. */
export function parseListeningPorts(table: string, inodes: ReadonlySet<string>): number[] {
  const ports: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9] ?? '')) continue;
    const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
    if (Number.isInteger(port) && port > 0) ports.push(port);
  }
  return ports;
}
