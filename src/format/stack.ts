// Stack frames as every part shows them. Lines and columns are 1-based, as editors show them;
// V8's CPU profile call frames are 0-based and are converted when read.

export interface StackFrame {
  functionName: string;
  /** file:// URL, absolute path, or `node:internal/...`. */
  url: string;
  /** 1-based. */
  lineNumber: number;
  /** 1-based. */
  columnNumber: number;
}

// "    at fn (file:line:col)", "    at file:line:col", "    at async fn (file:line:col)"
const FRAME_WITH_NAME = /^\s*at (?:async )?(.*?) \((.*):(\d+):(\d+)\)$/;
const FRAME_BARE = /^\s*at (?:async )?(.*):(\d+):(\d+)$/;

/** Parses the frames of a V8 `error.stack` string; lines that are not frames are skipped. */
export function parseV8Stack(stack: string, maxFrames = 64): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    if (frames.length >= maxFrames) break;
    const named = FRAME_WITH_NAME.exec(line);
    if (named) {
      frames.push({ functionName: named[1] ?? '', url: named[2] ?? '', lineNumber: Number(named[3]), columnNumber: Number(named[4]) });
      continue;
    }
    const bare = FRAME_BARE.exec(line);
    if (bare) frames.push({ functionName: '', url: bare[1] ?? '', lineNumber: Number(bare[2]), columnNumber: Number(bare[3]) });
  }
  return frames;
}

/** True for frames of Node itself or of the recorder, which a user does not want to jump to. */
export function isInternalFrame(frame: StackFrame): boolean {
  return frame.url.startsWith('node:') || frame.url === '' || frame.url.includes('/dist/recorder.js');
}

/**
 * The frame to name as "where" a thread was: the first of the program's own (a block probed in
 * `JSON.parse` or `Array.prototype.push` is named by the code that called it), else the top one.
 */
export function programFrame(frames: readonly StackFrame[]): StackFrame | undefined {
  return frames.find((frame) => !isInternalFrame(frame)) ?? frames[0];
}

/** `fn file:line` with the file's name only: a frame on one line of a list or a status bar. */
export function shortFrameLabel(frame: StackFrame): string {
  const location = shortFrameLocation(frame);
  return `${frame.functionName || '(anonymous)'}${location ? ` ${location}` : ''}`;
}

/** `file:line` with the file's name only ('' without a file). */
export function shortFrameLocation(frame: StackFrame): string {
  const file = frame.url.slice(frame.url.lastIndexOf('/') + 1) || frame.url;
  return `${file}${file && frame.lineNumber > 0 ? `:${frame.lineNumber}` : ''}`;
}
