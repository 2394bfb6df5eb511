// The loading screen's words for how far loading is (App.showLoadProgress draws them).
import type { LoadProgress } from '../../format/viewer-protocol';

function megabytes(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}

/** "Reading the snapshot… 45 % of 177 MB", "Downloading trace… 45 of 176 MB", "Parsing trace (176 MB)…". */
export function loadProgressText(progress: LoadProgress): string {
  if (progress.kind === 'summary') return `Reading the snapshot… ${Math.floor(progress.readFraction * 100)} % of ${megabytes(progress.fileBytes)} MB`;
  const { receivedBytes, totalBytes } = progress;
  if (totalBytes && receivedBytes >= totalBytes) return `Parsing trace (${megabytes(totalBytes)} MB)…`;
  return totalBytes ? `Downloading trace… ${megabytes(receivedBytes)} of ${megabytes(totalBytes)} MB` : `Downloading trace… ${megabytes(receivedBytes)} MB`;
}
