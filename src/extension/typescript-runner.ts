// How to run a TypeScript file: the workspace's own runner (tsx, ts-node) when installed, else
// Node's built-in type stripping when the terminal's Node has it, else a clear explanation.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type TypeScriptPlan =
  | { kind: 'runner'; program: string; args: string[]; description: string }
  | { kind: 'unsupported'; message: string };

/** Walks up from the file to the workspace root looking for node_modules/.bin/<runner>. */
export function findLocalRunner(file: string, stopAt: string | undefined): { name: string; bin: string } | undefined {
  const bin = process.platform === 'win32' ? (name: string) => `${name}.cmd` : (name: string) => name;
  let dir = path.dirname(file);
  for (;;) {
    for (const name of ['tsx', 'ts-node']) {
      const candidate = path.join(dir, 'node_modules', '.bin', bin(name));
      if (fs.existsSync(candidate)) return { name, bin: candidate };
    }
    const parent = path.dirname(dir);
    if (parent === dir || (stopAt && path.relative(stopAt, dir).startsWith('..')) || dir === stopAt) return undefined;
    dir = parent;
  }
}

/** `v22.18.0` → [22, 18, 0]. */
export function parseNodeVersion(text: string): [number, number, number] | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Node's type stripping: unflagged from 22.18 / 23.6, behind a flag from 22.6. */
export function typeStrippingFlags(version: [number, number, number]): string[] | undefined {
  const [major, minor] = version;
  if (major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)) return [];
  if (major === 23 || (major === 22 && minor >= 6)) return ['--experimental-strip-types'];
  return undefined;
}

function nodeVersionOnPath(cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('node', ['--version'], { cwd, timeout: 5_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

export async function planTypeScript(file: string, workspaceRoot: string | undefined): Promise<TypeScriptPlan> {
  const local = findLocalRunner(file, workspaceRoot);
  if (local) return { kind: 'runner', program: local.bin, args: [file], description: `the workspace's ${local.name}` };
  const versionText = await nodeVersionOnPath(workspaceRoot ?? path.dirname(file));
  const version = versionText ? parseNodeVersion(versionText) : undefined;
  const flags = version ? typeStrippingFlags(version) : undefined;
  if (flags) return { kind: 'runner', program: 'node', args: [...flags, file], description: `Node ${versionText}'s type stripping` };
  return {
    kind: 'unsupported',
    message: `Cannot run TypeScript: no tsx or ts-node in the workspace's node_modules, and ${versionText ? `Node ${versionText}` : 'the node on PATH'} cannot strip types (Node 22.6 or later can). Install one with "npm install --save-dev tsx".`,
  };
}
