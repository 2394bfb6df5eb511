// Recorded processes as a tree: a child started by a recorded parent (fork, spawn, cluster)
// hangs under it; a process whose parent is not recorded is a root.

export interface TreeNode<T extends { pid: number; ppid: number }> {
  entry: T;
  depth: number;
  children: TreeNode<T>[];
}

/** Roots sorted by pid, children sorted by pid. Cycles (pid reuse) cannot hang it. */
export function buildProcessTree<T extends { pid: number; ppid: number }>(entries: readonly T[]): TreeNode<T>[] {
  const byPid = new Map<number, TreeNode<T>>();
  for (const entry of entries) byPid.set(entry.pid, { entry, depth: 0, children: [] });
  const roots: TreeNode<T>[] = [];
  for (const node of byPid.values()) {
    const parent = byPid.get(node.entry.ppid);
    if (parent && parent !== node && !isAncestor(node, parent, byPid)) parent.children.push(node);
    else roots.push(node);
  }
  const byPidOrder = (a: TreeNode<T>, b: TreeNode<T>) => a.entry.pid - b.entry.pid;
  const setDepth = (node: TreeNode<T>, depth: number) => {
    node.depth = depth;
    node.children.sort(byPidOrder);
    for (const child of node.children) setDepth(child, depth + 1);
  };
  roots.sort(byPidOrder);
  for (const root of roots) setDepth(root, 0);
  return roots;
}

/** Is `candidate` an ancestor-to-be of `of`, i.e. would linking `of` under `candidate` close a loop? */
function isAncestor<T extends { pid: number; ppid: number }>(of: TreeNode<T>, candidate: TreeNode<T>, byPid: Map<number, TreeNode<T>>): boolean {
  const seen = new Set<number>();
  let current: TreeNode<T> | undefined = candidate;
  while (current && !seen.has(current.entry.pid)) {
    if (current === of) return true;
    seen.add(current.entry.pid);
    current = byPid.get(current.entry.ppid);
  }
  return false;
}

/** Depth-first order, the order a tree view prints. */
export function flattenTree<T extends { pid: number; ppid: number }>(roots: readonly TreeNode<T>[]): TreeNode<T>[] {
  const out: TreeNode<T>[] = [];
  const visit = (node: TreeNode<T>) => {
    out.push(node);
    for (const child of node.children) visit(child);
  };
  for (const root of roots) visit(root);
  return out;
}
