// The loading screen's words for how far loading is (App.showLoadProgress draws them).
import type { LoadProgress } from '../../format/viewer-protocol';

function megabytes(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}

/**
 * "Reading the snapshot… 45 % of 177 MB", then "Read 177 MB — laying out the timeline…" while
 * the host joins and lays out what it read; "Downloading trace… 45 of 176 MB", "Parsing trace
 * (176 MB)…" where the browser downloads the file whole.
 */
export function loadProgressText(progress: LoadProgress): string {
  if (progress.kind === 'summary') {
    return progress.readFraction >= 1
      ? `Read ${megabytes(progress.fileBytes)} MB — laying out the timeline…`
      : `Reading the snapshot… ${Math.floor(progress.readFraction * 100)} % of ${megabytes(progress.fileBytes)} MB`;
  }
  const { receivedBytes, totalBytes } = progress;
  if (totalBytes && receivedBytes >= totalBytes) return `Parsing trace (${megabytes(totalBytes)} MB)…`;
  return totalBytes ? `Downloading trace… ${megabytes(receivedBytes)} of ${megabytes(totalBytes)} MB` : `Downloading trace… ${megabytes(receivedBytes)} MB`;
}
