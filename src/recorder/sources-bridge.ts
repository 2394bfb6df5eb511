// The one place the core meets the event sources' module: which sources to install and how
// each record kind decodes. Kinds 1–31 decode here; the rest go to the sources' table.
import type { EventSource, RecordDecoder } from './contracts';
import type { ResolvedOptions } from './config';
import { decodeCoreRecord } from './core-kinds';
import { createSources, decoders } from './sources/index';

export function createDefaultSources(options: ResolvedOptions): EventSource[] {
  return createSources(options);
}

/** The decoder for a kind, or undefined (unknown kinds are skipped: a newer writer's records). */
export function decoderFor(kind: number): RecordDecoder | undefined {
  return kind < 32 ? decodeCoreRecord : decoders.get(kind);
}
