/** A sliding-window limiter over the injected clock (in memory: it restarts with the process). */
import type { Clock } from '../lib/clock.js';

export type Admission = { ok: true; release: () => void } | { ok: false; retryAfterMs: number };

/** At most `limit` takes per key within any `windowMs`. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Take one unit for `key`: refused with the wait until the oldest unit leaves the window. */
  take(key: string): Admission {
    const now = this.clock.now();
    const live = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (live.length >= this.limit) {
      this.hits.set(key, live);
      return { ok: false, retryAfterMs: live[0]! + this.windowMs - now };
    }
    live.push(now);
    this.hits.set(key, live);
    let released = false;
    return {
      ok: true,
      // a take whose work failed gives its unit back
      release: () => {
        if (released) {
          return;
        }
        released = true;
        const list = this.hits.get(key);
        const i = list?.lastIndexOf(now) ?? -1;
        if (list && i >= 0) {
          list.splice(i, 1);
        }
      },
    };
  }
}
