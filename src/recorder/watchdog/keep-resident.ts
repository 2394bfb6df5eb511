// Steps the rings' prefaulters (ring/prefault.ts) on the watchdog thread: every ACTIVE_MS
// while a writer moves, every IDLE_MS when none did (a quiet program costs one wake-up of this
// thread every few seconds), and not at all once every ring is resident (after its first lap).
// The timer is unref'd and dies with the thread.
import { RingPrefaulter } from '../ring/prefault';

const ACTIVE_MS = 250;
const IDLE_MS = 3000;

export class ResidencyKeeper {
  private prefaulters: RingPrefaulter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Starts keeping `ring` resident ahead of its writer. */
  add(ring: SharedArrayBuffer): void {
    const prefaulter = new RingPrefaulter(ring);
    prefaulter.step();
    if (prefaulter.done) return;
    this.prefaulters.push(prefaulter);
    this.schedule(ACTIVE_MS);
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    let moved = false;
    for (const prefaulter of this.prefaulters) moved = prefaulter.step() || moved;
    this.prefaulters = this.prefaulters.filter((prefaulter) => !prefaulter.done);
    if (this.prefaulters.length > 0) this.schedule(moved ? ACTIVE_MS : IDLE_MS);
  };

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(this.tick, delayMs);
    this.timer.unref();
  }
}
