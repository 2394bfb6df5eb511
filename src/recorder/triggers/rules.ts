// Rules over the recorded data (RuleHooks, called by sources as events finish). Each rule has
// its own cooldown; all rules together (and the watchdog's unresponsive rule) write at most
// `maxSnapshots` files per process, counted in the ring header so both threads see one count.
// With every rule off, each hook is a few comparisons.
import type { RuleHooks } from '../contracts';
import type { ResolvedOptions } from '../config';

export type RuleName = 'slowRequestMs' | 'statusAtLeast' | 'loopBlockMs' | 'heapUsedMb' | 'gcPauseMs';

export interface RuleFiring {
  rule: RuleName;
  value: number;
  threshold: number;
  /** What crossed it: the request's name, when there is one. */
  detail?: string;
}

export class Rules implements RuleHooks {
  private readonly nextAllowedMs: Record<RuleName, number> = { slowRequestMs: 0, statusAtLeast: 0, loopBlockMs: 0, heapUsedMb: 0, gcPauseMs: 0 };
  // `declare`d, set once in the constructor: V8 keeps them constant (see Ring).
  private declare readonly t: ResolvedOptions['triggers'];
  // The request thresholds, copied (the options never change after start): requestFinished
  // runs for every HTTP request and, with both off (the default), is one field test.
  private declare readonly slowRequestMs: number;
  private declare readonly statusAtLeast: number;
  /**
   * False when no rule looks at requests (the default): the HTTP source then skips
   * requestFinished and the request's name (reading its URL at the end costs a cache miss).
   */
  declare readonly watchesRequests: boolean;
  /** False when no rule looks at GC pauses (the default): the GC source may then read V8's trace events less often. */
  declare readonly watchesGcPauses: boolean;

  constructor(
    options: ResolvedOptions,
    /** Snapshots written by rules so far, shared across threads; returns the new count, or -1 if over the limit. */
    private readonly claimSnapshot: () => boolean,
    private readonly fire: (firing: RuleFiring) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.t = options.triggers;
    this.slowRequestMs = this.t.slowRequestMs;
    this.statusAtLeast = this.t.statusAtLeast;
    this.watchesRequests = this.slowRequestMs > 0 || this.statusAtLeast > 0;
    this.watchesGcPauses = this.t.gcPauseMs > 0;
  }

  requestFinished(durationMs: number, status: number, name: string, redactName?: (name: string) => string): void {
    if (!this.watchesRequests) return;
    const { slowRequestMs, statusAtLeast } = this;
    const slow = slowRequestMs > 0 && durationMs >= slowRequestMs;
    const failed = statusAtLeast > 0 && status >= statusAtLeast;
    if (!slow && !failed) return;
    const detail = redactName === undefined ? name : redactName(name);
    if (slow) this.consider('slowRequestMs', durationMs, slowRequestMs, detail);
    if (failed) this.consider('statusAtLeast', status, statusAtLeast, detail);
  }

  /** Called with every event-loop block recorded (the runtime arms the watchdog's probe of the next ones). */
  onLoopBlocked: (() => void) | undefined = undefined;
  /** Called while work is under way (the loop works, requests arrive), every few seconds at most (the runtime has the watchdog look for a first block). */
  onLoopActive: (() => void) | undefined = undefined;

  loopActive(): void {
    this.onLoopActive?.();
  }

  loopBlocked(durationMs: number): void {
    this.onLoopBlocked?.();
    const threshold = this.t.loopBlockMs;
    if (threshold > 0 && durationMs >= threshold) this.consider('loopBlockMs', durationMs, threshold);
  }

  heapSampled(heapUsedMB: number): void {
    const threshold = this.t.heapUsedMb;
    if (threshold > 0 && heapUsedMB >= threshold) this.consider('heapUsedMb', heapUsedMB, threshold);
  }

  gcPaused(durationMs: number): void {
    const threshold = this.t.gcPauseMs;
    if (threshold > 0 && durationMs >= threshold) this.consider('gcPauseMs', durationMs, threshold);
  }

  private consider(rule: RuleName, value: number, threshold: number, detail?: string): void {
    const now = this.now();
    if (now < this.nextAllowedMs[rule]) return;
    if (!this.claimSnapshot()) return;
    this.nextAllowedMs[rule] = now + this.t.cooldownMs;
    this.fire(detail === undefined ? { rule, value, threshold } : { rule, value, threshold, detail });
  }
}

export const NO_RULES: RuleHooks = {
  watchesRequests: false,
  watchesGcPauses: false,
  requestFinished() {},
  loopBlocked() {},
  heapSampled() {},
  gcPaused() {},
};
