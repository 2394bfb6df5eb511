// Messages the live view's webview posts; anything else is dropped. Pure: unit-tested.

export type LiveMessage = { type: 'ready'; pid?: number } | { type: 'select'; pid: number } | { type: 'capture' };

export function parseLiveMessage(value: unknown): LiveMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const pidOk = (pid: unknown) => typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0;
  if (m.type === 'ready') return pidOk(m.pid) ? { type: 'ready', pid: m.pid as number } : { type: 'ready' };
  if (m.type === 'select' && pidOk(m.pid)) return { type: 'select', pid: m.pid as number };
  if (m.type === 'capture') return { type: 'capture' };
  return undefined;
}
