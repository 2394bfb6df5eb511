// diagnostics_channel subscription with the guard applied once, at install time.
import * as diagnostics from 'node:diagnostics_channel';
import type { SourceContext } from '../contracts';

/** Subscribes guarded handlers; returns one function that unsubscribes them all. */
export function subscribeAll(context: SourceContext, source: string, handlers: Record<string, (message: never) => void>): () => void {
  const installed: [string, (message: unknown, name: string | symbol) => void][] = [];
  for (const [channel, handler] of Object.entries(handlers)) {
    const guarded = context.guard(`${source} ${channel}`, handler as (message: unknown) => void);
    diagnostics.subscribe(channel, guarded);
    installed.push([channel, guarded]);
  }
  return () => {
    for (const [channel, handler] of installed) diagnostics.unsubscribe(channel, handler);
  };
}

/**
 * Subscribes handlers that catch their own errors (a try/catch inside that hands the error to
 * a `context.guard`-wrapped reporter): for the hottest hooks, which the shared guard wrapper
 * would keep V8 from inlining. Returns one function that unsubscribes them all.
 */
export function subscribeSelfGuarded(handlers: Record<string, (message: never) => void>): () => void {
  const installed: [string, (message: unknown, name: string | symbol) => void][] = [];
  for (const [channel, handler] of Object.entries(handlers)) {
    diagnostics.subscribe(channel, handler as (message: unknown) => void);
    installed.push([channel, handler as (message: unknown) => void]);
  }
  return () => {
    for (const [channel, handler] of installed) diagnostics.unsubscribe(channel, handler);
  };
}
