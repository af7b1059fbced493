import { SlidingWindowLimiter } from '../auth/index.js';
import { AppError } from '../errors.js';
import { type Clock, HOUR_MS } from '../lib/clock.js';

/**
 * An end user's self-restore budget: at most `perHour` items per mailbox in any hour, shared by
 * every way a user restores their own mail (the dumpster, a self-service recovery group), so
 * that no route is a way around it. The help desk and administrators are not held to it.
 * In memory: it restarts with the process.
 */
export class SelfRestoreBudget {
  private readonly limiter: SlidingWindowLimiter;

  constructor(clock: Clock, perHour: number) {
    this.limiter = new SlidingWindowLimiter(clock, perHour, HOUR_MS);
  }

  get perHour(): number {
    return this.limiter.limit;
  }

  /**
   * Take `items` units for `address`, all or none; the returned function gives them back (call
   * it when the restore failed).
   * @throws RATE_LIMITED (details.retryAfterSeconds, limit), VALIDATION_FAILED (more than the
   * hourly budget in one request)
   */
  take(address: string, items: number): () => void {
    const admission = this.limiter.take(address.toLowerCase(), items);
    if (admission.ok) {
      return admission.release;
    }
    if (!Number.isFinite(admission.retryAfterMs)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `At most ${this.perHour} items can be restored per hour; restore fewer at a time`,
        { limit: this.perHour, requested: items },
      );
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    throw new AppError(
      'RATE_LIMITED',
      `At most ${this.perHour} items can be restored per hour; try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds, limit: this.perHour },
    );
  }
}
