// `flight-recorder view <file> [--port N]`: serves the timeline viewer and the file on
// 127.0.0.1, prints the URL, and runs until interrupted. Exit codes: 0 after Ctrl+C,
// 1 when the file (or the viewer bundle) cannot be read or is larger than the viewer can open, 2 for bad usage.
// The server summarises the snapshot in the background as soon as it starts (trace-summary.ts).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MAX_TRACE_BYTES, startViewServer, traceTooLargeMessage } from './server';

const USAGE = 'usage: flight-recorder view <file> [--port N] [--no-summary]';

export async function runView(argv: string[]): Promise<number> {
  let file: string | undefined;
  let port = 0;
  let summary = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg === '--port' ? argv[++i] : arg.slice('--port='.length);
      const parsed = Number(value);
      if (value === undefined || !/^\d+$/.test(value) || parsed > 65535) {
        process.stderr.write(`flight-recorder view: --port needs a number 0-65535\n${USAGE}\n`);
        return 2;
      }
      port = parsed;
    } else if (arg === '--no-summary') {
      summary = false;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        `${USAGE}\nServes the timeline viewer for a snapshot (.nodetrace.json), Chrome trace JSON or .cpuprofile on 127.0.0.1.\n` +
          'Snapshots are summarised here and the page fetches event details on demand; --no-summary sends the whole file instead.\n',
      );
      return 0;
    } else if (arg.startsWith('-') && arg !== '-') {
      process.stderr.write(`flight-recorder view: unknown option ${arg}\n${USAGE}\n`);
      return 2;
    } else if (file === undefined) {
      file = arg;
    } else {
      process.stderr.write(`flight-recorder view: one file at a time (got ${file} and ${arg})\n${USAGE}\n`);
      return 2;
    }
  }
  if (file === undefined) {
    process.stderr.write(`flight-recorder view: which file?\n${USAGE}\n`);
    return 2;
  }
  const tracePath = resolve(file);
  const problem = await unreadable(tracePath);
  if (problem) {
    process.stderr.write(`flight-recorder view: cannot read ${file}: ${problem}\n`);
    return 1;
  }
  const sizeBytes = (await stat(tracePath)).size;
  if (sizeBytes > MAX_TRACE_BYTES) {
    process.stderr.write(`flight-recorder view: cannot open ${file}: ${traceTooLargeMessage(sizeBytes)}\n`);
    return 1;
  }
  const assets = await findViewerAssets();
  if (!assets) {
    process.stderr.write('flight-recorder view: the viewer bundle (dist/viewer.js, media/viewer.css) is missing; run `npm run build`.\n');
    return 1;
  }
  let started;
  try {
    started = await startViewServer({ tracePath, viewerScriptPath: assets.script, viewerStylePath: assets.style, port, summary });
  } catch (error) {
    process.stderr.write(`flight-recorder view: cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const { server, url } = started;
  process.stdout.write(`Flight Recorder viewer for ${file}\n${url}\n(Ctrl+C to stop)\n`);
  return new Promise<number>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => done(0));
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function unreadable(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'it is a directory';
    if (!info.isFile()) return 'not a regular file';
    await access(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    return error instanceof Error ? error.message : String(error);
  }
}

/** dist/viewer.js next to dist/cli.js when bundled; from the checkout when run from source. */
async function findViewerAssets(): Promise<{ script: string; style: string } | undefined> {
  const roots = [join(__dirname, '..'), join(__dirname, '..', '..', '..')];
  for (const root of roots) {
    const script = join(root, 'dist', 'viewer.js');
    const style = join(root, 'media', 'viewer.css');
    try {
      await access(script, constants.R_OK);
      await access(style, constants.R_OK);
      return { script, style };
    } catch {
      // try the next layout
    }
  }
  return undefined;
}
