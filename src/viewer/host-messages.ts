// What the viewer accepts from its host (host.ts): every message is checked for its shape
// before anything reads it, and anything else is logged and dropped. No DOM here, so the
// checks are unit-tested in Node.
import { isReadProgress, type HostToViewer } from '../format/viewer-protocol';

/** Returns the message if it has the shape of a HostToViewer message, else logs and drops it. */
export function checkHostMessage(data: unknown): HostToViewer | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'init':
      if (typeof message.text === 'string' && typeof message.fileName === 'string') return message as unknown as HostToViewer;
      break;
    case 'loadError':
      if (typeof message.message === 'string' && typeof message.fileName === 'string') return message as unknown as HostToViewer;
      break;
    case 'summary':
      if (message.summary instanceof Uint8Array && typeof message.fileName === 'string') return message as unknown as HostToViewer;
      break;
    case 'bytes':
      if (typeof message.requestId === 'number' && (message.bytes instanceof Uint8Array || typeof message.error === 'string')) return message as unknown as HostToViewer;
      break;
    case 'searchResult':
      if (typeof message.requestId === 'number' && (message.indices instanceof Int32Array || typeof message.error === 'string')) return message as unknown as HostToViewer;
      break;
    case 'select':
      if (typeof message.ts === 'number') return message as unknown as HostToViewer;
      break;
    case 'progress':
      if (isReadProgress(message.readFraction, message.fileBytes)) return message as unknown as HostToViewer;
      break;
    default:
      break;
  }
  console.warn('Flight Recorder viewer: dropped a host message of unknown shape', typeof message.type === 'string' ? message.type : typeof message.type);
  return undefined;
}
