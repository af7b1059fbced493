/** A sliding-window limiter over the injected clock (in memory: it restarts with the process). */
import type { Clock } from '../lib/clock.js';

export type Admission = { ok: true; release: () => void } | { ok: false; retryAfterMs: number };

/** At most `limit` units per key within any `windowMs`. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /**
   * Take `units` (default 1) for `key`, all or none: refused with the wait until enough units
   * have left the window (never, when `units` exceeds the limit: `retryAfterMs` is Infinity).
   */
  take(key: string, units = 1): Admission {
    const now = this.clock.now();
    const live = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.hits.set(key, live);
    if (units > this.limit) {
      return { ok: false, retryAfterMs: Infinity };
    }
    const excess = live.length + units - this.limit;
    if (excess > 0) {
      return { ok: false, retryAfterMs: live[excess - 1]! + this.windowMs - now };
    }
    for (let i = 0; i < units; i++) {
      live.push(now);
    }
    let released = false;
    return {
      ok: true,
      // a take whose work failed gives its units back
      release: () => {
        if (released) {
          return;
        }
        released = true;
        const list = this.hits.get(key);
        for (let n = 0; n < units; n++) {
          const i = list?.lastIndexOf(now) ?? -1;
          if (list && i >= 0) {
            list.splice(i, 1);
          }
        }
      },
    };
  }
}
